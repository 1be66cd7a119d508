import TacitNN
import TacitTensor
import Testing

@Suite struct ChannelStandardizationTests {
  /// `(x − μ[c])·s[c]` on channel `i mod K`, for images and their flattening alike; no parameters.
  @Test func standardisesEveryValueByItsChannel() throws {
    let layer = ChannelStandardization(mean: [1, -2, 0.5], scale: [2, 0.5, 4])
    #expect(layer.parameters.isEmpty && layer.trainableLeaves.isEmpty)
    #expect(try layer.outputShape(forInput: [2, 2, 3]) == [2, 2, 3])
    #expect(try layer.outputShape(forInput: [12]) == [12])
    #expect(throws: ShapeError.self) { try layer.outputShape(forInput: [3, 2]) }
    let input = randomTensor([2, 2, 2, 3], seed: 7)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .training, generator: &generator)
    for index in input.scalars.indices {
      let channel = index % 3
      let expected = (input.scalars[index] - layer.mean[channel]) * layer.scale[channel]
      #expect(abs(output.scalars[index] - expected) <= 1e-6 * max(1, abs(expected)))
    }
    let flat = layer.forward(input.reshaped([2, 12]), mode: .inference, generator: &generator)
    #expect(flat.scalars == output.scalars)
  }

  @Test func gradientMatchesFiniteDifferences() {
    checkFiniteDifferences(
      ChannelStandardization(mean: [0.3, -0.1], scale: [1.5, 0.25]), input: randomTensor([3, 2, 2, 2], seed: 13),
      maxCoordinates: 100, "channel standardisation")
  }
}
