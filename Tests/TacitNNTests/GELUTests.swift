import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct GELUTests {
  /// `½x(1 + tanh(√(2/π)(x + 0.044715x³)))` in Float64.
  static func reference(_ x: Double) -> Double {
    0.5 * x * (1 + tanh((2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
  }

  @Test func forwardMatchesTanhForm() {
    let input = Tensor(shape: [1, 9], scalars: [-6, -3, -1.5, -0.5, 0, 0.25, 1, 2.5, 9])
    var generator = SeededGenerator(seed: 0)
    let output = GELU().forward(input, mode: .inference, generator: &generator)
    #expect(output.shape == input.shape)
    expectClose(
      output.scalars.map(Double.init), input.scalars.map { Self.reference(Double($0)) }, relative: 1e-5, absolute: 1e-6,
      "gelu_new")
    #expect(GELU().parameters.isEmpty && GELU().trainableLeaves.isEmpty)
  }

  @Test func gradientMatchesFiniteDifferences() {
    checkFiniteDifferences(GELU(), input: randomTensor([2, 3, 7], seed: 85, scale: 2), step: 1e-2, maxCoordinates: 42, "gelu")
  }
}
