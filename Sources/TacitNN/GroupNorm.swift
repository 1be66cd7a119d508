import TacitTensor

/// Group normalisation (Wu & He 2018), as PyTorch's `GroupNorm` but channels-last.
///
/// Dimension letters: `B` examples, `S` positions per example (`H·W` for images, 1 for vectors),
/// `C` channels, `G` groups of `C/G` consecutive channels, `N = S·C/G` elements per group.
///
/// For each example `b` and group `g`, over the `N` elements `x` of that group (all positions,
/// the group's channels): `μ = mean x`, `σ² = mean (x − μ)²` (biased), `x̂ = (x − μ)/√(σ² + ε)`,
/// and `y = γ_c x̂ + β_c` with a learnable per-channel scale `γ` (named `weight`, initialised to 1)
/// and offset `β` (named `bias`, initialised to 0), both `[C]` and not decayed. Statistics are per
/// example, so examples never mix: per-example gradients are exact (unlike batch norm).
///
/// Shapes: input and output `[B, …, C]` (`[B, H, W, C]` or `[B, C]`).
///
/// Backward: with `ĝ = γ ⊙ g`, `∂x = (1/√(σ² + ε))·(ĝ − mean ĝ − x̂·mean(ĝ ⊙ x̂))`, means over the
/// group. Per-example parameter gradients `∂γ_b,c = Σ_s g·x̂` and `∂β_b,c = Σ_s g` (`[B, C]`
/// each) are materialised in the backward pass (cost `B·S·C`): they give the norms and the
/// weighted sum directly.
public final class GroupNorm: Layer {
  public let kind = "groupnorm"
  /// The number of groups `G`; divides `channels`.
  public let groups: Int
  /// The number of channels `C` (the last dimension).
  public let channels: Int
  /// The variance floor `ε`.
  public let epsilon: Float
  /// The per-channel scale `γ`, `[C]`.
  public let weight: Parameter
  /// The per-channel offset `β`, `[C]`.
  public let bias: Parameter

  /// `x̂`, same shape as the input.
  private var cachedNormalized: Tensor?
  /// `1/√(σ² + ε)` per example and group, `[B, G]`.
  private var cachedInverseDeviation: [Float]?
  /// `∂γ_b` and `∂β_b`, `[B, C]` each.
  private var cachedWeightGradients: [Float]?
  private var cachedBiasGradients: [Float]?
  private var cachedBatch = 0

  /// Group normalisation of `channels` channels in `groups` groups.
  public init(groups: Int, channels: Int, epsilon: Float = 1e-5) {
    precondition(
      groups > 0 && channels > 0 && channels % groups == 0,
      "GroupNorm needs groups dividing channels, got \(groups) groups for \(channels) channels")
    precondition(epsilon >= 0, "GroupNorm epsilon must be ≥ 0, got \(epsilon)")
    self.groups = groups
    self.channels = channels
    self.epsilon = epsilon
    weight = Parameter(name: "weight", value: Tensor(shape: [channels], repeating: 1), isDecayed: false)
    bias = Parameter(name: "bias", value: Tensor(shape: [channels], repeating: 0), isDecayed: false)
  }

  public var parameters: [Parameter] { [weight, bias] }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard let last = inputShape.last, last == channels else {
      throw ShapeError("groupnorm expects \(channels) channels in the last dimension, got shape \(inputShape)")
    }
    return inputShape
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(
      input.rank >= 2 && input.shape.last == channels, "GroupNorm(\(channels)) expects [B, …, \(channels)], got \(input.shape)")
    let batch = input.shape[0]
    let C = channels, G = groups, groupChannels = channels / groups
    let S = batch == 0 ? 0 : input.count / (batch * C)
    let N = S * groupChannels
    var normalized = input
    var output = Tensor(shape: input.shape)
    var inverseDeviations = [Float](repeating: 0, count: batch * G)
    if input.count > 0 {
      normalized.scalars.withUnsafeMutableBufferPointer { xHat in
        for b in 0..<batch {
          let example = xHat.baseAddress! + b * S * C
          for g in 0..<G {
            let start = g * groupChannels
            var total: Double = 0
            for s in 0..<S {
              for c in start..<(start + groupChannels) { total += Double(example[s * C + c]) }
            }
            let mean = total / Double(N)
            var squares: Double = 0
            for s in 0..<S {
              for c in start..<(start + groupChannels) {
                let centred = Double(example[s * C + c]) - mean
                squares += centred * centred
              }
            }
            let inverseDeviation = Float(1 / (squares / Double(N) + Double(epsilon)).squareRoot())
            let floatMean = Float(mean)
            inverseDeviations[b * G + g] = inverseDeviation
            for s in 0..<S {
              for c in start..<(start + groupChannels) {
                example[s * C + c] = (example[s * C + c] - floatMean) * inverseDeviation
              }
            }
          }
        }
      }
      output.scalars.withUnsafeMutableBufferPointer { y in
        normalized.scalars.withUnsafeBufferPointer { xHat in
          weight.value.scalars.withUnsafeBufferPointer { gamma in
            bias.value.scalars.withUnsafeBufferPointer { beta in
              for row in 0..<(batch * S) {
                let offset = row * C
                for c in 0..<C { y[offset + c] = gamma[c] * xHat[offset + c] + beta[c] }
              }
            }
          }
        }
      }
    }
    if mode == .training {
      cachedNormalized = normalized
      cachedInverseDeviation = inverseDeviations
      cachedBatch = batch
      cachedWeightGradients = nil
      cachedBiasGradients = nil
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let normalized = cachedNormalized, let inverseDeviations = cachedInverseDeviation else {
      preconditionFailure("GroupNorm.backward before a training forward pass")
    }
    precondition(
      outputGradient.count == normalized.count,
      "GroupNorm.backward: gradient \(outputGradient.shape) vs output \(normalized.shape)")
    let batch = cachedBatch
    let C = channels, G = groups, groupChannels = channels / groups
    let S = batch == 0 ? 0 : normalized.count / (batch * C)
    let N = S * groupChannels
    var weightGradients = [Float](repeating: 0, count: batch * C)
    var biasGradients = [Float](repeating: 0, count: batch * C)
    var inputGradient: Tensor? = needsInputGradient ? Tensor(shape: normalized.shape) : nil
    guard normalized.count > 0 else {
      cachedWeightGradients = weightGradients
      cachedBiasGradients = biasGradients
      return inputGradient
    }
    outputGradient.scalars.withUnsafeBufferPointer { gBuffer in
      normalized.scalars.withUnsafeBufferPointer { xHatBuffer in
        for b in 0..<batch {
          let g = gBuffer.baseAddress! + b * S * C
          let xHat = xHatBuffer.baseAddress! + b * S * C
          for s in 0..<S {
            for c in 0..<C {
              weightGradients[b * C + c] += g[s * C + c] * xHat[s * C + c]
              biasGradients[b * C + c] += g[s * C + c]
            }
          }
        }
        guard needsInputGradient else { return }
        weight.value.scalars.withUnsafeBufferPointer { gamma in
          inputGradient!.scalars.withUnsafeMutableBufferPointer { dxBuffer in
            for b in 0..<batch {
              let g = gBuffer.baseAddress! + b * S * C
              let xHat = xHatBuffer.baseAddress! + b * S * C
              let dx = dxBuffer.baseAddress! + b * S * C
              for group in 0..<G {
                let start = group * groupChannels
                var meanGradient: Double = 0
                var meanProjection: Double = 0
                for s in 0..<S {
                  for c in start..<(start + groupChannels) {
                    let scaled = Double(gamma[c] * g[s * C + c])
                    meanGradient += scaled
                    meanProjection += scaled * Double(xHat[s * C + c])
                  }
                }
                let m1 = Float(meanGradient / Double(N))
                let m2 = Float(meanProjection / Double(N))
                let inverseDeviation = inverseDeviations[b * G + group]
                for s in 0..<S {
                  for c in start..<(start + groupChannels) {
                    let i = s * C + c
                    dx[i] = inverseDeviation * (gamma[c] * g[i] - m1 - xHat[i] * m2)
                  }
                }
              }
            }
          }
        }
      }
    }
    cachedWeightGradients = weightGradients
    cachedBiasGradients = biasGradients
    return inputGradient
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
      preconditionFailure("GroupNorm \(what) requested before backward")
    }
    return PerExampleAffineGradients(scale: weightGradients, offset: biasGradients, features: channels, batch: cachedBatch)
  }

  public func releaseCaches() {
    cachedNormalized = nil
    cachedInverseDeviation = nil
    cachedWeightGradients = nil
    cachedBiasGradients = nil
    cachedBatch = 0
  }
}
