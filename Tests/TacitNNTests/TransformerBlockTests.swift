import TacitNN
import TacitTensor
import Testing

@Suite struct TransformerBlockTests {
  /// A block with non-trivial LayerNorm parameters and weights large enough to be non-linear.
  static func makeBlock(width: Int = 8, heads: Int = 2, seed: UInt64 = 131) -> TransformerBlock {
    var generator = SeededGenerator(seed: seed)
    let block = TransformerBlock(width: width, headCount: heads, generator: &generator)
    for (index, norm) in [block.firstNorm, block.secondNorm].enumerated() {
      norm.weight.value.scalars = randomTensor([width], seed: seed &+ UInt64(index), scale: 0.3).scalars.map { $0 + 1 }
      norm.bias.value = randomTensor([width], seed: seed &+ 10 &+ UInt64(index), scale: 0.3)
    }
    return block
  }

  @Test func gradientsMatchFiniteDifferences() {
    checkFiniteDifferences(Self.makeBlock(), input: randomTensor([2, 5, 8], seed: 132), maxCoordinates: 50, "block")
  }

  @Test(arguments: [1, 2, 3])
  func groupNormsMatchBatchOfOneWithMixedLengths(groupSize: Int) {
    let lengths = [6, 1, 4, 6, 3, 2]
    let error = checkPaddedBookkeeping(
      Self.makeBlock(), input: randomTensor([6, 6, 8], seed: 133), lengths: lengths, groupSize: groupSize, "block")
    #expect(error <= 1e-4)
  }

  @Test func leavesConcatenateToParametersAndAreNamed() {
    let block = Self.makeBlock()
    #expect(block.trainableLeaves.count == 6)
    #expect(block.trainableLeaves.flatMap(\.parameters).map(ObjectIdentifier.init) == block.parameters.map(ObjectIdentifier.init))
    #expect(
      block.namedParameters.map(\.name) == [
        "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias",
        "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias",
      ])
    #expect(block.namedParameters.map { ObjectIdentifier($0.parameter) } == block.parameters.map(ObjectIdentifier.init))
  }

  /// Each leaf's norms sum to the block's (leaf-by-leaf clipping sees the same totals).
  @Test func leafNormsSumToBlockNorms() {
    let block = Self.makeBlock()
    var generator = SeededGenerator(seed: 0)
    let input = randomTensor([3, 4, 8], seed: 134)
    let output = block.forward(input, mode: .training, generator: &generator)
    _ = block.backward(randomTensor(output.shape, seed: 135), needsInputGradient: false)
    var total = [Double](repeating: 0, count: 3)
    block.addGroupSquaredNorms(into: &total, groupSize: 1)
    var leafSum = [Double](repeating: 0, count: 3)
    for leaf in block.trainableLeaves { leaf.addGroupSquaredNorms(into: &leafSum, groupSize: 1) }
    #expect(total == leafSum)
  }
}
