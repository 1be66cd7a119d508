import TacitTensor

/// A GPT-2-architecture language model (Radford et al. 2019, "Language Models are Unsupervised
/// Multitask Learners"), with the per-record book-keeping DP-SGD needs (DESIGN.md §3, §8).
///
/// Dimension letters: `B` records, `T ≤ N` positions, `N` the context length, `D` the width, `V`
/// the vocabulary, `L` blocks.
///
///     X₀ = wte[x] + wpe[0..<T]                 (`TokenEmbedding`, `PositionEmbedding`)
///     X_ℓ = Block_ℓ(X_ℓ₋₁),  ℓ = 1…L             (`TransformerBlock`: pre-LN attention and MLP)
///     Z = LN_f(X_L) Wᵀ                          (W = wte when tied, else lm_head.weight)
///
/// Shapes: input `[B, T]` token ids as `Float`, right-padded with `GPT2.paddingToken` (-1): a
/// record of `n` tokens holds positions `0..<n`. Output `[B, T, V]` logits, zero rows at padding.
/// The layers run only over the longest record's positions (`T' = max n_b`); the attention of
/// each record only over its own `n_b`. Causal attention and right padding make padding
/// positions invisible to real ones; `backward` zeroes the output gradient at padding positions,
/// so padding enters no parameter gradient and no norm.
///
/// Parameters (Hugging Face GPT-2 names without `transformer.`; `namedParameters`): `wte.weight`
/// `[V, D]`, `wpe.weight` `[N, D]`, per block `h.{i}.ln_1.weight|bias`, `h.{i}.attn.c_attn.weight`
/// `[3D, D]` (`[out, in]`) and `.bias`, `h.{i}.attn.c_proj.*`, `h.{i}.ln_2.*`, `h.{i}.mlp.c_fc.*`,
/// `h.{i}.mlp.c_proj.*`, `ln_f.weight|bias`, and `lm_head.weight` `[V, D]` when untied.
///
/// Trainable leaves: `wte` (owning both uses when tied: its norm is that of the sum of the two
/// gradients), `wpe`, each block's six leaves, `ln_f`, and `lm_head` when untied.
public final class GPT2: Layer {
  /// The id that pads a record on the right.
  public static let paddingToken: Float = -1

  public let kind = "gpt2"
  public let configuration: GPT2Configuration
  public let tokenEmbedding: TokenEmbedding
  public let positionEmbedding: PositionEmbedding
  public let blocks: [TransformerBlock]
  public let finalNorm: LayerNorm
  /// The untied output head (`lm_head`, no bias), or `nil` when tied to `wte`.
  public let head: Dense?

  /// Record lengths and positions of the last training batch.
  private var cachedLengths: [Int] = []
  private var cachedPositions = 0
  private var cachedTrimmedPositions = 0

  /// A model initialised as GPT-2: weights N(0, 0.02²), the residual output projections
  /// (`attn.c_proj`, `mlp.c_proj`) N(0, (0.02/√(2L))²), biases 0, LayerNorm scale 1 and offset 0.
  public init(configuration: GPT2Configuration, generator: inout SeededGenerator) {
    self.configuration = configuration
    let V = configuration.vocabularySize, D = configuration.width, L = configuration.layerCount
    tokenEmbedding = TokenEmbedding(vocabularySize: V, width: D, generator: &generator)
    positionEmbedding = PositionEmbedding(contextLength: configuration.contextLength, width: D, generator: &generator)
    let residualDeviation = 0.02 / Float(2 * L).squareRoot()
    blocks = (0..<L).map { _ in
      let block = TransformerBlock(
        width: D, headCount: configuration.headCount, layerNormEpsilon: configuration.layerNormEpsilon, generator: &generator)
      Self.initialize(block.attention.queryKeyValue, standardDeviation: 0.02, generator: &generator)
      Self.initialize(block.attention.outputProjection, standardDeviation: residualDeviation, generator: &generator)
      Self.initialize(block.expansion, standardDeviation: 0.02, generator: &generator)
      Self.initialize(block.contraction, standardDeviation: residualDeviation, generator: &generator)
      return block
    }
    finalNorm = LayerNorm(width: D, epsilon: configuration.layerNormEpsilon)
    if configuration.tieEmbeddings {
      head = nil
    } else {
      let untied = Dense(inputCount: D, outputCount: V, hasBias: false, generator: &generator)
      Self.initialize(untied, standardDeviation: 0.02, generator: &generator)
      head = untied
    }
  }

  /// Weights N(0, standardDeviation²), bias 0.
  private static func initialize(_ layer: Dense, standardDeviation: Float, generator: inout SeededGenerator) {
    layer.weight.value.scalars = Random.normal(
      count: layer.weight.value.count, standardDeviation: standardDeviation, using: &generator)
    layer.bias?.value.zero()
  }

  public var trainableLeaves: [Layer] {
    [tokenEmbedding, positionEmbedding] + blocks.flatMap(\.trainableLeaves) + [finalNorm] + (head.map { [$0] } ?? [])
  }

  public var parameters: [Parameter] { trainableLeaves.flatMap(\.parameters) }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    func prefixed(_ prefix: String, _ layer: Layer) -> [(name: String, parameter: Parameter)] {
      layer.namedParameters.map { (name: "\(prefix).\($0.name)", parameter: $0.parameter) }
    }
    var named = prefixed("wte", tokenEmbedding) + prefixed("wpe", positionEmbedding)
    for (index, block) in blocks.enumerated() { named += prefixed("h.\(index)", block) }
    named += prefixed("ln_f", finalNorm)
    if let head { named += prefixed("lm_head", head) }
    return named
  }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 1, inputShape[0] <= configuration.contextLength else {
      throw ShapeError("gpt2 expects token ids of shape [T ≤ \(configuration.contextLength)], got \(inputShape)")
    }
    return inputShape + [configuration.vocabularySize]
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(
      input.rank == 2 && input.shape[1] <= configuration.contextLength,
      "GPT2 expects [B, T ≤ \(configuration.contextLength)] token ids, got \(input.shape)")
    let positions = input.shape[1]
    let lengths = Self.recordLengths(input)
    let trimmed = lengths.max() ?? 0
    var hidden = tokenEmbedding.forward(input.positionPrefix(trimmed), mode: mode, generator: &generator)
    hidden = positionEmbedding.forward(hidden, mode: mode, generator: &generator)
    for block in blocks { hidden = block.forward(hidden, lengths: lengths, mode: mode, generator: &generator) }
    hidden = finalNorm.forward(hidden, mode: mode, generator: &generator)
    var logits: Tensor
    if let head {
      logits = head.forward(hidden, mode: mode, generator: &generator)
    } else {
      logits = tokenEmbedding.forwardHead(hidden, mode: mode)
    }
    logits.zeroPadding(lengths: lengths)
    if mode == .training {
      cachedLengths = lengths
      cachedPositions = positions
      cachedTrimmedPositions = trimmed
    }
    return logits.paddedPositions(to: positions)
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    let batch = cachedLengths.count, V = configuration.vocabularySize
    precondition(
      outputGradient.shape == [batch, cachedPositions, V],
      "GPT2.backward: gradient \(outputGradient.shape) for logits [\(batch), \(cachedPositions), \(V)]")
    var gradient = outputGradient.positionPrefix(cachedTrimmedPositions)
    gradient.zeroPadding(lengths: cachedLengths)
    var hiddenGradient: Tensor
    if let head {
      hiddenGradient = head.backward(gradient, needsInputGradient: true)!
    } else {
      hiddenGradient = tokenEmbedding.backwardHead(gradient)
    }
    hiddenGradient = finalNorm.backward(hiddenGradient, needsInputGradient: true)!
    for block in blocks.reversed() { hiddenGradient = block.backward(hiddenGradient, needsInputGradient: true)! }
    hiddenGradient = positionEmbedding.backward(hiddenGradient, needsInputGradient: true)!
    _ = tokenEmbedding.backward(hiddenGradient, needsInputGradient: false)
    return needsInputGradient ? Tensor(shape: [batch, cachedPositions]) : nil
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    for leaf in trainableLeaves { leaf.addGroupSquaredNorms(into: &norms, groupSize: groupSize) }
  }

  public func accumulateGradients(weights: ExampleWeights) {
    for leaf in trainableLeaves { leaf.accumulateGradients(weights: weights) }
  }

  public func releaseCaches() {
    tokenEmbedding.releaseCaches()
    positionEmbedding.releaseCaches()
    for block in blocks { block.releaseCaches() }
    finalNorm.releaseCaches()
    head?.releaseCaches()
    cachedLengths = []
    cachedPositions = 0
    cachedTrimmedPositions = 0
  }
}
