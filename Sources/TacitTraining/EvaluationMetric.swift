import TacitNN

/// What an end-of-epoch (or final) evaluation measures (`Evaluation.evaluate(_:on:metric:)`).
public enum EvaluationMetric: Sendable {
  /// Classification: logits `[B, K]`, class labels; the mean per-example cross-entropy and the
  /// accuracy.
  case classification(SoftmaxCrossEntropy)
  /// Next-token prediction: logits `[B, T, V]` of token records `[B, T]` (right-padded with
  /// `GPT2.paddingToken`); the loss in nats per predicted token, the next-token accuracy, the
  /// perplexity `exp(loss)` and bits per byte. `tokenByteLengths[v]` is the number of bytes of
  /// text token `v` stands for (0 for BOS and EOS), so a record's bytes are the sum over its
  /// tokens.
  case nextToken(tokenByteLengths: [Int])

  /// The classification metric with plain cross-entropy.
  public static let classification = EvaluationMetric.classification(SoftmaxCrossEntropy())
}
