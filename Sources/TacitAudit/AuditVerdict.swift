/// What an audit concludes about a claimed ε.
///
/// - `pass`: the ε lower bound at the stated confidence does not exceed the claimed ε, and the
///   audit could have shown a larger bound (its ceiling exceeds the claim).
/// - `violation`: the bound exceeds the claim, or a mechanism check failed (`MechanismCheck`:
///   the DP-SGD that ran is measurably weaker than the one accounted). `tacit run` exits with
///   code 3.
/// - `untestable`: the bound does not exceed the claim, but neither could it have: the claim is
///   at or above the audit's ceiling (the bound of a perfect attack, `OneRunCeiling`), so this
///   audit cannot refute it. Not a failure (`tacit run` exits 0), but no evidence either: the
///   log, `summary.json` and the report say so loudly.
/// - `measured`: nothing is claimed (a non-private run): the audit measures leakage only.
/// - `invalid`: a language model's member and non-member texts differ in distribution: a
///   classifier that never sees the model tells them apart (`BlindBaseline`), so the membership
///   attacks measure that shift, not the model's memory, and no membership result stands.
///   `tacit run` exits with code 4. Only a failed mechanism check (a VIOLATION whatever the
///   records) outranks it.
/// - `none`: nothing could be audited (no non-members and no canaries).
///
/// The raw values are what `audit.json`, `summary.json` and the reports show.
public enum AuditVerdict: String, Sendable, CaseIterable {
  case pass = "PASS"
  case violation = "VIOLATION"
  case untestable = "UNTESTABLE"
  case measured = "MEASURED"
  case invalid = "INVALID"
  case none = "NONE"

  /// The verdict of a lower bound `bound` against the claim `claimed` (`nil`: nothing claimed);
  /// `audited` is `false` when no attack or canary audit ran.
  ///
  /// - Parameters:
  ///   - ceiling: the largest bound the audit could have shown (`nil`: unknown, never
  ///     untestable); a claim at or above it is `untestable` unless the bound exceeds it.
  ///   - mechanismFailed: a mechanism check failed: `violation` whatever the bound.
  public static func judge(
    claimed: Double?, bound: Double, audited: Bool, ceiling: Double? = nil, mechanismFailed: Bool = false
  ) -> AuditVerdict {
    guard audited else { return .none }
    guard let claimed else { return .measured }
    if mechanismFailed || bound > claimed { return .violation }
    if let ceiling, ceiling <= claimed { return .untestable }
    return .pass
  }
}
