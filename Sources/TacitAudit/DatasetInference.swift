/// Dataset inference (Maini, Jia, Papernot & Dziedzic 2024, "LLM Dataset Inference: Did You
/// Train on My Dataset?"): did the model train on a *set* of suspect texts, compared with control
/// texts from the same distribution that it did not train on?
///
/// Single-text membership scores are weak on language models (near chance on IID splits), but
/// their small shifts add up over hundreds of texts. Per text, D membership scores form a feature
/// row (Tacit uses loss, zlib ratio, lowercase ratio, Min-K%, Min-K%++ and, with a reference
/// model, the reference difference). Protocol:
/// 1. Suspect and control rows are each shuffled (the caller's generator) and cut in two:
///    ⌊n/2⌋ rows to fit, the rest held out.
/// 2. A `LinearAggregator` is fitted on the fitting halves, suspect labelled 1, control 0.
/// 3. The held-out rows get aggregate scores; a one-sided Welch t-test (`WelchTTest`) asks
///    whether the suspect scores are larger. Fitting and testing rows are disjoint, so under
///    the null (the model treats suspect and control alike) the test is valid for whatever the
///    aggregator learned.
/// 4. Verdict: `evidence of membership` when p < `significanceLevel` (0.01), `no evidence`
///    otherwise.
///
/// `falsePositiveCheck` runs the same procedure with the control set split in two random halves
/// posing as suspect and control: both are non-members, so it must find no evidence (it does in
/// about 99% of splits). The texts themselves must also pass the blind baseline
/// (`BlindBaseline`): with a distribution shift, step 3 would detect the shift.
///
/// Shapes: `suspect` `[S][D]`, `control` `[C][D]`, every value finite; S, C ≥ 4.
public struct DatasetInference: Sendable {
  /// The p-value below which the verdict is `evidenceOfMembership`.
  public static let significanceLevel = 0.01
  /// The least rows per side: two to fit, two to test.
  public static let minimumPerSide = 4

  public enum Verdict: String, Sendable {
    case evidenceOfMembership = "evidence of membership"
    case noEvidence = "no evidence"
  }

  /// The held-out test: suspect aggregate scores (first) against control (second).
  public let test: WelchTTest
  /// The aggregator fitted on the fitting halves.
  public let aggregator: LinearAggregator
  /// Rows used to fit and to test, per side.
  public let fitCounts: (suspect: Int, control: Int)
  public let testCounts: (suspect: Int, control: Int)

  public var verdict: Verdict { test.pValue < Self.significanceLevel ? .evidenceOfMembership : .noEvidence }

  /// Fits on half of each side and tests on the rest (see the type's documentation).
  ///
  /// - Throws: `AuditError` for fewer than `minimumPerSide` rows on a side, rows of different
  ///   lengths, or a value that is not finite (naming the side, row and feature).
  public init<G: RandomNumberGenerator>(suspect: [[Double]], control: [[Double]], generator: inout G) throws {
    try Self.validate(suspect: suspect, control: control)
    let suspectHalves = BlindBaseline.halves(suspect, generator: &generator)
    let controlHalves = BlindBaseline.halves(control, generator: &generator)
    aggregator = LinearAggregator(
      features: suspectHalves.training + controlHalves.training,
      labels: [Double](repeating: 1, count: suspectHalves.training.count)
        + [Double](repeating: 0, count: controlHalves.training.count))
    test = WelchTTest(suspectHalves.heldOut.map(aggregator.predict), controlHalves.heldOut.map(aggregator.predict))
    fitCounts = (suspectHalves.training.count, controlHalves.training.count)
    testCounts = (suspectHalves.heldOut.count, controlHalves.heldOut.count)
  }

  /// The same procedure on the control set alone: a random half poses as the suspect set.
  ///
  /// - Throws: `AuditError` with fewer than 2 · `minimumPerSide` control rows.
  public static func falsePositiveCheck<G: RandomNumberGenerator>(control: [[Double]], generator: inout G) throws
    -> DatasetInference
  {
    guard control.count >= 2 * minimumPerSide else {
      throw AuditError(
        "the false-positive check splits the control set in two and needs at least \(2 * minimumPerSide) control texts, got \(control.count)"
      )
    }
    let split = BlindBaseline.halves(control, generator: &generator)
    return try DatasetInference(suspect: split.training, control: split.heldOut, generator: &generator)
  }

  static func validate(suspect: [[Double]], control: [[Double]]) throws {
    for (name, rows) in [("suspect", suspect), ("control", control)] {
      guard rows.count >= minimumPerSide else {
        throw AuditError("dataset inference needs at least \(minimumPerSide) \(name) texts, got \(rows.count)")
      }
    }
    let dimension = suspect[0].count
    guard dimension >= 1 else { throw AuditError("dataset inference needs at least one score per text") }
    for (name, rows) in [("suspect", suspect), ("control", control)] {
      for (index, row) in rows.enumerated() {
        guard row.count == dimension else {
          throw AuditError("\(name) text \(index + 1) has \(row.count) scores, expected \(dimension)")
        }
        if let feature = row.firstIndex(where: { !$0.isFinite }) {
          throw AuditError("\(name) text \(index + 1): score \(feature + 1) is \(row[feature]), not a finite number")
        }
      }
    }
  }
}
