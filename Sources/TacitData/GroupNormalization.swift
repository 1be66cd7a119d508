import TacitTensor

/// Per-record group normalisation of channels-last features, without learned scale or offset
/// (Wu & He 2018; PyTorch's `GroupNorm(G, C, affine=False)`), the data-independent normalisation
/// Tramèr & Boneh 2021 apply to scattering features.
///
/// Dimension letters: `B` records, `S` positions per record, `C` channels (the last dimension),
/// `G` groups of `C/G` consecutive channels. For each record and group, over its `S·C/G` values:
/// `μ = mean x`, `σ² = mean (x − μ)²` (biased), `x̂ = (x − μ)/√(σ² + ε)`. Statistics are
/// accumulated in Double. A record's output depends on that record alone, so the step spends no
/// privacy.
///
/// Shapes: input and output `[B, …, C]`. Cost `O(B·S·C)`.
public enum GroupNormalization {
  /// `features` normalised per record in `groups` groups of channels with variance floor `epsilon`.
  ///
  /// - Precondition: `features` has rank ≥ 2, `groups ≥ 1` divides the last dimension, `epsilon ≥ 0`.
  public static func normalize(_ features: Tensor, groups: Int, epsilon: Double) -> Tensor {
    precondition(features.rank >= 2, "group normalisation needs [B, …, C], got shape \(features.shape)")
    let channels = features.shape[features.rank - 1]
    precondition(
      groups >= 1 && channels % groups == 0 && epsilon >= 0,
      "group normalisation of \(channels) channels in \(groups) groups, epsilon \(epsilon)")
    let records = features.shape[0]
    let perRecord = features.elementsPerExample
    let positions = perRecord / channels
    let width = channels / groups
    var result = features
    result.scalars.withUnsafeMutableBufferPointer { values in
      for record in 0..<records {
        let base = record * perRecord
        for group in 0..<groups {
          var sum = 0.0
          var squares = 0.0
          for position in 0..<positions {
            let start = base + position * channels + group * width
            for offset in 0..<width {
              let value = Double(values[start + offset])
              sum += value
              squares += value * value
            }
          }
          let count = Double(positions * width)
          let mean = sum / count
          let variance = max(squares / count - mean * mean, 0)
          let inverseDeviation = 1 / (variance + epsilon).squareRoot()
          for position in 0..<positions {
            let start = base + position * channels + group * width
            for offset in 0..<width {
              values[start + offset] = Float((Double(values[start + offset]) - mean) * inverseDeviation)
            }
          }
        }
      }
    }
    return result
  }
}
