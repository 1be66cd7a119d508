import TacitTensor

/// Learned absolute position embeddings added to a sequence (GPT-2's `wpe`; Radford et al. 2018,
/// "Improving Language Understanding by Generative Pre-Training", §3.1): `y_t = x_t + P[t]`.
///
/// Dimension letters: `B` records, `T ≤ N` positions, `N` the context length, `D` the width; `K`
/// records per privacy group.
///
/// Shapes: input and output `[B, T, D]`; weight `P` `[N, D]` row-major, decayed. The input
/// gradient is the output gradient.
///
/// Per-record gradient: row `t` of `∇P_b` is `δ_t` (each position its own row), so
/// `‖∇P_b‖² = Σ_t ‖δ_t‖²`; for a group of `K` records, `Σ_t ‖Σ_k δ_{k,t}‖²` (records at the same
/// position share a row). Cost `K·T·D` per group. Padding positions carry zero gradients (the
/// model's contract), so they contribute nothing.
public final class PositionEmbedding: Layer {
  public let kind = "position_embedding"
  /// The context length `N` (the most positions an input may have).
  public let contextLength: Int
  /// The width `D`.
  public let width: Int
  /// The embedding matrix `P`, `[N, D]`.
  public let weight: Parameter
  private var cachedBatch = 0
  private var cachedPositions = 0
  private var cachedGradient: Tensor?

  /// Position embeddings for up to `contextLength` positions in `width` dimensions, entries
  /// N(0, standardDeviation²) (GPT-2: 0.02).
  public init(contextLength: Int, width: Int, standardDeviation: Float = 0.02, generator: inout SeededGenerator) {
    precondition(contextLength > 0 && width > 0, "PositionEmbedding needs positive sizes, got \(contextLength) × \(width)")
    self.contextLength = contextLength
    self.width = width
    let values = Random.normal(count: contextLength * width, standardDeviation: standardDeviation, using: &generator)
    weight = Parameter(name: "weight", value: Tensor(shape: [contextLength, width], scalars: values), isDecayed: true)
  }

  public var parameters: [Parameter] { [weight] }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 2, inputShape[1] == width, inputShape[0] <= contextLength else {
      throw ShapeError("position embedding expects [T ≤ \(contextLength), \(width)], got \(inputShape)")
    }
    return inputShape
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(
      input.rank == 3 && input.shape[2] == width && input.shape[1] <= contextLength,
      "PositionEmbedding(\(contextLength), \(width)) expects [B, T ≤ \(contextLength), \(width)], got \(input.shape)")
    let batch = input.shape[0], rowLength = input.shape[1] * width
    var output = input
    output.scalars.withUnsafeMutableBufferPointer { y in
      weight.value.scalars.withUnsafeBufferPointer { p in
        for b in 0..<batch {
          let record = y.baseAddress! + b * rowLength
          for i in 0..<rowLength { record[i] += p[i] }
        }
      }
    }
    if mode == .training {
      cachedBatch = batch
      cachedPositions = input.shape[1]
      cachedGradient = nil
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    precondition(
      outputGradient.count == cachedBatch * cachedPositions * width,
      "PositionEmbedding.backward: gradient \(outputGradient.shape) for [\(cachedBatch), \(cachedPositions), \(width)]")
    cachedGradient = outputGradient
    return needsInputGradient ? outputGradient : nil
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    guard let gradient = cachedGradient else { preconditionFailure("PositionEmbedding norms requested before backward") }
    precondition(
      groupSize >= 1 && norms.count * groupSize == cachedBatch,
      "norms has \(norms.count) entries for a batch of \(cachedBatch) in groups of \(groupSize)")
    let rowLength = cachedPositions * width
    guard rowLength > 0 else { return }
    var sum = [Float](repeating: 0, count: rowLength)
    gradient.scalars.withUnsafeBufferPointer { delta in
      sum.withUnsafeMutableBufferPointer { s in
        for group in 0..<norms.count {
          let first = delta.baseAddress! + group * groupSize * rowLength
          if groupSize == 1 {
            norms[group] += Kernels.squaredNorm(first, count: rowLength)
            continue
          }
          s.baseAddress!.update(from: first, count: rowLength)
          for k in 1..<groupSize {
            let record = first + k * rowLength
            for i in 0..<rowLength { s[i] += record[i] }
          }
          norms[group] += Kernels.squaredNorm(UnsafeBufferPointer(s))
        }
      }
    }
  }

  public func accumulateGradients(weights: ExampleWeights) {
    guard let gradient = cachedGradient else { preconditionFailure("PositionEmbedding gradients requested before backward") }
    let rowLength = cachedPositions * width
    gradient.scalars.withUnsafeBufferPointer { delta in
      weight.gradient.scalars.withUnsafeMutableBufferPointer { dP in
        for b in 0..<cachedBatch {
          let coefficient = weights[b]
          let record = delta.baseAddress! + b * rowLength
          for i in 0..<rowLength { dP[i] += coefficient * record[i] }
        }
      }
    }
  }

  public func releaseCaches() {
    cachedGradient = nil
    cachedBatch = 0
    cachedPositions = 0
  }
}
