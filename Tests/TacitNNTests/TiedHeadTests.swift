import TacitNN
import TacitTensor
import Testing

/// The smallest model that uses one matrix twice: ids → wte → LayerNorm → logits `h wteᵀ`.
final class TiedEmbeddingModel: Layer {
  let kind = "tied_embedding_test"
  let embedding: TokenEmbedding
  let norm: LayerNorm

  init(vocabulary: Int, width: Int, seed: UInt64) {
    var generator = SeededGenerator(seed: seed)
    embedding = TokenEmbedding(vocabularySize: vocabulary, width: width, standardDeviation: 1, generator: &generator)
    norm = LayerNorm(width: width)
    norm.weight.value = randomTensor([width], seed: seed &+ 1, scale: 0.5)
    norm.bias.value = randomTensor([width], seed: seed &+ 2, scale: 0.5)
  }

  var parameters: [Parameter] { embedding.parameters + norm.parameters }
  var trainableLeaves: [Layer] { [embedding, norm] }
  func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape + [embedding.vocabularySize] }

  func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    let hidden = norm.forward(embedding.forward(input, mode: mode, generator: &generator), mode: mode, generator: &generator)
    return embedding.forwardHead(hidden, mode: mode)
  }

  func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    let hiddenGradient = norm.backward(embedding.backwardHead(outputGradient), needsInputGradient: true)!
    return embedding.backward(hiddenGradient, needsInputGradient: needsInputGradient)
  }

  func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    for leaf in trainableLeaves { leaf.addGroupSquaredNorms(into: &norms, groupSize: groupSize) }
  }
  func accumulateGradients(weights: ExampleWeights) {
    for leaf in trainableLeaves { leaf.accumulateGradients(weights: weights) }
  }
  func releaseCaches() {
    embedding.releaseCaches()
    norm.releaseCaches()
  }
}

@Suite struct TiedHeadTests {
  static let shapes: [(String, (vocabulary: Int, width: Int, positions: Int))] = [
    ("V=20 D=8 T=7 (materialised head norm)", (20, 8, 7)),
    ("V=64 D=8 T=5 (ghost head norm)", (64, 8, 5)),
  ]

  @Test func shapesExerciseBothHeadNormStrategies() {
    let strategies = Self.shapes.map {
      LinearGradients.strategy(positions: $0.1.positions, inputs: $0.1.width, outputs: $0.1.vocabulary)
    }
    #expect(strategies == [.materialize, .ghost])
  }

  @Test(arguments: shapes.map { Labelled(label: $0.0, value: $0.1) })
  func gradientsMatchFiniteDifferences(_ shape: Labelled<(vocabulary: Int, width: Int, positions: Int)>) {
    let (V, D, T) = shape.value
    let model = TiedEmbeddingModel(vocabulary: V, width: D, seed: 111)
    let ids = paddedTokens(lengths: [T, T - 2, 1], positions: T, vocabulary: V, seed: 112)
    checkFiniteDifferences(model, input: ids, maxCoordinates: 80, probesInput: false, shape.label)
  }

  @Test(arguments: sweep(shapes, [("groups of 1", 1), ("groups of 2", 2), ("groups of 3", 3)]))
  func groupNormsMatchBatchOfOneWithMixedLengths(
    _ sweepCase: Labelled<((vocabulary: Int, width: Int, positions: Int), Int)>
  ) {
    let ((V, D, T), groupSize) = sweepCase.value
    let lengths = [T, 2, T - 1, 1, 3, T]
    let model = TiedEmbeddingModel(vocabulary: V, width: D, seed: 113)
    let ids = paddedTokens(lengths: lengths, positions: T, vocabulary: V, seed: 114)
    let error = checkPaddedBookkeeping(model, input: ids, lengths: lengths, groupSize: groupSize, sweepCase.label)
    #expect(error <= 1e-4)
  }

  /// The closed form ‖E_b + H_b‖² with E_b[x_s] += δ_s and H_b = Σ_t g_t h_tᵀ, in Float64; and the
  /// cross term is large enough here that the sum of the two norms would fail.
  @Test func normIsTheNormOfTheSumOfBothUses() {
    let V = 6, D = 3, T = 4
    var generator = SeededGenerator(seed: 115)
    let layer = TokenEmbedding(vocabularySize: V, width: D, standardDeviation: 1, generator: &generator)
    let ids = Tensor(shape: [2, T], scalars: [1, 4, 1, 2, 5, 5, 0, -1])
    let hidden = randomTensor([2, T, D], seed: 116)
    let logitGradient = settingPadding(randomTensor([2, T, V], seed: 117), lengths: [4, 3], to: 0)
    let delta = settingPadding(randomTensor([2, T, D], seed: 118), lengths: [4, 3], to: 0)
    _ = layer.forward(ids, mode: .training, generator: &generator)
    _ = layer.forwardHead(hidden, mode: .training)
    _ = layer.backwardHead(logitGradient)
    _ = layer.backward(delta, needsInputGradient: false)
    var norms = [0.0, 0.0]
    layer.addGroupSquaredNorms(into: &norms, groupSize: 1)
    for b in 0..<2 {
      var embeddingUse = [Double](repeating: 0, count: V * D), headUse = embeddingUse
      for t in 0..<T {
        let id = Int(ids.scalars[b * T + t])
        for i in 0..<D {
          if id >= 0 { embeddingUse[id * D + i] += Double(delta.scalars[(b * T + t) * D + i]) }
          for v in 0..<V {
            headUse[v * D + i] += Double(logitGradient.scalars[(b * T + t) * V + v]) * Double(hidden.scalars[(b * T + t) * D + i])
          }
        }
      }
      let normOfSum = zip(embeddingUse, headUse).reduce(0) { $0 + ($1.0 + $1.1) * ($1.0 + $1.1) }
      let sumOfNorms = embeddingUse.reduce(0) { $0 + $1 * $1 } + headUse.reduce(0) { $0 + $1 * $1 }
      #expect(abs(norms[b] - normOfSum) <= 1e-5 * normOfSum, "record \(b): \(norms[b]) vs \(normOfSum)")
      #expect(abs(sumOfNorms - normOfSum) > 0.05 * normOfSum, "record \(b): the cross term is too small to tell")
    }
  }
}
