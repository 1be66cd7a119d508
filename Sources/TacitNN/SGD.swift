import TacitTensor

/// Stochastic gradient descent with optional (Nesterov) momentum, PyTorch's `torch.optim.SGD`
/// with `dampening = 0` and `weight_decay = 0` (use `Regularization` for penalties).
///
/// With gradient `g`, velocity `v` (zero before the first step), momentum `μ` and learning rate
/// `η`, each step does, elementwise:
/// - plain (`μ = 0`): `p ← p − η g`;
/// - momentum: `v ← μ v + g`, `p ← p − η v` (Sutskever et al. 2013, as PyTorch; the first step
///   gives `v = g`);
/// - Nesterov: `v ← μ v + g`, `p ← p − η (g + μ v)`.
///
/// Cost: one pass over each parameter; state: one buffer per parameter when `μ > 0`.
public final class SGD: Optimizer {
  /// The momentum coefficient `μ ∈ [0, 1)`.
  public let momentum: Float
  /// Whether to use Nesterov's look-ahead form.
  public let nesterov: Bool
  private var state: [ObjectIdentifier: OptimizerSlots] = [:]

  /// - Precondition: `0 ≤ momentum < 1`; Nesterov needs `momentum > 0` (as in PyTorch).
  public init(momentum: Float = 0, nesterov: Bool = false) {
    precondition(momentum >= 0 && momentum < 1, "SGD momentum must be in [0, 1), got \(momentum)")
    precondition(!nesterov || momentum > 0, "Nesterov SGD needs a positive momentum, got \(momentum)")
    self.momentum = momentum
    self.nesterov = nesterov
  }

  public func savedState(of parameters: [Parameter]) -> [OptimizerParameterState?] { state.saved(parameters) }

  public func restoreState(_ states: [OptimizerParameterState?], of parameters: [Parameter]) {
    state.restore(states, of: parameters, slotCount: 1)
  }

  public func update(_ parameters: [Parameter], learningRate: Float) {
    for parameter in parameters {
      if momentum == 0 {
        precondition(
          parameter.gradient.shape == parameter.value.shape,
          "SGD: parameter '\(parameter.name)' has value \(parameter.value.shape) but gradient \(parameter.gradient.shape)")
        parameter.value.add(parameter.gradient, scaledBy: -learningRate)
        continue
      }
      let slots = state.slots(for: parameter, slotCount: 1)
      slots.step += 1
      let mu = momentum
      let rate = learningRate
      let nesterov = nesterov
      let n = parameter.value.count
      parameter.value.scalars.withUnsafeMutableBufferPointer { p in
        parameter.gradient.scalars.withUnsafeBufferPointer { g in
          slots.first.withUnsafeMutableBufferPointer { v in
            if nesterov {
              for i in 0..<n {
                let velocity = mu * v[i] + g[i]
                v[i] = velocity
                p[i] -= rate * (g[i] + mu * velocity)
              }
            } else {
              for i in 0..<n {
                let velocity = mu * v[i] + g[i]
                v[i] = velocity
                p[i] -= rate * velocity
              }
            }
          }
        }
      }
    }
  }
}
