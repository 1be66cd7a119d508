import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct ActivationTests {
  static let functions: [(String, ActivationFunction)] = [
    ("relu", .relu),
    ("tanh", .tanh),
    ("tempered sigmoid s=2 τ=2 o=1", .temperedSigmoid(scale: 2, inverseTemperature: 2, offset: 1)),
    ("tempered sigmoid s=1.5 τ=0.7 o=0.3", .temperedSigmoid(scale: 1.5, inverseTemperature: 0.7, offset: 0.3)),
  ]

  /// The definition in Float64.
  static func reference(_ function: ActivationFunction, _ x: Double) -> Double {
    switch function {
    case .relu: return max(0, x)
    case .tanh: return Foundation.tanh(x)
    case .temperedSigmoid(let scale, let inverseTemperature, let offset):
      return Double(scale) / (1 + exp(-Double(inverseTemperature) * x)) - Double(offset)
    }
  }

  /// Values on the grid `0.05·m + 0.025`: at least 0.025 from ReLU's kink, more than the 0.01 step.
  static func input(_ shape: [Int], seed: UInt64) -> Tensor {
    var tensor = wellSeparatedTensor(shape, seed: seed)
    tensor.scalars = tensor.scalars.map { $0 + 0.025 }
    return tensor
  }

  @Test(arguments: functions.map { Labelled(label: $0.0, value: $0.1) })
  func forwardMatchesDefinition(_ sweepCase: Labelled<ActivationFunction>) {
    let layer = Activation(sweepCase.value)
    let x = Self.input([3, 2, 5], seed: 51)
    var generator = SeededGenerator(seed: 0)
    let y = layer.forward(x, mode: .inference, generator: &generator)
    #expect(y.shape == x.shape)
    expectClose(
      y.scalars.map(Double.init), x.scalars.map { Self.reference(sweepCase.value, Double($0)) },
      relative: 1e-5, absolute: 1e-6, sweepCase.label)
  }

  @Test(arguments: functions.map { Labelled(label: $0.0, value: $0.1) })
  func gradientMatchesFiniteDifferences(_ sweepCase: Labelled<ActivationFunction>) {
    checkFiniteDifferences(
      Activation(sweepCase.value), input: Self.input([3, 2, 5], seed: 52), maxCoordinates: 100, sweepCase.label)
  }

  @Test func temperedSigmoidWithScaleTwoIsTanh() {
    let x = randomTensor([40], seed: 53, scale: 2)
    var generator = SeededGenerator(seed: 0)
    let tempered = Activation(.temperedSigmoid(scale: 2, inverseTemperature: 2, offset: 1)).forward(
      x, mode: .inference, generator: &generator)
    let tanh = Activation(.tanh).forward(x, mode: .inference, generator: &generator)
    expectClose(
      tempered.scalars.map(Double.init), tanh.scalars.map(Double.init), relative: 1e-5, absolute: 1e-6, "σ-form vs tanh")
  }

  @Test func addsNoNormsAndKeepsTheShape() throws {
    let layer = Activation(.tanh)
    #expect(layer.parameters.isEmpty)
    #expect(try layer.outputShape(forInput: [4, 4, 3]) == [4, 4, 3])
    checkPerExampleBookkeeping(layer, input: randomTensor([3, 4], seed: 54), "tanh")
    checkPerExampleBookkeeping(layer, input: randomTensor([0, 4], seed: 54), "tanh, batch 0")
  }
}
