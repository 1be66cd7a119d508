import TacitNN
import TacitTensor

/// A teacher for a training step: as the step's `TrainingObjective`, the student's loss is
/// `DistillationLoss` against the teacher's logits on the very inputs of the batch (after
/// augmentation, so student and teacher see the same images). The teacher's output shape must
/// equal the student's.
///
/// The teacher runs in inference mode and is never updated. Under DP-SGD the teacher's logits on
/// a record are a function of that record, so clipping and noise cover them with the record: the
/// student's ε is about its transfer set. It says nothing about the records the teacher was
/// trained on, which reach the student through the teacher's parameters.
///
/// A teacher's forward pass keeps per-layer caches: one `Distillation` (one teacher instance)
/// per training thread.
public struct Distillation {
  /// The trained teacher; its output shape must equal the student's.
  public let teacher: Sequential
  /// Temperature T and soft-label weight α.
  public let loss: DistillationLoss

  public init(teacher: Sequential, loss: DistillationLoss) {
    self.teacher = teacher
    self.loss = loss
  }

  /// The teacher's logits on `inputs` (`[B, …]` → `[B, K]`).
  func teacherLogits(_ inputs: Tensor) -> Tensor {
    var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
    return teacher.forward(inputs, mode: .inference, generator: &generator)
  }
}
