import TacitNN
import TacitTensor

/// Cross-entropy (with label smoothing) on hard labels as a step's objective: logits `[B, K]`,
/// labels `[B]`; the inputs are not needed. See `SoftmaxCrossEntropy` for the loss and gradient.
extension SoftmaxCrossEntropy: TrainingObjective {
  public func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    let (losses, gradient) = lossesAndGradient(logits: logits, labels: labels)
    return ObjectiveResult(
      losses: losses, logitGradient: gradient,
      correct: ObjectiveResult.correctClassifications(logits: logits, labels: labels))
  }
}
