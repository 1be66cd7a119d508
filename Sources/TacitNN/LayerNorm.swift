import TacitTensor

/// Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, "Layer Normalization"), as
/// PyTorch's `LayerNorm(D)` and GPT-2's `ln_1`, `ln_2`, `ln_f`.
///
/// Dimension letters: `B` records, `S` rows per record (positions; 1 for vectors), `D` features.
///
/// For every row `x` (`D` numbers): `μ = mean x`, `σ² = mean (x − μ)²` (biased), `x̂ = (x − μ)/√(σ² + ε)`,
/// `y = γ ⊙ x̂ + β` with a learnable scale `γ` (named `weight`, initialised to 1) and offset `β`
/// (named `bias`, initialised to 0), both `[D]` and not decayed. Rows never mix, so a record's
/// gradient depends on its own rows only.
///
/// Shapes: input and output `[B, …, D]` (`[B, T, D]` for sequences).
///
/// Backward: with `ĝ = γ ⊙ g`, `∂x = (1/√(σ² + ε))·(ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂))` per row. Per-record
/// parameter gradients `∂γ_b = Σ_s g_s ⊙ x̂_s` and `∂β_b = Σ_s g_s` (2·D numbers per record,
/// `[B, D]` each) are materialised in the backward pass (cost `B·S·D`, DESIGN.md §3): they give
/// the (group) norms and the weighted sum directly. Rows whose output gradient is 0 (padding)
/// contribute nothing to either.
public final class LayerNorm: Layer {
  public let kind = "layernorm"
  /// The number of features `D` (the last dimension).
  public let width: Int
  /// The variance floor `ε`.
  public let epsilon: Float
  /// The scale `γ`, `[D]`.
  public let weight: Parameter
  /// The offset `β`, `[D]`.
  public let bias: Parameter

  /// `x̂`, same shape as the input.
  private var cachedNormalized: Tensor?
  /// `1/√(σ² + ε)` per row, `[B·S]`.
  private var cachedInverseDeviation: [Float]?
  /// `∂γ_b` and `∂β_b`, `[B, D]` each.
  private var cachedWeightGradients: [Float]?
  private var cachedBiasGradients: [Float]?
  private var cachedBatch = 0

  /// Rows per parallel chunk at least (`Parallel.forEachChunk`): below this a loop stays serial.
  static let rowsPerChunk = 256

  /// Layer normalisation of `width` features.
  public init(width: Int, epsilon: Float = 1e-5) {
    precondition(width > 0, "LayerNorm needs a positive width, got \(width)")
    precondition(epsilon >= 0, "LayerNorm epsilon must be ≥ 0, got \(epsilon)")
    self.width = width
    self.epsilon = epsilon
    weight = Parameter(name: "weight", value: Tensor(shape: [width], repeating: 1), isDecayed: false)
    bias = Parameter(name: "bias", value: Tensor(shape: [width], repeating: 0), isDecayed: false)
  }

  public var parameters: [Parameter] { [weight, bias] }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard let last = inputShape.last, last == width else {
      throw ShapeError("layernorm expects \(width) features in the last dimension, got shape \(inputShape)")
    }
    return inputShape
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(input.rank >= 2 && input.shape.last == width, "LayerNorm(\(width)) expects [B, …, \(width)], got \(input.shape)")
    let D = width
    let rows = input.count / D
    var normalized = input
    var inverseDeviations = [Float](repeating: 0, count: rows)
    let epsilon = epsilon
    normalized.scalars.withUnsafeMutableBufferPointer { xBuffer in
      inverseDeviations.withUnsafeMutableBufferPointer { deviations in
        guard rows > 0 else { return }
        let base = xBuffer.baseAddress!, deviationBase = deviations.baseAddress!
        Parallel.forEachChunk(rows, minimumChunk: Self.rowsPerChunk) { chunk in
          for row in chunk {
            let x = base + row * D
            // Eight-lane sums (`Kernels.laneSum`) vectorise; the former single running sums did not.
            let mean = Kernels.laneSum(0..<D) { x[$0] } / Float(D)
            let squares = Kernels.laneSum(0..<D) { (x[$0] - mean) * (x[$0] - mean) }
            let inverseDeviation = 1 / (squares / Float(D) + epsilon).squareRoot()
            deviationBase[row] = inverseDeviation
            for i in 0..<D { x[i] = (x[i] - mean) * inverseDeviation }
          }
        }
      }
    }
    let output = affine(normalized, rows: rows)
    if mode == .training {
      cachedNormalized = normalized
      cachedInverseDeviation = inverseDeviations
      cachedBatch = input.shape[0]
      cachedWeightGradients = nil
      cachedBiasGradients = nil
    }
    return output
  }

  /// `γ ⊙ x̂ + β` on every row.
  private func affine(_ normalized: Tensor, rows: Int) -> Tensor {
    let D = width
    return normalized.scalars.withUnsafeBufferPointer { xHat in
      weight.value.scalars.withUnsafeBufferPointer { gamma in
        bias.value.scalars.withUnsafeBufferPointer { beta in
          Tensor(shape: normalized.shape) { y in
            Parallel.forEachChunk(rows, minimumChunk: Self.rowsPerChunk) { chunk in
              for row in chunk {
                let offset = row * D
                for i in 0..<D { y[offset + i] = gamma[i] * xHat[offset + i] + beta[i] }
              }
            }
          }
        }
      }
    }
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let normalized = cachedNormalized, let inverseDeviations = cachedInverseDeviation else {
      preconditionFailure("LayerNorm.backward before a training forward pass")
    }
    precondition(
      outputGradient.count == normalized.count,
      "LayerNorm.backward: gradient \(outputGradient.shape) vs output \(normalized.shape)")
    let batch = cachedBatch, D = width
    let rows = normalized.count / D
    let rowsPerRecord = batch == 0 ? 0 : rows / batch
    var weightGradients = [Float](repeating: 0, count: batch * D)
    var biasGradients = [Float](repeating: 0, count: batch * D)
    outputGradient.scalars.withUnsafeBufferPointer { g in
      normalized.scalars.withUnsafeBufferPointer { xHat in
        weightGradients.withUnsafeMutableBufferPointer { dGamma in
          biasGradients.withUnsafeMutableBufferPointer { dBeta in
            // Records on the compute threads: each sums its own rows into its own `[D]` slots.
            Parallel.forEach(batch) { record in
              let recordOffset = record * D
              for row in (record * rowsPerRecord)..<((record + 1) * rowsPerRecord) {
                let offset = row * D
                for i in 0..<D {
                  dGamma[recordOffset + i] += g[offset + i] * xHat[offset + i]
                  dBeta[recordOffset + i] += g[offset + i]
                }
              }
            }
          }
        }
      }
    }
    cachedWeightGradients = weightGradients
    cachedBiasGradients = biasGradients
    guard needsInputGradient else { return nil }
    return inputGradient(outputGradient, normalized: normalized, inverseDeviations: inverseDeviations)
  }

  /// `∂x = (1/√(σ² + ε))·(ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂))` per row, `ĝ = γ ⊙ g`.
  private func inputGradient(_ outputGradient: Tensor, normalized: Tensor, inverseDeviations: [Float]) -> Tensor {
    let D = width
    let rows = normalized.count / D
    return outputGradient.scalars.withUnsafeBufferPointer { g in
      normalized.scalars.withUnsafeBufferPointer { xHat in
        weight.value.scalars.withUnsafeBufferPointer { gamma in
          Tensor(shape: normalized.shape) { dx in
            Parallel.forEachChunk(rows, minimumChunk: Self.rowsPerChunk) { chunk in
              for row in chunk {
                let offset = row * D
                var meanGradient: Float = 0
                var meanProjection: Float = 0
                for i in 0..<D {
                  let scaled = gamma[i] * g[offset + i]
                  meanGradient += scaled
                  meanProjection += scaled * xHat[offset + i]
                }
                meanGradient /= Float(D)
                meanProjection /= Float(D)
                let inverseDeviation = inverseDeviations[row]
                for i in 0..<D {
                  dx[offset + i] =
                    inverseDeviation * (gamma[i] * g[offset + i] - meanGradient - xHat[offset + i] * meanProjection)
                }
              }
            }
          }
        }
      }
    }
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    affineGradients("norms").addGroupSquaredNorms(into: &norms, groupSize: groupSize)
  }

  public func accumulateGradients(weights: ExampleWeights) {
    affineGradients("gradients").accumulate(weights: weights, scaleParameter: weight, offsetParameter: bias)
  }

  /// The per-example scale and offset gradients of the last backward pass.
  private func affineGradients(_ what: String) -> PerExampleAffineGradients {
    guard let weightGradients = cachedWeightGradients, let biasGradients = cachedBiasGradients else {
      preconditionFailure("LayerNorm \(what) requested before backward")
    }
    return PerExampleAffineGradients(scale: weightGradients, offset: biasGradients, features: width, batch: cachedBatch)
  }

  public func releaseCaches() {
    cachedNormalized = nil
    cachedInverseDeviation = nil
    cachedWeightGradients = nil
    cachedBiasGradients = nil
    cachedBatch = 0
  }
}
