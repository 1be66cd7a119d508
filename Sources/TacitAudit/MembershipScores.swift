/// One attack's verdict on a set of records: a score per record (higher means "more likely a
/// member") and the ground truth (whether the record was in the target's training set).
///
/// Every metric in `TacitAudit` (ROC, AUC, TPR at low FPR, ε lower bounds) consumes this type, so
/// any attack, on any model from any framework, is measured the same way (TF Privacy's
/// membership-inference design: attacks produce scores, metrics consume them).
///
/// Invariants (checked by the initialiser): `scores.count == isMember.count`; every score is
/// finite (an attack maps its extremes to large finite numbers, never ±∞ or NaN); at least one
/// member and one non-member.
public struct MembershipScores: Sendable, Equatable {
  /// The attack's score per record, `[records]`.
  public let scores: [Double]
  /// Ground truth per record, `[records]`: `true` for a member of the target's training set.
  public let isMember: [Bool]

  public init(scores: [Double], isMember: [Bool]) throws {
    guard scores.count == isMember.count else {
      throw AuditError("\(scores.count) scores but \(isMember.count) membership labels")
    }
    if let index = scores.firstIndex(where: { !$0.isFinite }) {
      throw AuditError("score \(index) is \(scores[index]); scores must be finite numbers")
    }
    let members = isMember.lazy.filter { $0 }.count
    guard members > 0, members < isMember.count else {
      throw AuditError(
        "need at least one member and one non-member, got \(members) members of \(isMember.count) records")
    }
    self.scores = scores
    self.isMember = isMember
  }

  /// The number of records.
  public var count: Int { scores.count }
  /// The number of members (positives).
  public var memberCount: Int { isMember.lazy.filter { $0 }.count }
  /// The number of non-members (negatives).
  public var nonMemberCount: Int { count - memberCount }
}
