import TacitTensor

/// What a training step minimises: from the model's outputs on a batch, each example's loss and
/// the gradient of that loss with respect to the outputs (`TrainingStep` back-propagates it once
/// and weights the per-example parameter gradients by 1/B, or by DP-SGD's clip factors).
///
/// **Contract.** For a batch of B examples (rows; under augmentation multiplicity, K consecutive
/// copies of each record), model outputs `Z` (training-mode forward pass), the batch `inputs` and
/// `labels`, an objective returns
///
/// - `losses[b] = ℓ_b`, example b's loss, never averaged over the batch: DP-SGD clips each
///   example's gradient and the step chooses the averaging;
/// - `logitGradient`, shaped as `Z`, whose row b is `∂ℓ_b/∂Z_b`, the gradient of example b's own
///   loss with respect to its own outputs (so `Z`'s row b enters no other example's loss);
/// - `correct`, how many predictions were right, or `nil` where accuracy has no meaning.
///
/// `ℓ_b` must depend on example b alone (its inputs, outputs and label): then `∇θ ℓ_b` is a
/// function of that record, and clipping it bounds the record's influence (a batch-coupled loss
/// such as a contrastive one would void DP-SGD's sensitivity bound). Padding must contribute
/// neither loss nor gradient.
///
/// **Shapes.** Classification (`SoftmaxCrossEntropy`, `Distillation`): `Z` is `[B, K]` logits,
/// `labels` `[B]` class indices, `correct = Σ_b 1[argmax_k Z_bk = y_b]`. A next-token language
/// model: `Z` is `[B, T, V]`, `inputs` the token ids `[B, T]`, the targets the inputs shifted by
/// one (`y_bt = x_b,t+1`), a mask `m_bt` (0 where `y_bt` is padding, and at the last position)
/// and `n_b = Σ_t m_bt`; then `ℓ_b = (1/n_b) Σ_t m_bt · (−log softmax(Z_bt)[y_bt])` (a record's
/// loss is the mean over its tokens) and `∂ℓ_b/∂Z_bt = m_bt (softmax(Z_bt) − onehot(y_bt)) / n_b`;
/// `labels` is empty.
///
/// An objective may keep state for the forward passes it makes (a teacher's caches): one
/// objective per training thread, like the model.
public protocol TrainingObjective {
  /// The per-example losses, their gradient with respect to `logits`, and the correct count, for
  /// `logits` (the model's outputs on `inputs`), `inputs` (`[B, …]`, after augmentation) and
  /// `labels` (`[B]`, or empty for an objective that needs none).
  func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult
}

/// What a `TrainingObjective` returns for one batch.
public struct ObjectiveResult: Sendable {
  /// `ℓ_b` per example, `[B]`.
  public var losses: [Float]
  /// `∂ℓ_b/∂Z_b`, shaped as the logits `Z`.
  public var logitGradient: Tensor
  /// The number of correct predictions in the batch, or `nil` when the objective has none.
  public var correct: Int?

  public init(losses: [Float], logitGradient: Tensor, correct: Int?) {
    self.losses = losses
    self.logitGradient = logitGradient
    self.correct = correct
  }

  /// `Σ_b 1[argmax_k Z_bk = y_b]` for `[B, K]` logits `Z` and class labels `y`.
  public static func correctClassifications(logits: Tensor, labels: [Int32]) -> Int {
    zip(logits.argmaxRows(), labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
  }
}
