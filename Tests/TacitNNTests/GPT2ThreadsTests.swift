import TacitNN
import TacitTensor
import Testing

/// A language model large enough for every parallel path (attention and cross-entropy over
/// records, LayerNorm and GELU in row chunks, products cut across threads, per-record norms in
/// chunks) gives the same logits, losses, per-record norms and clipped-sum gradients on two
/// compute threads as on one.
@Suite(.serialized) struct GPT2ThreadsTests {
  struct Pass: Equatable {
    var logits: [Float]
    var losses: [Float]
    var norms: [Double]
    var gradients: [Double]
  }

  static func pass(threads: Int, tied: Bool) throws -> Pass {
    BLAS.setThreadCount(threads)
    defer { BLAS.setThreadCount(1) }
    var generator = SeededGenerator(seed: 5)
    let configuration = try GPT2Configuration(
      vocabularySize: 40, contextLength: 64, width: 64, layerCount: 2, headCount: 4, tieEmbeddings: tied)
    let model = GPT2(configuration: configuration, generator: &generator)
    let lengths = [64, 17, 40, 64, 2, 33, 64, 50, 9, 64, 28, 61]
    let tokens = paddedTokens(lengths: lengths, positions: 64, vocabulary: 40, seed: 6)
    let logits = model.forward(tokens, mode: .training, generator: &generator)
    let (losses, gradient) = NextTokenCrossEntropy().lossesAndGradient(logits: logits, tokens: tokens)
    _ = model.backward(gradient, needsInputGradient: false)
    var norms = [Double](repeating: 0, count: lengths.count)
    model.addGroupSquaredNorms(into: &norms, groupSize: 1)
    zeroGradients(model)
    model.accumulateGradients(weights: .perExample(norms.map { Float(1 / max(1, $0.squareRoot())) }))
    return Pass(logits: logits.scalars, losses: losses, norms: norms, gradients: flatGradients(model))
  }

  @Test(arguments: [true, false])
  func twoThreadsGiveTheOneThreadResult(tied: Bool) throws {
    let one = try Self.pass(threads: 1, tied: tied)
    let two = try Self.pass(threads: 2, tied: tied)
    #expect(one.norms.allSatisfy { $0 > 0 })
    #expect(two == one)
  }
}
