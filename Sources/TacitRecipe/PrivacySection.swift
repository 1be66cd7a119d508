import Foundation

/// The `privacy` section: train with DP-SGD (Abadi et al. 2016) and claim an (ε, δ) guarantee.
///
/// ```yaml
/// privacy:
///   target_epsilon: 3          # exactly one of target_epsilon (> 0) and noise_multiplier (> 0)
///   delta: null                # in (0, 1/N); default null = the largest power of ten below 1/N
///   max_grad_norm: 1.0         # > 0, default 1.0: the per-example clipping norm C
///   clipping: flat             # flat (default) | per_layer (C/√L per trainable layer)
///   accountant: pld            # pld (default) | rdp | gdp: which accountant's ε the run claims
///   noise: secure              # secure (default) | seeded (reproducible, not for release)
///   unit: record               # record (default) | user: what (ε, δ) protects (language models)
///   adaptive_clipping:         # absent (default): fixed C; a mapping, even {}, turns it on
///     target_quantile: 0.5     # γ in (0, 1): the fraction of per-example gradients left unclipped
///     learning_rate: 0.2       # η > 0: C_{t+1} = C_t · exp(−η (b̃_t − γ))
///     count_noise: null        # σ_b > 0 (in examples), default null = expected batch size / 20
/// ```
///
/// With `adaptive_clipping` (Andrew et al. 2021; flat clipping only) `max_grad_norm` is the
/// initial norm C_0, and the noise multiplier (given or calibrated) is the *effective* one the
/// accountant sees: the gradient carries z_Δ = (σ⁻² − (2σ_b)⁻²)^{−1/2} so that the step, noisy
/// count included, is one Gaussian mechanism with multiplier σ.
///
/// With a `privacy` section, `training.batch_size` is the *expected* batch size of Poisson
/// sampling (sample rate q = batch_size / N for N training records) and the run takes
/// T = epochs · ⌈N / batch_size⌉ steps. A `target_epsilon` is turned into the noise multiplier σ
/// by calibration that never overshoots; the resolved recipe then shows σ, δ, q and T.
///
/// With `unit: user` (language models only) the privacy unit is a user, not a record: DP-SGD
/// samples users at q = batch_size / U, clips each user's gradient over all their records as
/// one, and the accountant's N is U (`PrivacyUnits`; McMahan et al. 2018). Tacit reads no user
/// ids from data yet: every data record is its own user, and each secret canary
/// (`audit.secrets`) belongs to one user, so its k copies train and count as one unit.
///
/// Refused because the accountant cannot cover them: δ ≥ 1/N (checked once N is known), and
/// data normalisation fitted on the training records (`data.normalize: standard`, or
/// `unit_range` on CSV or synthetic data, which scales by the largest training value).
public struct PrivacySection: Sendable, Equatable {
  /// What fixes the noise.
  public enum Budget: Sendable, Equatable {
    /// Calibrate σ so that the claimed ε is at most this.
    case targetEpsilon(Double)
    /// Use this σ; ε follows from it.
    case noiseMultiplier(Double)
  }

  /// `privacy.clipping`.
  public enum Clipping: String, Sendable, Equatable, CaseIterable {
    /// One norm over all parameters, clipped to C.
    case flat
    /// Each of the L trainable layers clipped to C/√L (the whole gradient stays within C).
    case perLayer = "per_layer"
  }

  /// `privacy.accountant`: whose ε the run claims (all three are reported).
  public enum Accountant: String, Sendable, Equatable, CaseIterable {
    /// Privacy loss distributions, tight numerical composition (dp_accounting's method).
    case pld
    /// Rényi DP with the improved conversion.
    case rdp
    /// Gaussian DP by the central limit theorem: an approximation, not a guarantee.
    case gdp
  }

  /// `privacy.unit`: what neighbouring datasets differ in, so what (ε, δ) protects.
  public enum Unit: String, Sendable, Equatable, CaseIterable {
    /// One training record.
    case record
    /// One user: all of the user's records (`PrivacyUnits`).
    case user
  }

  /// `privacy.noise`: where the noise (and the Poisson sampling) draws randomness from.
  public enum Noise: String, Sendable, Equatable, CaseIterable {
    /// A ChaCha12 keystream keyed from the operating system: fit for release.
    case secure
    /// Split from the recipe seed: reproducible, and marked not for release.
    case seeded
  }

  /// `privacy.adaptive_clipping`: the clipping norm follows a quantile of the per-example
  /// gradient norms (Andrew, Thakkar, McMahan & Ramaswamy 2021, geometric update).
  public struct AdaptiveClipping: Sendable, Equatable {
    /// γ in (0, 1), default 0.5 (the median norm).
    public var targetQuantile: Double
    /// η > 0, default 0.2 (the paper's).
    public var learningRate: Double
    /// σ_b > 0, the noise on the count in examples; `nil` means the paper's default E/20 for the
    /// expected batch size E.
    public var countNoise: Double?

    public init(targetQuantile: Double = 0.5, learningRate: Double = 0.2, countNoise: Double? = nil) {
      self.targetQuantile = targetQuantile
      self.learningRate = learningRate
      self.countNoise = countNoise
    }
  }

  /// What the run actually used, filled in by the pipeline once the data size is known.
  public struct Resolved: Sendable, Equatable {
    public var noiseMultiplier: Double
    public var delta: Double
    public var sampleRate: Double
    public var steps: Int
    /// N: the training records, or under `unit: user` the users U.
    public var recordCount: Int
    /// Under adaptive clipping: the count noise σ_b used and the gradient's noise multiplier z_Δ.
    public var countNoise: Double?
    public var gradientNoiseMultiplier: Double?

    public init(
      noiseMultiplier: Double, delta: Double, sampleRate: Double, steps: Int, recordCount: Int, countNoise: Double? = nil,
      gradientNoiseMultiplier: Double? = nil
    ) {
      self.noiseMultiplier = noiseMultiplier
      self.delta = delta
      self.sampleRate = sampleRate
      self.steps = steps
      self.recordCount = recordCount
      self.countNoise = countNoise
      self.gradientNoiseMultiplier = gradientNoiseMultiplier
    }
  }

  public var budget: Budget
  /// `privacy.delta`; `nil` means the default for the number of training records.
  public var delta: Double?
  /// `privacy.max_grad_norm`, the clipping norm C.
  public var maxGradNorm: Double
  public var clipping: Clipping
  public var accountant: Accountant
  public var noise: Noise
  /// `privacy.adaptive_clipping`, or `nil` for a fixed clipping norm.
  public var adaptiveClipping: AdaptiveClipping?
  /// `privacy.unit`.
  public var unit: Unit = .record
  /// Set by the pipeline; `nil` in a recipe as read.
  public var resolved: Resolved?

  public init(
    budget: Budget, delta: Double?, maxGradNorm: Double, clipping: Clipping, accountant: Accountant, noise: Noise,
    adaptiveClipping: AdaptiveClipping? = nil, resolved: Resolved? = nil
  ) {
    self.adaptiveClipping = adaptiveClipping
    self.budget = budget
    self.delta = delta
    self.maxGradNorm = maxGradNorm
    self.clipping = clipping
    self.accountant = accountant
    self.noise = noise
    self.resolved = resolved
  }

  /// The default δ for `recordCount` training records: the largest power of ten strictly below
  /// 1/N (1e-5 for Fashion-MNIST's 60,000), the convention of Abadi et al. and Opacus' examples.
  public static func defaultDelta(recordCount: Int) -> Double {
    precondition(recordCount >= 1, "default δ needs at least one record")
    let inverse = 1 / Double(recordCount)
    var exponent = floor(log10(inverse))
    if pow(10, exponent) >= inverse { exponent -= 1 }
    return pow(10, exponent)
  }
}
