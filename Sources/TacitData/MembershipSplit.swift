import TacitTensor

/// A random member / non-member partition of an audit pool.
///
/// Population protocol for membership inference (Carlini et al. 2022, LiRA; Steinke, Nasr &
/// Jagielski 2023 for one-run audits): a model trains on `members`; `nonMembers`, the rest of the
/// pool, come from the same distribution and are not trained on. Exactly `memberCount` records
/// are members, chosen uniformly among all subsets of that size. Reference models use
/// `memberCount = pool.count / 2`, with one split per model from `generator.split("reference", index:)`.
public struct MembershipSplit: Sendable, Equatable, Codable {
  /// The audit pool (record indices), sorted.
  public var pool: [Int]
  /// The pool records the model trains on, sorted.
  public var members: [Int]
  /// The pool records the model does not train on, sorted.
  public var nonMembers: [Int]

  /// Exactly `memberCount` uniformly chosen members of `pool`.
  ///
  /// - Throws: `DataError.invalidSplit` when `memberCount` is negative or exceeds `pool.count`.
  /// - Precondition: `pool` has no repeated index.
  public static func make<Generator: RandomNumberGenerator>(
    pool: [Int], memberCount: Int, generator: inout Generator
  ) throws -> MembershipSplit {
    guard memberCount >= 0, memberCount <= pool.count else {
      throw DataError.invalidSplit(reason: "\(memberCount) members requested from an audit pool of \(pool.count) records")
    }
    let sortedPool = pool.sorted()
    precondition(zip(sortedPool, sortedPool.dropFirst()).allSatisfy { $0 < $1 }, "audit pool has repeated indices")
    let order = Random.permutation(sortedPool.count, using: &generator)
    let members = order[0..<memberCount].map { sortedPool[$0] }.sorted()
    let nonMembers = order[memberCount...].map { sortedPool[$0] }.sorted()
    return MembershipSplit(pool: sortedPool, members: members, nonMembers: nonMembers)
  }

  /// For each pool record in order, whether it is a member.
  public var membership: [Bool] {
    let memberSet = Set(members)
    return pool.map { memberSet.contains($0) }
  }
}
