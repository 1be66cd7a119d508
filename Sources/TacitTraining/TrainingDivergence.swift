/// Where a run stopped because its numbers stopped being finite: either a step's summed loss
/// became NaN or ±∞, or, with every loss finite, the model was not finite at the end of an epoch:
/// a parameter NaN or ±∞, or outputs that overflow (an update that overflowed Float in the
/// epoch's last step, whose loss was computed before it, or in a weight the loss does not see).
///
/// A non-finite loss means the parameters (or the logits they produce) already overflowed Float;
/// every later step would carry NaN on, so `Trainer` stops at once and reports this instead of
/// finishing (and writing) a NaN model.
public struct TrainingDivergence: Sendable, Equatable {
  /// What was found not to be finite.
  public enum Symptom: Sendable, Equatable {
    /// The step's summed loss as computed (NaN or ±∞).
    case nonFiniteLoss(Double)
    /// The first parameter value (by path, row-major element index) that was NaN or ±∞ after
    /// the epoch's last step; every loss of the epoch was finite.
    case nonFiniteParameter(name: String, element: Int, value: Float)
    /// Every parameter was finite after the epoch's last step, but so large that the model's
    /// outputs on the first `records` training records overflowed: their mean hard-label loss
    /// was `loss` (NaN or ±∞).
    case nonFiniteOutputs(records: Int, loss: Double)
  }

  /// 1-based epoch of the step.
  public var epoch: Int
  /// 1-based step within the epoch: the step whose loss was not finite, or for a non-finite
  /// parameter the epoch's last step (the parameters are checked once per epoch).
  public var step: Int
  /// What was not finite.
  public var symptom: Symptom
  /// The learning rate of the step.
  public var learningRate: Double

  public init(epoch: Int, step: Int, symptom: Symptom, learningRate: Double) {
    self.epoch = epoch
    self.step = step
    self.symptom = symptom
    self.learningRate = learningRate
  }

  /// A divergence at a step whose summed loss was `lossSum` (NaN or ±∞).
  public init(epoch: Int, step: Int, lossSum: Double, learningRate: Double) {
    self.init(epoch: epoch, step: step, symptom: .nonFiniteLoss(lossSum), learningRate: learningRate)
  }

  /// The step's summed loss when it was the loss that became non-finite, else `nil`.
  public var lossSum: Double? {
    if case .nonFiniteLoss(let sum) = symptom { return sum }
    return nil
  }
}
