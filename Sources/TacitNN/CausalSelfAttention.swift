import TacitTensor

/// Causal multi-head self-attention with a fused query/key/value projection (Vaswani et al. 2017,
/// "Attention Is All You Need", §3.2; GPT-2's `attn`).
///
/// Dimension letters: `B` records, `T` positions, `D` width, `H` heads of `E = D/H` features.
///
///     [Q K V] = X W_qkvᵀ + β_qkv                      (c_attn: Dense D → 3D)
///     O_h = softmax(Q_h K_hᵀ / √E + M) V_h              (per record and head; M = −∞ above the diagonal)
///     Y = [O_1 … O_H] W_oᵀ + β_o                       (c_proj: Dense D → D)
///
/// Columns `[0, D)` of the fused output are `Q`, `[D, 2D)` `K`, `[2D, 3D)` `V`; head `h` uses
/// columns `h·E ..< (h+1)·E` of each.
///
/// Shapes: input and output `[B, T, D]`. The attention core (`CausalSelfAttention+Core.swift`) is
/// parameter-free and runs one BLAS product per record and head; the two projections are `Dense`
/// leaves whose per-record norms are `LinearGradients`' ghost or materialised norms, chosen by
/// cost. Composite: `trainableLeaves` is `[c_attn, c_proj]`.
///
/// Padding: `forward(_:lengths:mode:generator:)` attends only over each record's first `n_b`
/// positions; the rows beyond are zero in the attention output. Causality makes later (padding)
/// positions invisible to earlier ones; their output gradients must be 0 (the model's contract).
public final class CausalSelfAttention: Layer {
  public let kind = "causal_self_attention"
  /// The width `D`.
  public let width: Int
  /// The number of heads `H` (divides `D`).
  public let headCount: Int
  /// The fused projection `c_attn`, `D → 3D`.
  public let queryKeyValue: Dense
  /// The output projection `c_proj`, `D → D`.
  public let outputProjection: Dense

  /// `[Q K V]` of the last training batch, `[B, T, 3D]`.
  var cachedQueryKeyValue: Tensor?
  /// The attention probabilities: per record `b` and head, an `n_b × n_b` block (row `t`, column
  /// `s ≤ t`; zero above), packed (`probabilityOffsets`).
  var cachedProbabilities: [Float] = []
  var cachedLengths: [Int] = []
  var cachedPositions = 0

  /// Attention over `width` features in `headCount` heads; projections initialised by `Dense`.
  public init(width: Int, headCount: Int, generator: inout SeededGenerator) {
    precondition(
      width > 0 && headCount > 0 && width % headCount == 0,
      "attention needs heads dividing the width, got \(headCount) heads for \(width)")
    self.width = width
    self.headCount = headCount
    queryKeyValue = Dense(inputCount: width, outputCount: 3 * width, generator: &generator)
    outputProjection = Dense(inputCount: width, outputCount: width, generator: &generator)
  }

  public var parameters: [Parameter] { queryKeyValue.parameters + outputProjection.parameters }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    queryKeyValue.namedParameters.map { (name: "c_attn.\($0.name)", parameter: $0.parameter) }
      + outputProjection.namedParameters.map { (name: "c_proj.\($0.name)", parameter: $0.parameter) }
  }

  public var trainableLeaves: [Layer] { [queryKeyValue, outputProjection] }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape[1] == width else {
      throw ShapeError("causal self-attention expects [T, \(width)], got \(inputShape)")
    }
    return inputShape
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    forward(input, lengths: nil, mode: mode, generator: &generator)
  }

  /// The layer output when record `b` has `lengths[b]` real positions (`nil`: all `T`).
  public func forward(_ input: Tensor, lengths: [Int]?, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(
      input.rank == 3 && input.shape[2] == width, "CausalSelfAttention(\(width)) expects [B, T, \(width)], got \(input.shape)")
    let batch = input.shape[0], positions = input.shape[1]
    let recordLengths = lengths ?? [Int](repeating: positions, count: batch)
    precondition(
      recordLengths.count == batch && recordLengths.allSatisfy { (0...positions).contains($0) },
      "attention lengths \(recordLengths) for a batch of \(batch) × \(positions)")
    let fused = queryKeyValue.forward(input, mode: mode, generator: &generator)
    let keepsProbabilities = mode == .training
    let size = keepsProbabilities ? Self.probabilityOffsets(lengths: recordLengths, headCount: headCount).total : 0
    var probabilities = [Float](repeating: 0, count: size)
    let context = attend(
      fused, lengths: recordLengths, positions: positions, keepsProbabilities: keepsProbabilities, probabilities: &probabilities)
    if mode == .training {
      cachedQueryKeyValue = fused
      cachedProbabilities = probabilities
      cachedLengths = recordLengths
      cachedPositions = positions
    }
    return outputProjection.forward(context, mode: mode, generator: &generator)
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let fused = cachedQueryKeyValue else {
      preconditionFailure("CausalSelfAttention.backward before a training forward pass")
    }
    guard let contextGradient = outputProjection.backward(outputGradient, needsInputGradient: true) else {
      preconditionFailure("Dense returned no input gradient")
    }
    let fusedGradient = attendBackward(contextGradient, fused: fused)
    return queryKeyValue.backward(fusedGradient, needsInputGradient: needsInputGradient)
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    queryKeyValue.addGroupSquaredNorms(into: &norms, groupSize: groupSize)
    outputProjection.addGroupSquaredNorms(into: &norms, groupSize: groupSize)
  }

  public func accumulateGradients(weights: ExampleWeights) {
    queryKeyValue.accumulateGradients(weights: weights)
    outputProjection.accumulateGradients(weights: weights)
  }

  public func releaseCaches() {
    queryKeyValue.releaseCaches()
    outputProjection.releaseCaches()
    cachedQueryKeyValue = nil
    cachedProbabilities = []
    cachedLengths = []
    cachedPositions = 0
  }
}
