import TacitNN
import TacitTensor
import Testing

@Suite struct PositionEmbeddingTests {
  static func makeLayer(contextLength: Int = 9, width: Int = 5) -> PositionEmbedding {
    var generator = SeededGenerator(seed: 101)
    return PositionEmbedding(contextLength: contextLength, width: width, standardDeviation: 1, generator: &generator)
  }

  @Test func forwardAddsOneRowPerPosition() throws {
    let layer = Self.makeLayer()
    let input = randomTensor([2, 3, 5], seed: 102)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    for b in 0..<2 {
      for i in 0..<15 { #expect(output.scalars[b * 15 + i] == input.scalars[b * 15 + i] + layer.weight.value.scalars[i]) }
    }
    #expect(try layer.outputShape(forInput: [9, 5]) == [9, 5])
    #expect(throws: ShapeError.self) { try layer.outputShape(forInput: [10, 5]) }
  }

  @Test func gradientsMatchFiniteDifferences() {
    checkFiniteDifferences(Self.makeLayer(), input: randomTensor([3, 4, 5], seed: 103), maxCoordinates: 60, "wpe")
  }

  @Test(arguments: [1, 2, 3])
  func groupNormsMatchBatchOfOneWithMixedLengths(groupSize: Int) {
    let lengths = [3, 9, 1, 5, 9, 2]
    let error = checkPaddedBookkeeping(
      Self.makeLayer(), input: randomTensor([6, 9, 5], seed: 104), lengths: lengths, groupSize: groupSize, "wpe")
    #expect(error <= 1e-4)
  }
}
