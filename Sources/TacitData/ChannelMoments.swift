import TacitTensor

/// The clipped per-record channel moments of channels-last features, summed over the records:
/// the private sums Tramèr & Boneh 2021 (§3, "ScatterNet + data normalisation") release with
/// Gaussian noise to standardise features (`PrivateChannelStatistics`).
///
/// Dimension letters: `N` records, `S` positions per record, `K` channels (the last dimension of
/// each record's `S·K` values, so `[N, h, w, K]` and its flattened `[N, h·w·K]` are the same).
/// For record r:
///
///     m_r[c] = (1/S) Σ_s x_r[s, c]          (channel means)
///     q_r[c] = (1/S) Σ_s x_r[s, c]²         (channel mean squares)
///
/// each vector clipped in L2 norm to its own bound, `m̄_r = m_r · min(1, C_μ/‖m_r‖)` and
/// `q̄_r = q_r · min(1, C₂/‖q_r‖)`, then `meanSum = Σ_r m̄_r`, `squareSum = Σ_r q̄_r`. Adding or
/// removing one record changes each sum by at most its bound in L2 norm: the sensitivities are
/// C_μ and C₂. Accumulated in Double. Cost `O(N·S·K)`.
public struct ChannelMoments: Sendable, Equatable {
  /// Σ_r m̄_r, `[K]`.
  public var meanSum: [Double]
  /// Σ_r q̄_r, `[K]`.
  public var squareSum: [Double]
  /// N, the records summed.
  public var recordCount: Int
  /// Records whose channel-mean vector was scaled down by the clipping.
  public var clippedMeanCount: Int
  /// Records whose mean-square vector was scaled down by the clipping.
  public var clippedSquareCount: Int

  public init(meanSum: [Double], squareSum: [Double], recordCount: Int, clippedMeanCount: Int, clippedSquareCount: Int) {
    self.meanSum = meanSum
    self.squareSum = squareSum
    self.recordCount = recordCount
    self.clippedMeanCount = clippedMeanCount
    self.clippedSquareCount = clippedSquareCount
  }

  /// The clipped sums of `features` (`[N, …]`, `K = channels` last) with bounds `meanClip` (C_μ)
  /// and `squareClip` (C₂).
  ///
  /// - Precondition: `channels ≥ 1` divides each record's value count; both bounds > 0.
  public static func clippedSums(of features: Tensor, channels: Int, meanClip: Double, squareClip: Double)
    -> ChannelMoments
  {
    let perRecord = features.elementsPerExample
    precondition(
      channels >= 1 && perRecord % channels == 0 && features.rank >= 2,
      "channel moments of \(channels) channels from records of shape \(features.shape)")
    precondition(meanClip > 0 && squareClip > 0, "clipping bounds \(meanClip), \(squareClip) must be positive")
    let positions = perRecord / channels
    var moments = ChannelMoments(
      meanSum: Array(repeating: 0, count: channels), squareSum: Array(repeating: 0, count: channels),
      recordCount: features.batchSize, clippedMeanCount: 0, clippedSquareCount: 0)
    var means = [Double](repeating: 0, count: channels)
    var squares = [Double](repeating: 0, count: channels)
    features.scalars.withUnsafeBufferPointer { values in
      for record in 0..<features.batchSize {
        for channel in 0..<channels {
          means[channel] = 0
          squares[channel] = 0
        }
        let base = record * perRecord
        for position in 0..<positions {
          let start = base + position * channels
          for channel in 0..<channels {
            let value = Double(values[start + channel])
            means[channel] += value
            squares[channel] += value * value
          }
        }
        if addClipped(means, scale: 1 / Double(positions), bound: meanClip, to: &moments.meanSum) {
          moments.clippedMeanCount += 1
        }
        if addClipped(squares, scale: 1 / Double(positions), bound: squareClip, to: &moments.squareSum) {
          moments.clippedSquareCount += 1
        }
      }
    }
    return moments
  }

  /// Adds `scale·vector`, clipped to L2 norm `bound`, to `sum`; whether it was clipped.
  private static func addClipped(_ vector: [Double], scale: Double, bound: Double, to sum: inout [Double]) -> Bool {
    var squaredNorm = 0.0
    for value in vector { squaredNorm += value * value }
    let norm = scale * squaredNorm.squareRoot()
    let factor = norm > bound ? scale * bound / norm : scale
    for index in vector.indices { sum[index] += factor * vector[index] }
    return norm > bound
  }
}
