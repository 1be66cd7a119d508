/// Where a run stopped because its loss became non-finite (NaN or ±∞): the step at which the
/// batch's summed loss stopped being a finite number, and the learning rate that step used.
///
/// A non-finite loss means the parameters (or the logits they produce) already overflowed Float;
/// every later step would carry NaN on, so `Trainer` stops at once and reports this instead of
/// finishing a NaN model.
public struct TrainingDivergence: Sendable, Equatable {
  /// 1-based epoch of the step.
  public var epoch: Int
  /// 1-based step within the epoch.
  public var step: Int
  /// The step's summed loss as computed (NaN or ±∞).
  public var lossSum: Double
  /// The learning rate of the step.
  public var learningRate: Double

  public init(epoch: Int, step: Int, lossSum: Double, learningRate: Double) {
    self.epoch = epoch
    self.step = step
    self.lossSum = lossSum
    self.learningRate = learningRate
  }
}
