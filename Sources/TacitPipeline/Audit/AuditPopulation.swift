import TacitData
import TacitRecipe
import TacitTensor

/// Who is a member: the population protocol of a run's audit (DESIGN.md §5).
///
/// The pool is the run's training records (`data`, after validation records are held out).
/// 1. Mislabeled canaries (`audit.canaries.kind: mislabeled`): m pool records, chosen at random,
///    get a wrong label drawn uniformly from the other classes; each is included in training with
///    probability ½. They leave the membership pool.
/// 2. Of the remaining records, a uniformly random `member_fraction` are the target's members;
///    the rest are its non-members (the same distribution, never trained on).
/// 3. The target trains on its members plus the included canaries.
///
/// Every choice comes from the audit generator (split "audit" of the recipe seed), so it is fixed
/// before training and reproducible.
struct AuditPopulation {
  /// The run's training pool.
  let pool: LabeledDataset
  /// Pool indices of the membership records (members and non-members), sorted.
  let auditIndices: [Int]
  /// Membership of each `auditIndices` record in the target's training set.
  let isMember: [Bool]
  /// Pool indices of the mislabeled canaries, their wrong labels and whether each is trained on.
  let canaryIndices: [Int]
  let canaryLabels: [Int32]
  let canaryIncluded: [Bool]
  /// A language model's secret-sharer canary records (`SecretCanaries`), trained on beside the
  /// members; `nil` when none.
  var secretRecords: LabeledDataset?

  var memberCount: Int { isMember.lazy.filter { $0 }.count }
  var nonMemberCount: Int { isMember.count - memberCount }

  /// The whole pool as members: no audit, or an audit without a membership split.
  static func everyoneIsMember(_ pool: LabeledDataset) -> AuditPopulation {
    AuditPopulation(
      pool: pool, auditIndices: Array(0..<pool.count), isMember: Array(repeating: true, count: pool.count),
      canaryIndices: [], canaryLabels: [], canaryIncluded: [])
  }

  static func make(_ section: AuditSection, pool: LabeledDataset, generator: SeededGenerator) throws -> AuditPopulation {
    guard section.enabled else { return everyoneIsMember(pool) }
    var remaining = Array(0..<pool.count)
    var canaryIndices: [Int] = []
    var canaryLabels: [Int32] = []
    var canaryIncluded: [Bool] = []
    if let canaries = section.canaries, canaries.kind == .mislabeled {
      guard case .fixed(let count) = canaries.count else {
        preconditionFailure("audit.canaries.count: auto must be resolved before the population (RunContext)")
      }
      guard count < pool.count / 2 else {
        throw PipelineError(
          "audit.canaries.count: \(count) mislabeled canaries need fewer than half of the \(pool.count) training records"
        )
      }
      guard pool.classCount >= 2 else { throw PipelineError("audit.canaries: mislabeling needs at least 2 classes") }
      var canaryGenerator = generator.split("mislabeled-canaries")
      let order = Random.permutation(pool.count, using: &canaryGenerator)
      canaryIndices = Array(order.prefix(count)).sorted()
      let chosen = Set(canaryIndices)
      remaining = remaining.filter { !chosen.contains($0) }
      for index in canaryIndices {
        let shift = Int32(1 + Int(canaryGenerator.next() % UInt64(pool.classCount - 1)))
        canaryLabels.append((pool.labels[index] + shift) % Int32(pool.classCount))
        canaryIncluded.append(canaryGenerator.next() & 1 == 1)
      }
    }
    var membershipGenerator = generator.split("membership")
    let memberCount = Int((section.memberFraction * Double(remaining.count)).rounded())
    let split = try MembershipSplit.make(pool: remaining, memberCount: memberCount, generator: &membershipGenerator)
    let members = Set(split.members)
    return AuditPopulation(
      pool: pool, auditIndices: remaining, isMember: remaining.map { members.contains($0) }, canaryIndices: canaryIndices,
      canaryLabels: canaryLabels, canaryIncluded: canaryIncluded)
  }

  /// The records the target trains on: its members, then the included canaries (relabelled).
  var targetTrainingSet: LabeledDataset {
    let members = zip(auditIndices, isMember).filter(\.1).map(\.0)
    let included = zip(canaryIndices, canaryIncluded).filter(\.1).map(\.0)
    var set = pool.subset(indices: members + included, name: "train")
    let includedLabels = zip(canaryLabels, canaryIncluded).filter(\.1).map(\.0)
    for (offset, label) in includedLabels.enumerated() { set.labels[members.count + offset] = label }
    if let secretRecords {
      set.features = Tensor(
        shape: [set.count + secretRecords.count] + Array(set.features.shape.dropFirst()),
        scalars: set.features.scalars + secretRecords.features.scalars)
      set.labels += secretRecords.labels
    }
    return set
  }

  /// The audit records (members and non-members) in `auditIndices` order.
  var auditRecords: LabeledDataset { pool.subset(indices: auditIndices, name: "audit") }

  /// Every canary with its wrong label, in `canaryIndices` order.
  var canaryRecords: LabeledDataset {
    var set = pool.subset(indices: canaryIndices, name: "canaries")
    set.labels = canaryLabels
    return set
  }
}
