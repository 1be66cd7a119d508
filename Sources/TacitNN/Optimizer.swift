import TacitTensor

/// A rule that turns each parameter's gradient into an in-place update of its value.
///
/// An optimizer reads `parameter.gradient` (already clipped, noised and averaged by the trainer
/// under DP, so the update is post-processing and costs no privacy) and writes only
/// `parameter.value`; it never touches the gradient. Per-parameter state (velocities, moments) is
/// keyed by `ObjectIdentifier(parameter)`; the optimizer keeps a strong reference to every
/// parameter it has state for, so an identifier can never be reused by another object while the
/// state exists. Passing the same parameters in a different order, or a subset of them, is
/// allowed: each keeps its own state.
///
/// The learning rate is passed per call so that a `LearningRateSchedule` can drive it.
public protocol Optimizer: AnyObject {
  /// Updates every parameter's `value` in place from its `gradient`.
  ///
  /// - Precondition: each parameter's gradient has the shape of its value, and that shape has
  ///   not changed since the optimizer first saw the parameter.
  func update(_ parameters: [Parameter], learningRate: Float)

  /// The state of each of `parameters`, in order (`OptimizerParameterState`), `nil` for one the
  /// optimizer keeps no state for (not updated yet, or plain SGD): what a checkpoint saves.
  func savedState(of parameters: [Parameter]) -> [OptimizerParameterState?]

  /// Replaces the state of `parameters` with `states` (from `savedState(of:)` of an optimizer of
  /// the same kind and settings, for parameters of the same shapes).
  func restoreState(_ states: [OptimizerParameterState?], of parameters: [Parameter])
}

/// Per-parameter optimizer state: the parameter (kept alive so its identifier stays unique) and
/// up to two buffers of the parameter's size, zero-initialised (separate stored properties so
/// both can be borrowed at once).
final class OptimizerSlots {
  let parameter: Parameter
  /// SGD's velocity; Adam's first moment.
  var first: [Float]
  /// Adam's second moment (empty for SGD).
  var second: [Float]
  /// The number of updates applied to this parameter so far.
  var step = 0

  init(parameter: Parameter, slotCount: Int) {
    precondition(slotCount == 1 || slotCount == 2, "optimizer slots: 1 or 2 buffers, got \(slotCount)")
    self.parameter = parameter
    first = [Float](repeating: 0, count: parameter.value.count)
    second = slotCount == 2 ? first : []
  }
}

extension [ObjectIdentifier: OptimizerSlots] {
  /// The state for `parameter`, created with `slotCount` zero buffers on first use.
  mutating func slots(for parameter: Parameter, slotCount: Int) -> OptimizerSlots {
    precondition(
      parameter.gradient.shape == parameter.value.shape,
      "optimizer: parameter '\(parameter.name)' has value \(parameter.value.shape) but gradient \(parameter.gradient.shape)")
    let key = ObjectIdentifier(parameter)
    if let existing = self[key] {
      precondition(
        existing.first.count == parameter.value.count,
        "optimizer: parameter '\(parameter.name)' changed size to \(parameter.value.count) after the first update")
      return existing
    }
    let created = OptimizerSlots(parameter: parameter, slotCount: slotCount)
    self[key] = created
    return created
  }
}
