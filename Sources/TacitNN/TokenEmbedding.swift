import TacitTensor

/// A token embedding `y_t = W[x_t]` (GPT-2's `wte`), optionally also used as the output head
/// tied to it (`TokenEmbedding+TiedHead.swift`).
///
/// Dimension letters: `B` records, `T` positions, `V` vocabulary, `D` width; `K` records per
/// privacy group.
///
/// Shapes: input `[B, T]` token ids as `Float` (exact up to 2²⁴), with `-1` (`GPT2.paddingToken`)
/// for padding, output `[B, T, D]` (zero rows at padding); weight `[V, D]` row-major, decayed.
/// Ids are not differentiable: the input gradient is zero.
///
/// Per-record gradient of the lookup: `E_b = Σ_s e_{x_s} δ_sᵀ` (`δ_s` the output gradient at
/// position `s`), non-zero only in the rows the record uses. Its squared norm is
/// `‖E_b‖² = Σ_{s,t: x_s = x_t} ⟨δ_s, δ_t⟩` (equal tokens interact; Li et al. 2022, "Large
/// Language Models Can Be Strong Differentially Private Learners", §4), computed as
/// `Σ_u ‖S_u‖²` with `S_u = Σ_{s: x_s = u} δ_s` summed over the record's distinct tokens `u`:
/// cost `T·D` per record, scratch `T·D` and one `V`-entry slot table for the whole batch. A
/// group's `K` records are treated as one record of `K·T` positions. Padding positions index
/// nothing and contribute nothing.
public final class TokenEmbedding: Layer {
  public let kind = "embedding"
  /// The vocabulary size `V`.
  public let vocabularySize: Int
  /// The width `D`.
  public let width: Int
  /// The embedding matrix `W`, `[V, D]`.
  public let weight: Parameter

  /// The ids of the last training batch, `[B·T]`, `-1` at padding.
  var cachedTokens: [Int32]?
  var cachedBatch = 0
  var cachedPositions = 0
  /// The output gradient of the lookup, `[B, T, D]`.
  var cachedGradient: Tensor?
  /// The head's input `h` (`[B, T, D]`) and output gradient `g` (`[B, T, V]`) when the head is
  /// tied to this matrix (see `TokenEmbedding+TiedHead.swift`).
  var cachedHeadInput: Tensor?
  var cachedHeadGradient: Tensor?

  /// An embedding of `vocabularySize` tokens in `width` dimensions, entries N(0, standardDeviation²)
  /// (GPT-2: 0.02).
  public init(vocabularySize: Int, width: Int, standardDeviation: Float = 0.02, generator: inout SeededGenerator) {
    precondition(vocabularySize > 0 && width > 0, "TokenEmbedding needs positive sizes, got \(vocabularySize) × \(width)")
    self.vocabularySize = vocabularySize
    self.width = width
    let values = Random.normal(count: vocabularySize * width, standardDeviation: standardDeviation, using: &generator)
    weight = Parameter(name: "weight", value: Tensor(shape: [vocabularySize, width], scalars: values), isDecayed: true)
  }

  public var parameters: [Parameter] { [weight] }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 1 else {
      throw ShapeError("embedding expects token ids of shape [T], got \(inputShape)")
    }
    return inputShape + [width]
  }

  /// The ids of `tokens` (`[B, T]`) as integers, `-1` at padding.
  ///
  /// - Precondition: every value is an integer in `-1..<V`.
  func tokenIndices(_ tokens: Tensor) -> [Int32] {
    let V = vocabularySize
    return tokens.scalars.map { value in
      let index = Int32(exactly: value) ?? -2
      precondition(index >= -1 && Int(index) < V, "token id \(value) is not an integer in -1..<\(V)")
      return index
    }
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(input.rank == 2, "TokenEmbedding expects [B, T] ids, got \(input.shape)")
    let tokens = tokenIndices(input)
    let D = width
    let output = weight.value.scalars.withUnsafeBufferPointer { w in
      Tensor(shape: input.shape + [D]) { y in
        for (position, token) in tokens.enumerated() {
          let row = y.baseAddress! + position * D
          if token < 0 {
            row.initialize(repeating: 0, count: D)
          } else {
            row.initialize(from: w.baseAddress! + Int(token) * D, count: D)
          }
        }
      }
    }
    if mode == .training {
      cachedTokens = tokens
      cachedBatch = input.shape[0]
      cachedPositions = input.shape[1]
      cachedGradient = nil
      cachedHeadInput = nil
      cachedHeadGradient = nil
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let tokens = cachedTokens else { preconditionFailure("TokenEmbedding.backward before a training forward pass") }
    precondition(
      outputGradient.count == tokens.count * width,
      "TokenEmbedding.backward: gradient \(outputGradient.shape) for \(cachedBatch) × \(cachedPositions) ids")
    cachedGradient = outputGradient
    return needsInputGradient ? Tensor(shape: [cachedBatch, cachedPositions]) : nil
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    guard let tokens = cachedTokens, let gradient = cachedGradient else {
      preconditionFailure("TokenEmbedding norms requested before backward")
    }
    precondition(
      groupSize >= 1 && norms.count * groupSize == cachedBatch,
      "norms has \(norms.count) entries for a batch of \(cachedBatch) in groups of \(groupSize)")
    if cachedBatch == 0 { return }
    let head: (input: Tensor, gradient: Tensor)? = cachedHeadGradient.map { (cachedHeadInput!, $0) }
    if let head {
      LinearGradients.addSquaredNorms(
        activations: head.input, outputGradients: head.gradient, batch: norms.count, positions: groupSize * cachedPositions,
        inputs: width, outputs: vocabularySize, hasBias: false, into: &norms)
    }
    var scratch = TokenEmbeddingScratch(vocabularySize: vocabularySize, width: width, positions: groupSize * cachedPositions)
    let positions = groupSize * cachedPositions
    gradient.scalars.withUnsafeBufferPointer { delta in
      for group in 0..<norms.count {
        let start = group * positions
        scratch.gather(tokens: tokens[start..<(start + positions)], gradients: delta.baseAddress! + start * width)
        norms[group] += scratch.squaredNorm()
        if let head {
          norms[group] += 2 * scratch.crossTerm(head: head, start: start, positions: positions)
        }
        scratch.reset()
      }
    }
  }

  public func accumulateGradients(weights: ExampleWeights) {
    guard let tokens = cachedTokens, let gradient = cachedGradient else {
      preconditionFailure("TokenEmbedding gradients requested before backward")
    }
    let D = width, T = cachedPositions
    gradient.scalars.withUnsafeBufferPointer { delta in
      weight.gradient.scalars.withUnsafeMutableBufferPointer { dW in
        for (position, token) in tokens.enumerated() where token >= 0 {
          let coefficient = weights[position / T]
          let source = delta.baseAddress! + position * D
          let destination = dW.baseAddress! + Int(token) * D
          for i in 0..<D { destination[i] += coefficient * source[i] }
        }
      }
    }
    accumulateHeadGradients(weights: weights)
  }

  public func releaseCaches() {
    cachedTokens = nil
    cachedGradient = nil
    cachedHeadInput = nil
    cachedHeadGradient = nil
    cachedBatch = 0
    cachedPositions = 0
  }
}

/// Per-record sums `S_u = Σ_{s: x_s = u} δ_s` over one record's (or group's) distinct tokens `u`,
/// for the embedding's squared norm and the tied cross term; allocated once per norm pass.
struct TokenEmbeddingScratch {
  let width: Int
  /// `slot[u]`: the row of `sums` holding token `u`, or -1.
  var slot: [Int32]
  /// The distinct tokens in order of first use, `[U]`.
  var distinct: [Int32] = []
  /// `S_u`, `[positions, D]` (the first `U` rows used).
  var sums: [Float]
  /// `S hᵀ` for the cross term, `[positions, positions]`.
  var products: [Float]

  init(vocabularySize: Int, width: Int, positions: Int) {
    self.width = width
    slot = [Int32](repeating: -1, count: vocabularySize)
    distinct.reserveCapacity(positions)
    sums = [Float](repeating: 0, count: positions * width)
    products = [Float](repeating: 0, count: positions * positions)
  }

  /// Sums the gradient rows of `tokens` (positions with `-1` skipped) into `S_u`.
  mutating func gather(tokens: ArraySlice<Int32>, gradients: UnsafePointer<Float>) {
    let D = width
    sums.withUnsafeMutableBufferPointer { s in
      for (offset, token) in tokens.enumerated() where token >= 0 {
        var row = slot[Int(token)]
        if row < 0 {
          row = Int32(distinct.count)
          slot[Int(token)] = row
          distinct.append(token)
          (s.baseAddress! + Int(row) * D).update(repeating: 0, count: D)
        }
        let destination = s.baseAddress! + Int(row) * D
        let source = gradients + offset * D
        for i in 0..<D { destination[i] += source[i] }
      }
    }
  }

  /// `Σ_u ‖S_u‖²`.
  func squaredNorm() -> Double {
    if distinct.isEmpty { return 0 }
    return sums.withUnsafeBufferPointer { Kernels.squaredNorm($0.baseAddress!, count: distinct.count * width) }
  }

  /// Clears the slot table for the next record.
  mutating func reset() {
    for token in distinct { slot[Int(token)] = -1 }
    distinct.removeAll(keepingCapacity: true)
  }
}
