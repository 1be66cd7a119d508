/// Keys of `data.features.private_norm`: every feature channel standardised with a mean and a
/// variance estimated from the training records under differential privacy (Tramèr & Boneh
/// 2021, "Differentially Private Learning Needs Better Features (or Much More Data)", ICLR,
/// §3 and their code's `scatter_normalization`).
///
/// For each training record r (features `[S, K]`: S positions, K channels) the per-channel means
/// `m_r[c] = (1/S) Σ_s x_r[s, c]` and mean squares `q_r[c] = (1/S) Σ_s x_r[s, c]²` are clipped in
/// L2 norm, `m_r` to `mean_clip` and `q_r` to `square_clip`; each clipped sum over the N records
/// gets N(0, σ²·clip²) noise per channel and is divided by N. Two Gaussian mechanisms with
/// noise multiplier σ = `noise_multiplier` on the whole training set (no subsampling), composed
/// with DP-SGD's. Then `v[c] = max(μ₂[c] − μ[c]², variance_floor)` and every record's features
/// become `(x − μ[c]) / √v[c]` (post-processing).
///
/// ```yaml
/// data:
///   features:
///     scattering: {scales: 2, orientations: 8}
///     private_norm: {noise_multiplier: 8, mean_clip: 0.6, square_clip: 0.15}
/// ```
///
/// Only in a private run (a `privacy` section), and not together with `group_norm` (Tramèr &
/// Boneh use one or the other). The clipping bounds are public recipe values; Tramèr & Boneh's
/// code takes the median record norm of the private data instead ("technically a small privacy
/// leak"), which Tacit does not do.
public struct FeaturePrivateNorm: Sendable, Equatable {
  /// `noise_multiplier`: σ_n > 0, the noise standard deviation of each of the two sums in units
  /// of its clipping bound (Tramèr & Boneh's `bn_noise_multiplier`, 8 in their best runs).
  public var noiseMultiplier: Double
  /// `mean_clip`: C_μ > 0, the L2 bound of a record's vector of K channel means.
  public var meanClip: Double
  /// `square_clip`: C₂ > 0, the L2 bound of a record's vector of K channel mean squares.
  public var squareClip: Double
  /// `variance_floor`: > 0, default 1e-5, the least variance a channel is divided by (a noisy
  /// variance can come out tiny or negative). Public, fixed before the data are seen.
  public var varianceFloor: Double

  public init(noiseMultiplier: Double, meanClip: Double, squareClip: Double, varianceFloor: Double = 1e-5) {
    self.noiseMultiplier = noiseMultiplier
    self.meanClip = meanClip
    self.squareClip = squareClip
    self.varianceFloor = varianceFloor
  }

  /// The releases this normalisation makes, `2` Gaussian mechanisms (means and mean squares).
  public static let releaseCount = 2
}
