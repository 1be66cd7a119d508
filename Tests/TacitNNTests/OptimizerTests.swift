import TacitTensor
import Testing

@testable import TacitNN

/// Optimizer steps against values computed by hand (SGD) or by an independent float64 NumPy
/// transcription of PyTorch's update rules (Adam, AdamW), over three steps.
///
/// Shared setting: p₀ = [1, −2], gradients g₁ = [0.5, −1], g₂ = [0.25, 2], g₃ = [−1, 0.5], η = 0.1.
struct OptimizerTests {
  static let initial: [Float] = [1, -2]
  static let gradients: [[Float]] = [[0.5, -1], [0.25, 2], [-1, 0.5]]

  /// Runs three steps and returns the value after each.
  static func trajectory(_ optimizer: Optimizer, isDecayed: Bool = true) -> [[Float]] {
    let parameter = Parameter(name: "weight", value: Tensor(shape: [2], scalars: initial), isDecayed: isDecayed)
    var values: [[Float]] = []
    for gradient in gradients {
      parameter.gradient = Tensor(shape: [2], scalars: gradient)
      optimizer.update([parameter], learningRate: 0.1)
      #expect(parameter.gradient.scalars == gradient, "optimizers must not write the gradient")
      values.append(parameter.value.scalars)
    }
    return values
  }

  static func expectClose(_ actual: [[Float]], _ expected: [[Double]], tolerance: Double = 1e-6) {
    #expect(actual.count == expected.count)
    for (step, (a, e)) in zip(actual, expected).enumerated() {
      for (index, (x, y)) in zip(a, e).enumerated() {
        #expect(abs(Double(x) - y) <= tolerance, "step \(step + 1), element \(index): \(x) vs \(y)")
      }
    }
  }

  @Test func plainSGD() {
    // p ← p − 0.1 g.
    Self.expectClose(Self.trajectory(SGD()), [[0.95, -1.9], [0.925, -2.1], [1.025, -2.15]])
  }

  @Test func momentumSGD() {
    // v₁ = [0.5, −1], v₂ = 0.9 v₁ + g₂ = [0.7, 1.1], v₃ = 0.9 v₂ + g₃ = [−0.37, 1.49]; p ← p − 0.1 v.
    Self.expectClose(Self.trajectory(SGD(momentum: 0.9)), [[0.95, -1.9], [0.88, -2.01], [0.917, -2.159]])
  }

  @Test func nesterovSGD() {
    // p ← p − 0.1 (g + 0.9 v) with the same velocities:
    // 0.1·[0.95, −1.9], 0.1·[0.88, 2.99], 0.1·[−1.333, 1.841].
    Self.expectClose(
      Self.trajectory(SGD(momentum: 0.9, nesterov: true)), [[0.905, -1.81], [0.817, -2.109], [0.9503, -2.2931]])
  }

  @Test func adam() {
    // First step of Adam moves every coordinate by η·sign(g) (up to ε): [0.9, −1.9].
    Self.expectClose(
      Self.trajectory(Adam()),
      [
        [0.900000002, -1.900000001],
        [0.8067820404774624, -1.9366103534720749],
        [0.8274177428854115, -1.9781754731467738],
      ])
  }

  @Test func adamWDecaysOnlyDecayedParameters() {
    let decayed = Self.trajectory(AdamW(weightDecay: 0.1), isDecayed: true)
    // First step: p ← 0.99 p − 0.1 sign(g) = [0.89, −1.88].
    Self.expectClose(
      decayed,
      [
        [0.890000002, -1.880000001],
        [0.7878820404574624, -1.897810353462075],
        [0.8006389224608368, -1.920397369602153],
      ])
    // Not decayed (a bias): exactly Adam.
    #expect(Self.trajectory(AdamW(weightDecay: 0.1), isDecayed: false) == Self.trajectory(Adam()))
    // Zero decay: exactly Adam.
    #expect(Self.trajectory(AdamW(weightDecay: 0)) == Self.trajectory(Adam()))
  }

  @Test func stateIsKeptPerParameter() {
    // Two parameters updated together follow the same trajectories as when updated alone.
    for makeOptimizer in [{ SGD(momentum: 0.9) as Optimizer }, { Adam() as Optimizer }] {
      let optimizer = makeOptimizer()
      let first = Parameter(name: "weight", value: Tensor(shape: [2], scalars: Self.initial), isDecayed: true)
      let second = Parameter(name: "bias", value: Tensor(shape: [1], scalars: [3]), isDecayed: false)
      for (step, gradient) in Self.gradients.enumerated() {
        first.gradient = Tensor(shape: [2], scalars: gradient)
        second.gradient = Tensor(shape: [1], scalars: [Float(step) - 1])
        // Alternate the order: state must follow the parameter, not its position.
        optimizer.update(step % 2 == 0 ? [first, second] : [second, first], learningRate: 0.1)
      }
      #expect(first.value.scalars == Self.trajectory(makeOptimizer()).last!)

      let alone = Parameter(name: "bias", value: Tensor(shape: [1], scalars: [3]), isDecayed: false)
      let reference = makeOptimizer()
      for step in 0..<3 {
        alone.gradient = Tensor(shape: [1], scalars: [Float(step) - 1])
        reference.update([alone], learningRate: 0.1)
      }
      #expect(second.value.scalars == alone.value.scalars)
    }
  }

  @Test func learningRateScalesPlainSGDStep() {
    let parameter = Parameter(name: "weight", value: Tensor(shape: [3], scalars: [1, 2, 3]), isDecayed: true)
    parameter.gradient = Tensor(shape: [3], scalars: [1, -1, 0.5])
    SGD().update([parameter], learningRate: 0.5)
    #expect(parameter.value.scalars == [0.5, 2.5, 2.75])
  }
}
