/// DP-SGD's privacy unit when it is larger than one record: the training records partitioned
/// into units ("users") that are sampled, clipped and accounted as one (user-level DP; McMahan,
/// Ramage, Talwar & Zhang 2018, "Learning Differentially Private Recurrent Language Models",
/// ICLR).
///
/// **The mechanism.** Each step draws every unit independently with probability q = E/U (U
/// units, E the expected batch size in units). A drawn unit u contributes its gradient
/// `ḡ_u = ∇ L_u`, where `L_u` is the mean loss over all the tokens its records predict (for
/// token records; `TokenWindows` explains the row weights), clipped as one: `c_u ḡ_u` with
/// `c_u = min(1, C/‖ḡ_u‖)`. The step adds `N(0, σ²C²)` to `Σ_u c_u ḡ_u` and divides by E, as
/// record-level DP-SGD does. Adding or removing one unit, with all its records, changes the
/// clipped sum by at most C, and the units are Poisson-sampled: the accountant's
/// `dpsgd(σ, q, T)` covers neighbouring datasets that differ in one unit, so (ε, δ) holds per
/// unit. With U the unit count in place of N, nothing else in the accounting changes.
///
/// A unit whose records are k copies of one text therefore trains like that text inserted once:
/// its gradient is the text's. That is the point: a secret repeated in k of one user's records
/// is protected at (ε, δ), where record-level DP gives only group privacy (kε, k·e^{(k−1)ε}·δ).
public struct PrivacyUnits: Sendable, Equatable {
  /// Unit u's record indices, ascending; every record of the training set is in exactly one
  /// unit.
  public let records: [[Int]]

  /// Units of `records`; precondition: they partition 0 ..< recordCount and none is empty.
  public init(_ records: [[Int]], recordCount: Int) {
    var seen = [Bool](repeating: false, count: recordCount)
    for unit in records {
      precondition(!unit.isEmpty, "a privacy unit holds at least one record")
      for record in unit {
        precondition(record >= 0 && record < recordCount && !seen[record], "record \(record) is in no unit or in two")
        seen[record] = true
      }
    }
    precondition(seen.allSatisfy { $0 }, "every one of the \(recordCount) records belongs to a unit")
    self.records = records.map { $0.sorted() }
  }

  /// U, the number of units.
  public var count: Int { records.count }

  /// Units of consecutive records: the first `sizes[0]` records form unit 0, the next
  /// `sizes[1]` unit 1, and so on.
  public static func consecutive(sizes: [Int]) -> PrivacyUnits {
    var start = 0
    let records = sizes.map { size in
      defer { start += size }
      return Array(start..<(start + size))
    }
    return PrivacyUnits(records, recordCount: start)
  }
}
