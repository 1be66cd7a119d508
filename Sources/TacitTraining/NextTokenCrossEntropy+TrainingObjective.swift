import TacitNN
import TacitTensor

/// Next-token cross-entropy as a step's objective: logits `[B, T, V]`, the batch's token records
/// `[B, T]` as `inputs` (right-padded with `GPT2.paddingToken`; the targets are the inputs shifted
/// by one), no labels. A record's loss is the mean over its predicted tokens, so every record
/// weighs the same in the step whatever its length, and its gradient is clipped as one unit (the
/// record is the privacy unit). There is no notion of a correct prediction per record: `correct`
/// is `nil` (the evaluations report next-token accuracy instead, `EvaluationMetric.nextToken`).
extension NextTokenCrossEntropy: TrainingObjective {
  public func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    let (losses, gradient) = lossesAndGradient(logits: logits, tokens: inputs)
    return ObjectiveResult(losses: losses, logitGradient: gradient, correct: nil)
  }
}
