import TacitTensor

/// A trainable tensor and the gradient accumulated for it.
///
/// Layers own their parameters; `Sequential` names them by path (`layers.3.weight`), which is the
/// name used in checkpoints and optimizer state.
public final class Parameter {
  /// The parameter's name within its layer (`weight`, `bias`, `scale`, `offset`).
  public let name: String
  /// The current value.
  public var value: Tensor
  /// The accumulated gradient, same shape as `value`; layers add to it, the trainer zeroes it.
  public var gradient: Tensor
  /// Whether L1/L2 penalties apply (weights yes; biases and normalisation parameters no, as is
  /// conventional).
  public let isDecayed: Bool

  /// A parameter with the given initial value and a zero gradient.
  public init(name: String, value: Tensor, isDecayed: Bool) {
    self.name = name
    self.value = value
    self.gradient = Tensor(shape: value.shape)
    self.isDecayed = isDecayed
  }
}
