import TacitTensor

/// A pre-LayerNorm transformer block (GPT-2's `h.{i}`; Radford et al. 2019, "Language Models are
/// Unsupervised Multitask Learners", §2.3; Xiong et al. 2020 on the pre-LN placement):
///
///     X₁ = X + Attention(LN₁(X))
///     Y  = X₁ + W₂·GELU(W₁·LN₂(X₁) + β₁) + β₂          (MLP D → 4D → D)
///
/// Dimension letters: `B` records, `T` positions, `D` width.
///
/// Shapes: input and output `[B, T, D]`. Sub-layers: `ln_1` (`LayerNorm`), `attn`
/// (`CausalSelfAttention`), `ln_2`, `mlp.c_fc` (`Dense` D → 4D), `GELU`, `mlp.c_proj` (`Dense`
/// 4D → D). Composite: `trainableLeaves` is `[ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc,
/// mlp.c_proj]`, whose parameters, concatenated, are `parameters`; norms and weighted sums are
/// the leaves' own.
public final class TransformerBlock: Layer {
  public let kind = "transformer_block"
  /// The width `D`.
  public let width: Int
  public let firstNorm: LayerNorm
  public let attention: CausalSelfAttention
  public let secondNorm: LayerNorm
  public let expansion: Dense
  public let activation: GELU
  public let contraction: Dense

  /// A block of `width` features, `headCount` heads and an MLP of `4·width` hidden units;
  /// projections initialised by `Dense`, norms to scale 1 and offset 0.
  public init(width: Int, headCount: Int, layerNormEpsilon: Float = 1e-5, generator: inout SeededGenerator) {
    self.width = width
    firstNorm = LayerNorm(width: width, epsilon: layerNormEpsilon)
    attention = CausalSelfAttention(width: width, headCount: headCount, generator: &generator)
    secondNorm = LayerNorm(width: width, epsilon: layerNormEpsilon)
    expansion = Dense(inputCount: width, outputCount: 4 * width, generator: &generator)
    activation = GELU()
    contraction = Dense(inputCount: 4 * width, outputCount: width, generator: &generator)
  }

  public var parameters: [Parameter] { trainableLeaves.flatMap(\.parameters) }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    func prefixed(_ prefix: String, _ layer: Layer) -> [(name: String, parameter: Parameter)] {
      layer.namedParameters.map { (name: "\(prefix).\($0.name)", parameter: $0.parameter) }
    }
    return prefixed("ln_1", firstNorm) + prefixed("attn", attention) + prefixed("ln_2", secondNorm)
      + prefixed("mlp.c_fc", expansion) + prefixed("mlp.c_proj", contraction)
  }

  public var trainableLeaves: [Layer] {
    [firstNorm] + attention.trainableLeaves + [secondNorm, expansion, contraction]
  }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape[1] == width else {
      throw ShapeError("transformer block expects [T, \(width)], got \(inputShape)")
    }
    return inputShape
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    forward(input, lengths: nil, mode: mode, generator: &generator)
  }

  /// The block output when record `b` has `lengths[b]` real positions (`nil`: all `T`).
  public func forward(_ input: Tensor, lengths: [Int]?, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    var residual = input
    let normalized = firstNorm.forward(input, mode: mode, generator: &generator)
    residual.add(attention.forward(normalized, lengths: lengths, mode: mode, generator: &generator))
    var hidden = secondNorm.forward(residual, mode: mode, generator: &generator)
    hidden = expansion.forward(hidden, mode: mode, generator: &generator)
    hidden = activation.forward(hidden, mode: mode, generator: &generator)
    residual.add(contraction.forward(hidden, mode: mode, generator: &generator))
    return residual
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    var gradient = outputGradient
    var branch = contraction.backward(outputGradient, needsInputGradient: true)!
    branch = activation.backward(branch, needsInputGradient: true)!
    branch = expansion.backward(branch, needsInputGradient: true)!
    gradient.add(secondNorm.backward(branch, needsInputGradient: true)!)
    branch = attention.backward(gradient, needsInputGradient: true)!
    branch = firstNorm.backward(branch, needsInputGradient: needsInputGradient) ?? branch
    guard needsInputGradient else { return nil }
    gradient.add(branch)
    return gradient
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    for leaf in trainableLeaves { leaf.addGroupSquaredNorms(into: &norms, groupSize: groupSize) }
  }

  public func accumulateGradients(weights: ExampleWeights) {
    for leaf in trainableLeaves { leaf.accumulateGradients(weights: weights) }
  }

  public func releaseCaches() {
    for layer in [firstNorm, attention, secondNorm, expansion, activation, contraction] as [Layer] { layer.releaseCaches() }
  }
}
