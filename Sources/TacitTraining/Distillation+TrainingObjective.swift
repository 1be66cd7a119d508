import TacitNN
import TacitTensor

/// Distillation as a step's objective: `DistillationLoss` of the student's logits `[B, K]` against
/// the teacher's logits on the same `inputs` (the augmented batch), with the hard labels `[B]`;
/// the correct count is the student's, against the hard labels.
extension Distillation: TrainingObjective {
  public func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    let (losses, gradient) = loss.lossesAndGradient(logits: logits, teacherLogits: teacherLogits(inputs), labels: labels)
    return ObjectiveResult(
      losses: losses, logitGradient: gradient,
      correct: ObjectiveResult.correctClassifications(logits: logits, labels: labels))
  }
}
