import TacitNN
import TacitTensor
import Testing

@Suite struct TokenEmbeddingTests {
  static func makeLayer(vocabulary: Int = 12, width: Int = 6, seed: UInt64 = 91) -> TokenEmbedding {
    var generator = SeededGenerator(seed: seed)
    return TokenEmbedding(vocabularySize: vocabulary, width: width, standardDeviation: 1, generator: &generator)
  }

  @Test func forwardLooksUpRowsAndZeroesPadding() throws {
    let layer = Self.makeLayer()
    let ids = Tensor(shape: [2, 3], scalars: [3, 0, 3, 11, -1, -1])
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(ids, mode: .inference, generator: &generator)
    #expect(output.shape == [2, 3, 6])
    let w = layer.weight.value.scalars
    for (position, id) in [3, 0, 3, 11].enumerated() {
      #expect(Array(output.scalars[(position * 6)..<(position * 6 + 6)]) == Array(w[(id * 6)..<(id * 6 + 6)]))
    }
    #expect(output.scalars[24...].allSatisfy { $0 == 0 })
    #expect(try layer.outputShape(forInput: [5]) == [5, 6])
    #expect(layer.weight.isDecayed && layer.parameters.map(\.name) == ["weight"])
  }

  @Test func weightGradientMatchesFiniteDifferences() {
    let ids = paddedTokens(lengths: [4, 2, 5], positions: 5, vocabulary: 12, seed: 92)
    checkFiniteDifferences(Self.makeLayer(), input: ids, maxCoordinates: 72, probesInput: false, "embedding")
  }

  @Test(arguments: [1, 2, 3])
  func groupNormsMatchBatchOfOneWithMixedLengths(groupSize: Int) {
    let lengths = [6, 1, 4, 9, 3, 6]
    let ids = paddedTokens(lengths: lengths, positions: 9, vocabulary: 12, seed: 93)
    let error = checkPaddedBookkeeping(Self.makeLayer(), input: ids, lengths: lengths, groupSize: groupSize, "embedding")
    #expect(error <= 1e-4)
  }

  /// Equal tokens share a row: a record of one token repeated has norm ‖Σ_s δ_s‖², not Σ_s ‖δ_s‖².
  @Test func repeatedTokensInteract() {
    let layer = Self.makeLayer(width: 2)
    var generator = SeededGenerator(seed: 0)
    _ = layer.forward(Tensor(shape: [1, 3], scalars: [5, 5, 5]), mode: .training, generator: &generator)
    _ = layer.backward(Tensor(shape: [1, 3, 2], scalars: [1, 2, 3, -1, 0.5, 0.5]), needsInputGradient: false)
    var norms = [0.0]
    layer.addGroupSquaredNorms(into: &norms, groupSize: 1)
    #expect(abs(norms[0] - (4.5 * 4.5 + 1.5 * 1.5)) < 1e-5)
  }
}
