import TacitTensor

/// Adam (Kingma & Ba 2015) with bias correction, as PyTorch's `torch.optim.Adam`
/// (`amsgrad = False`, `weight_decay = 0`).
///
/// With gradient `g`, step count `t` (1 on the first update of a parameter), first and second
/// moments `m`, `v` (zero before the first step), elementwise:
///
///     m ← β₁ m + (1 − β₁) g
///     v ← β₂ v + (1 − β₂) g²
///     p ← p − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// Note `ε` is added after the bias-corrected square root, as PyTorch (not the paper's
/// "ε̂" variant). State: two buffers and a step count per parameter.
public final class Adam: Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  private var state: [ObjectIdentifier: OptimizerSlots] = [:]

  /// - Precondition: `0 ≤ β₁, β₂ < 1` and `ε > 0`.
  public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
    AdamStep.check(beta1: beta1, beta2: beta2, epsilon: epsilon)
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  public func savedState(of parameters: [Parameter]) -> [OptimizerParameterState?] { state.saved(parameters) }

  public func restoreState(_ states: [OptimizerParameterState?], of parameters: [Parameter]) {
    state.restore(states, of: parameters, slotCount: 2)
  }

  public func update(_ parameters: [Parameter], learningRate: Float) {
    AdamStep.update(parameters, state: &state, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
  }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), as PyTorch's `torch.optim.AdamW`.
///
/// Each step first shrinks the parameter, `p ← p − η λ p` (equivalently `p ← (1 − η λ) p`), then
/// applies the `Adam` update above. The decay applies only to parameters with `isDecayed`
/// (weights), never to biases and normalisation parameters, as is conventional (PyTorch would
/// need two parameter groups for this). The decay does not read data: under DP it is
/// post-processing and costs no privacy.
public final class AdamW: Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  /// The decoupled decay coefficient `λ` (PyTorch's default 0.01).
  public let weightDecay: Float
  private var state: [ObjectIdentifier: OptimizerSlots] = [:]

  /// - Precondition: `0 ≤ β₁, β₂ < 1`, `ε > 0` and `λ ≥ 0`.
  public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
    precondition(weightDecay >= 0, "AdamW weight decay must be non-negative, got \(weightDecay)")
    AdamStep.check(beta1: beta1, beta2: beta2, epsilon: epsilon)
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  public func savedState(of parameters: [Parameter]) -> [OptimizerParameterState?] { state.saved(parameters) }

  public func restoreState(_ states: [OptimizerParameterState?], of parameters: [Parameter]) {
    state.restore(states, of: parameters, slotCount: 2)
  }

  public func update(_ parameters: [Parameter], learningRate: Float) {
    AdamStep.update(
      parameters, state: &state, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
      weightDecay: weightDecay)
  }
}

/// The shared Adam/AdamW kernel.
enum AdamStep {
  static func check(beta1: Float, beta2: Float, epsilon: Float) {
    precondition(beta1 >= 0 && beta1 < 1, "Adam beta1 must be in [0, 1), got \(beta1)")
    precondition(beta2 >= 0 && beta2 < 1, "Adam beta2 must be in [0, 1), got \(beta2)")
    precondition(epsilon > 0, "Adam epsilon must be positive, got \(epsilon)")
  }

  /// One step on each of `parameters`, with their moments in `state`; the decoupled decay
  /// `weightDecay` (0: none, plain Adam) applies to the parameters with `isDecayed` only.
  static func update(
    _ parameters: [Parameter], state: inout [ObjectIdentifier: OptimizerSlots], learningRate: Float,
    beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float = 0
  ) {
    for parameter in parameters {
      apply(
        to: parameter, slots: state.slots(for: parameter, slotCount: 2), learningRate: learningRate,
        beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: parameter.isDecayed ? weightDecay : 0)
    }
  }

  /// One step on one parameter; `slots.first` is `m`, `slots.second` is `v`.
  static func apply(
    to parameter: Parameter, slots: OptimizerSlots, learningRate: Float,
    beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
  ) {
    slots.step += 1
    // Bias corrections in Float64: β₂ᵗ is close to 1 for many steps.
    let correction1 = 1 - power(Double(beta1), slots.step)
    let correction2 = 1 - power(Double(beta2), slots.step)
    let stepSize = Float(Double(learningRate) / correction1)
    let inverseRootCorrection2 = Float(1 / correction2.squareRoot())
    let decayFactor = 1 - learningRate * weightDecay
    let n = parameter.value.count
    parameter.value.scalars.withUnsafeMutableBufferPointer { p in
      parameter.gradient.scalars.withUnsafeBufferPointer { g in
        slots.first.withUnsafeMutableBufferPointer { m in
          slots.second.withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
              let gradient = g[i]
              let first = beta1 * m[i] + (1 - beta1) * gradient
              let second = beta2 * v[i] + (1 - beta2) * gradient * gradient
              m[i] = first
              v[i] = second
              let denominator = second.squareRoot() * inverseRootCorrection2 + epsilon
              p[i] = p[i] * decayFactor - stepSize * first / denominator
            }
          }
        }
      }
    }
  }

  /// `base^exponent` for a non-negative integer exponent, by repeated squaring.
  static func power(_ base: Double, _ exponent: Int) -> Double {
    var result = 1.0
    var factor = base
    var remaining = exponent
    while remaining > 0 {
      if remaining & 1 == 1 { result *= factor }
      factor *= factor
      remaining >>= 1
    }
    return result
  }
}
