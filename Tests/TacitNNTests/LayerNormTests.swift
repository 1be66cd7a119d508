import TacitNN
import TacitTensor
import Testing

@Suite struct LayerNormTests {
  /// A layer with non-trivial scale and offset, so their gradients are exercised.
  static func makeLayer(width: Int, seed: UInt64 = 81) -> LayerNorm {
    let layer = LayerNorm(width: width)
    layer.weight.value.scalars = randomTensor([width], seed: seed, scale: 0.5).scalars.map { $0 + 1 }
    layer.bias.value = randomTensor([width], seed: seed &+ 1, scale: 0.5)
    return layer
  }

  /// The definition in Float64, row by row.
  static func reference(_ input: Tensor, _ layer: LayerNorm) -> [Double] {
    let D = layer.width
    var output: [Double] = []
    for row in 0..<(input.count / D) {
      let x = (0..<D).map { Double(input.scalars[row * D + $0]) }
      let mean = x.reduce(0, +) / Double(D)
      let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(D)
      for i in 0..<D {
        let normalized = (x[i] - mean) / (variance + Double(layer.epsilon)).squareRoot()
        output.append(Double(layer.weight.value.scalars[i]) * normalized + Double(layer.bias.value.scalars[i]))
      }
    }
    return output
  }

  @Test func forwardMatchesDefinition() {
    let layer = Self.makeLayer(width: 6)
    let input = randomTensor([2, 3, 6], seed: 82, scale: 3)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    #expect(output.shape == input.shape)
    expectClose(output.scalars.map(Double.init), Self.reference(input, layer), relative: 1e-4, absolute: 1e-5, "[2, 3, 6]")
  }

  @Test func initialisationIsIdentityScaleAndZeroOffset() {
    let layer = LayerNorm(width: 3, epsilon: 1e-5)
    #expect(layer.parameters.map(\.name) == ["weight", "bias"])
    #expect(layer.weight.value.scalars == [1, 1, 1] && layer.bias.value.scalars == [0, 0, 0])
    #expect(!layer.weight.isDecayed && !layer.bias.isDecayed)
    #expect((try? layer.outputShape(forInput: [7, 3])) == [7, 3])
    #expect(throws: ShapeError.self) { try layer.outputShape(forInput: [7, 4]) }
  }

  @Test(arguments: [("[3, 5, 8]", [3, 5, 8]), ("[2, 6]", [2, 6])].map { Labelled(label: $0.0, value: $0.1) })
  func gradientsMatchFiniteDifferences(_ shape: Labelled<[Int]>) {
    checkFiniteDifferences(
      Self.makeLayer(width: shape.value.last!), input: randomTensor(shape.value, seed: 83), step: 1e-2, maxCoordinates: 60,
      shape.label)
  }

  @Test(arguments: [1, 2, 3])
  func groupNormsMatchBatchOfOneWithMixedLengths(groupSize: Int) {
    let lengths = [5, 2, 7, 1, 4, 7]
    let input = randomTensor([6, 7, 8], seed: 84, scale: 2)
    let error = checkPaddedBookkeeping(
      Self.makeLayer(width: 8), input: input, lengths: lengths, groupSize: groupSize, "layernorm")
    #expect(error <= 1e-4)
  }

  @Test func emptyBatchHasNoNorms() {
    checkPaddedBookkeeping(Self.makeLayer(width: 4), input: Tensor(shape: [0, 3, 4]), lengths: [], "empty batch")
  }
}
