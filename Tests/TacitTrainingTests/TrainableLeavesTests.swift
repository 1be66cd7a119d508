import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// A composite layer for the tests: two Dense layers applied in turn inside one `Layer`, as a
/// transformer block holds several projections. Its trainable leaves are the two Dense layers.
final class TwoDense: Layer {
  let first: Dense
  let second: Dense

  init(_ first: Dense, _ second: Dense) {
    self.first = first
    self.second = second
  }

  var kind: String { "two_dense" }
  var parameters: [Parameter] { first.parameters + second.parameters }
  var trainableLeaves: [Layer] { [first, second] }

  func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    try second.outputShape(forInput: first.outputShape(forInput: inputShape))
  }

  func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    second.forward(first.forward(input, mode: mode, generator: &generator), mode: mode, generator: &generator)
  }

  func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let middle = second.backward(outputGradient, needsInputGradient: true) else {
      preconditionFailure("Dense returns its input gradient when asked")
    }
    return first.backward(middle, needsInputGradient: needsInputGradient)
  }

  func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    first.addGroupSquaredNorms(into: &norms, groupSize: groupSize)
    second.addGroupSquaredNorms(into: &norms, groupSize: groupSize)
  }

  func accumulateGradients(weights: ExampleWeights) {
    first.accumulateGradients(weights: weights)
    second.accumulateGradients(weights: weights)
  }

  func releaseCaches() {
    first.releaseCaches()
    second.releaseCaches()
  }
}

/// Per-layer clipping bounds every trainable leaf, the sub-layers of composite layers included.
@Suite struct TrainableLeavesTests {
  /// Dense 6→8 and Dense 8→5 (inside one composite layer when `composite`), tanh, Dense 5→4:
  /// the same three leaves and the same initial parameters either way.
  static func model(composite: Bool) throws -> Sequential {
    var generator = SeededGenerator(seed: 12)
    let first = Dense(inputCount: 6, outputCount: 8, generator: &generator)
    let second = Dense(inputCount: 8, outputCount: 5, generator: &generator)
    let last = Dense(inputCount: 5, outputCount: 4, generator: &generator)
    let layers: [Layer] =
      composite ? [TwoDense(first, second), Activation(.tanh), last] : [first, second, Activation(.tanh), last]
    return try Sequential(layers, inputShape: [6])
  }

  /// The leaves' sizes: 6·8 + 8, 8·5 + 5, 5·4 + 4 parameters.
  static let leafRanges = [0..<56, 56..<101, 101..<125]

  @Test func leavesFlattenCompositeLayersAndSkipParameterFreeOnes() throws {
    let model = try Self.model(composite: true)
    #expect(model.layers.filter { !$0.parameters.isEmpty }.count == 2)
    let leaves = model.trainableLeaves
    #expect(leaves.count == 3)
    let composite = try #require(model.layers[0] as? TwoDense)
    #expect(leaves[0] === composite.first && leaves[1] === composite.second && leaves[2] === model.layers[2])
    // The leaves' parameters, concatenated, are the model's, in order.
    #expect(zip(leaves.flatMap(\.parameters), model.parameters).allSatisfy { $0 === $1 })
    #expect(Activation(.tanh).trainableLeaves.isEmpty)
    var generator = SeededGenerator(seed: 0)
    let dense = Dense(inputCount: 2, outputCount: 2, generator: &generator)
    #expect(dense.trainableLeaves.count == 1 && dense.trainableLeaves[0] === dense)
  }

  @Test func perLayerBoundIsCOverRootL() {
    #expect(DPSGDSettings.perLayerBound(maxGradNorm: 1.5, leafCount: 4) == 0.75)
    #expect(DPSGDSettings.perLayerBound(maxGradNorm: 2, leafCount: 0) == 2)
    let settings = DPSGDSettings(maxGradNorm: 0.5, noiseMultiplier: 1, expectedBatchSize: 10)
    #expect(settings.perLayerBound(leafCount: 3) == 0.5 / 3.0.squareRoot())
  }

  /// The batch-of-one oracle: each example's gradient, cut into the three leaves' blocks, each
  /// block clipped to C/√3, summed and divided by E.
  @Test func compositeLeavesAreClippedOneByOne() throws {
    let batch = 7
    let (inputs, labels) = randomBatch(batch)
    let maxGradNorm: Float = 2  // C/√3 ≈ 1.15, within the blocks' norms (0.58 to 1.90)
    let settings = DPSGDSettings(maxGradNorm: maxGradNorm, noiseMultiplier: 0, expectedBatchSize: 10, clipping: .perLayer)
    let update = appliedUpdate(
      try Self.model(composite: true), inputs: inputs, labels: labels, mode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: 2)))
    let bound = Double(maxGradNorm) / 3.0.squareRoot()
    var expected = [Double](repeating: 0, count: update.count)
    var clippedBlocks = 0
    for index in 0..<batch {
      let gradient = exampleGradient(try Self.model(composite: true), inputs, labels, index: index)
      for range in Self.leafRanges {
        let factor = min(1, bound / norm(gradient[range]))
        if factor < 1 { clippedBlocks += 1 }
        for i in range { expected[i] += factor * gradient[i] / 10 }
      }
    }
    // Clipping is active in some blocks and not in all: the oracle tells the leaves apart.
    #expect(clippedBlocks > 0 && clippedBlocks < 3 * batch, "\(clippedBlocks) of \(3 * batch) blocks clipped")
    let error = zip(update, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(error < 1e-5, "max error \(error)")
  }

  /// Wrapping two layers in a composite changes nothing: the per-layer-clipped DP-SGD update is
  /// bit for bit the one of the same layers listed one by one.
  @Test func compositeModelStepsExactlyAsItsFlatEquivalent() throws {
    let (inputs, labels) = randomBatch(9)
    let settings = DPSGDSettings(maxGradNorm: 0.1, noiseMultiplier: 0.7, expectedBatchSize: 8, clipping: .perLayer)
    let composite = appliedUpdate(
      try Self.model(composite: true), inputs: inputs, labels: labels, mode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: 4)))
    let flat = appliedUpdate(
      try Self.model(composite: false), inputs: inputs, labels: labels, mode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: 4)))
    #expect(composite == flat)
  }
}
