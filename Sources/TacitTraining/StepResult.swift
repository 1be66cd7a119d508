/// What one optimisation step produced.
public struct StepResult: Sendable {
  /// The sum of per-example losses over the batch (the objective's losses, training-mode forward
  /// pass). Under augmentation multiplicity K, the sum over records of the mean over a record's
  /// copies.
  public var lossSum: Double
  /// The number of correct predictions in the batch (training-mode forward pass; per record,
  /// rounded, under augmentation multiplicity), or `nil` when the objective has no notion of a
  /// correct prediction (`TrainingObjective`).
  public var correct: Int?
  /// The number of examples (records, under augmentation multiplicity).
  public var count: Int
  /// The fraction of examples (records) whose gradient was clipped (0 in `.mean` mode).
  public var clippedFraction: Double
  /// The clipping norm the step used: C, or `C_t` under adaptive clipping (`nil` in `.mean` mode,
  /// and in `.clippedMean` mode on an empty batch).
  public var clipNorm: Double?
}
