/// Per-channel mean and variance of the training records' features released under differential
/// privacy, and the standardisation they define (Tramèr & Boneh 2021, "Differentially Private
/// Learning Needs Better Features (or Much More Data)", ICLR, §3; their `scatter_normalization`).
///
/// From the clipped sums of `ChannelMoments` (sensitivities C_μ and C₂), with σ the noise
/// multiplier and z, z′ ~ N(0, I_K):
///
///     μ[c]  = (Σ_r m̄_r[c] + σ·C_μ·z[c]) / N
///     μ₂[c] = (Σ_r q̄_r[c] + σ·C₂·z′[c]) / N
///     v[c]  = max(μ₂[c] − μ[c]², floor)
///
/// Two Gaussian mechanisms with noise multiplier σ on the full training set (no sampling): the
/// `DPEvent` `selfComposed(gaussian(σ), 2)`. N, the training-record count, is treated as public,
/// as DP-SGD's q = B/N treats it. Everything after the noise (dividing by N, the variance, its
/// floor, standardising records) is post-processing. The floor is a public constant: a noisy
/// variance can come out tiny or negative, and is then raised to it (a statistic, never a
/// privacy parameter, is repaired). Tramèr & Boneh divide by √(max(v, 0) + 10⁻⁵) and zero the
/// channels whose variance is 0; Tacit divides by √max(v, floor), the same for v ≫ floor.
///
/// Shapes: `mean`, `meanSquare` and `variance` are `[K]`; standard normals `[2K]` (the first K
/// for the means, the last K for the mean squares).
public struct PrivateChannelStatistics: Sendable, Equatable {
  /// μ, `[K]`.
  public var mean: [Double]
  /// μ₂, `[K]`.
  public var meanSquare: [Double]
  /// v = max(μ₂ − μ², floor), `[K]`.
  public var variance: [Double]
  /// Channels whose variance μ₂ − μ² was below the floor and raised to it.
  public var flooredChannels: Int

  public init(mean: [Double], meanSquare: [Double], variance: [Double], flooredChannels: Int) {
    self.mean = mean
    self.meanSquare = meanSquare
    self.variance = variance
    self.flooredChannels = flooredChannels
  }

  /// The release from `moments`, with noise `noiseMultiplier`·bound·`standardNormals`.
  ///
  /// - Precondition: `moments` has at least one record; `standardNormals` holds 2K values;
  ///   `noiseMultiplier ≥ 0` (0 only for tests: an exact, non-private computation); bounds and
  ///   floor > 0.
  public static func release(
    _ moments: ChannelMoments, noiseMultiplier: Double, meanClip: Double, squareClip: Double, varianceFloor: Double,
    standardNormals: [Double]
  ) -> PrivateChannelStatistics {
    let channels = moments.meanSum.count
    precondition(moments.recordCount >= 1, "a release needs at least one record")
    precondition(
      standardNormals.count == 2 * channels, "\(standardNormals.count) standard normals for 2·\(channels) channels")
    precondition(noiseMultiplier >= 0 && meanClip > 0 && squareClip > 0 && varianceFloor > 0, "release settings")
    let records = Double(moments.recordCount)
    var statistics = PrivateChannelStatistics(mean: [], meanSquare: [], variance: [], flooredChannels: 0)
    for channel in 0..<channels {
      let mean = (moments.meanSum[channel] + noiseMultiplier * meanClip * standardNormals[channel]) / records
      let meanSquare =
        (moments.squareSum[channel] + noiseMultiplier * squareClip * standardNormals[channels + channel]) / records
      let variance = meanSquare - mean * mean
      if !(variance >= varianceFloor) { statistics.flooredChannels += 1 }
      statistics.mean.append(mean)
      statistics.meanSquare.append(meanSquare)
      statistics.variance.append(variance >= varianceFloor ? variance : varianceFloor)
    }
    return statistics
  }

  /// `1/√v[c]`, the factor each centred channel is multiplied by.
  public var inverseDeviation: [Double] { variance.map { 1 / $0.squareRoot() } }
}
