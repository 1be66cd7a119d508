import TacitNN
import TacitTensor

/// A batch of privacy units (`PrivacyUnits`) of token records as the model's rows, in parts
/// of units with equal row counts (`TrainingStep.run(parts:…)`).
///
/// Unit u's rows are its records' rows, in order: a record `[T]` is one row, a windowed record
/// `[K, T]` its W_r ≥ 1 windows (its all-padding rows dropped). The R_u rows of a unit are one
/// group: its loss `L_u` is the mean over every token its rows predict, so row w is weighted
/// `a_w = R_u·n_w/n_u` (`TokenWindows.rowWeights`; n_w the row's predicted tokens, n_u their
/// sum over the unit), and `(1/R_u) Σ_w a_w ∇ℓ_w = ∇L_u` is the gradient DP-SGD clips. Units
/// with the same R_u form one part, parts in ascending R_u, units in their drawn order within a
/// part. Nothing is padded: a unit of 16 short records costs 16 rows in its own part, and the
/// batch's other units keep their own row counts.
enum UnitRows {
  /// The parts of the drawn `units` (each a list of record indices) of `features`, `[N, T]` or
  /// windowed `[N, K, T]` with each record's `windowCounts` (`TokenWindows.windowCounts`, `nil`
  /// for `[N, T]`); one empty part when no unit is drawn.
  static func parts(of units: [[Int]], features: Tensor, windowCounts: [Int]?) -> [StepPart] {
    precondition(features.rank == 2 || features.rank == 3, "token records are [N, T] or [N, K, T], got \(features.shape)")
    let unitRowCounts = units.map { records in records.reduce(0) { $0 + (windowCounts?[$1] ?? 1) } }
    let counts = Array(Set(unitRowCounts)).sorted()
    guard !counts.isEmpty else {
      return [StepPart(inputs: TokenWindows.rows(of: [], in: features, windowCounts: windowCounts), labels: [])]
    }
    return counts.map { count in
      let records = zip(units, unitRowCounts).filter { $0.1 == count }.flatMap(\.0)
      let rows = TokenWindows.rows(of: records, in: features, windowCounts: windowCounts)
      return StepPart(
        inputs: rows, labels: [Int32](repeating: 0, count: rows.batchSize),
        recordRows: RecordRows(perRecord: count, weights: TokenWindows.rowWeights(rows: rows, perRecord: count)))
    }
  }
}
