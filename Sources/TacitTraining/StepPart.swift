import TacitTensor

/// One forward and backward pass of a training step (`TrainingStep.run(parts:…)`): inputs
/// `[B, …]`, their labels (`[B]`, or empty for next-token prediction), and, when each record
/// (or privacy unit) spans several consecutive rows, their grouping (`RecordRows`).
public struct StepPart {
  public var inputs: Tensor
  public var labels: [Int32]
  public var recordRows: RecordRows?

  public init(inputs: Tensor, labels: [Int32], recordRows: RecordRows? = nil) {
    self.inputs = inputs
    self.labels = labels
    self.recordRows = recordRows
  }
}
