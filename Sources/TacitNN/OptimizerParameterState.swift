/// One parameter's optimizer state, saved in a training checkpoint and restored when the run
/// resumes, so that the resumed updates are bit for bit those of an uninterrupted run.
///
/// `first` is SGD's velocity or Adam's first moment, `second` Adam's second moment (empty for
/// SGD), each with the parameter's element count (row-major, as `Parameter.value`); `step` the
/// number of updates applied to the parameter (Adam's bias corrections depend on it).
public struct OptimizerParameterState: Sendable, Equatable {
  public var first: [Float]
  public var second: [Float]
  public var step: Int

  public init(first: [Float], second: [Float], step: Int) {
    self.first = first
    self.second = second
    self.step = step
  }
}

extension [ObjectIdentifier: OptimizerSlots] {
  /// The state of each of `parameters`, in order; `nil` for one without state yet.
  func saved(_ parameters: [Parameter]) -> [OptimizerParameterState?] {
    parameters.map { parameter in
      self[ObjectIdentifier(parameter)].map { OptimizerParameterState(first: $0.first, second: $0.second, step: $0.step) }
    }
  }

  /// Replaces the state of `parameters` with `states` (from `saved`), each with `slotCount`
  /// buffers of its parameter's size; a `nil` state drops the parameter's state.
  mutating func restore(_ states: [OptimizerParameterState?], of parameters: [Parameter], slotCount: Int) {
    precondition(states.count == parameters.count, "\(states.count) optimizer states for \(parameters.count) parameters")
    for (parameter, saved) in zip(parameters, states) {
      let key = ObjectIdentifier(parameter)
      guard let saved else {
        self[key] = nil
        continue
      }
      let count = parameter.value.count
      precondition(
        saved.first.count == count && saved.second.count == (slotCount == 2 ? count : 0),
        "optimizer state of '\(parameter.name)': \(saved.first.count)/\(saved.second.count) values for \(count) elements")
      let slots = OptimizerSlots(parameter: parameter, slotCount: slotCount)
      slots.first = saved.first
      slots.second = saved.second
      slots.step = saved.step
      self[key] = slots
    }
  }
}
