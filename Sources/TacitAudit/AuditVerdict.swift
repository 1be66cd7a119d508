/// What an audit concludes about a claimed ε.
///
/// - `pass`: the ε lower bound at the stated confidence does not exceed the claimed ε.
/// - `violation`: it does (`tacit run` exits with code 3).
/// - `measured`: nothing is claimed (a non-private run): the audit measures leakage only.
/// - `none`: nothing could be audited (no non-members and no canaries).
///
/// The raw values are what `audit.json`, `summary.json` and the reports show.
public enum AuditVerdict: String, Sendable, CaseIterable {
  case pass = "PASS"
  case violation = "VIOLATION"
  case measured = "MEASURED"
  case none = "NONE"

  /// The verdict of a lower bound `bound` against the claim `claimed` (`nil`: nothing claimed);
  /// `audited` is `false` when no attack or canary audit ran.
  public static func judge(claimed: Double?, bound: Double, audited: Bool) -> AuditVerdict {
    guard audited else { return .none }
    guard let claimed else { return .measured }
    return bound > claimed ? .violation : .pass
  }
}
