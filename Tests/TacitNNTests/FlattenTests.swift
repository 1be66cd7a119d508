import TacitNN
import TacitTensor
import Testing

@Suite struct FlattenTests {
  @Test func flattensChannelsLastImagesInRowMajorOrder() throws {
    let layer = Flatten()
    #expect(try layer.outputShape(forInput: [2, 3, 2]) == [12])
    let input = Tensor(shape: [2, 2, 3, 2], scalars: (0..<24).map(Float.init))
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .training, generator: &generator)
    #expect(output.shape == [2, 12])
    // Example 1, pixel (y=1, x=2), channel 1 sits at 12 + (1·3 + 2)·2 + 1 = 23.
    #expect(output.scalars[12 + 11] == 23)
    let gradient = layer.backward(output, needsInputGradient: true)
    #expect(gradient == input)
  }

  @Test func gradientMatchesFiniteDifferences() {
    checkFiniteDifferences(Flatten(), input: randomTensor([2, 3, 2, 2], seed: 61), maxCoordinates: 100, "flatten")
  }

  @Test func emptyBatchKeepsItsShape() {
    var generator = SeededGenerator(seed: 0)
    let output = Flatten().forward(Tensor(shape: [0, 4, 4, 2]), mode: .training, generator: &generator)
    #expect(output.shape == [0, 32])
    checkPerExampleBookkeeping(Flatten(), input: Tensor(shape: [0, 4, 4, 2]), "flatten, batch 0")
  }
}
