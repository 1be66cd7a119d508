import TacitPrivacy

/// What a private run can claim, computed after training: ε from every accountant at the run's
/// δ, the claim (the recipe's accountant), and every caveat the accountant does not cover.
///
/// Plain figures (the pipeline builds it from its privacy plan, `PrivacyReport+Plan.swift`);
/// rendered as `privacy.json`, the `privacy` object of `summary.json`, log lines and the
/// report's privacy section (`PrivacyReport+Rendering.swift`).
public struct PrivacyReport: Sendable {
  /// ε by one accountant, or why it could not analyse the run.
  public struct Figure: Sendable {
    public var accountant: String
    public var epsilon: Double?
    public var isApproximation: Bool
    public var error: String?

    public init(accountant: String, epsilon: Double?, isApproximation: Bool, error: String?) {
      self.accountant = accountant
      self.epsilon = epsilon
      self.isApproximation = isApproximation
      self.error = error
    }
  }

  /// Adaptive clipping's settings and where its count noise came from (Andrew et al. 2021, §3.1).
  public struct AdaptiveClipping: Sendable {
    /// γ, η and σ_b, as the training used them.
    public var settings: AdaptiveClippingSettings
    /// Where σ_b came from, e.g. `default: expected batch size / 20`.
    public var countNoiseSource: String

    public init(settings: AdaptiveClippingSettings, countNoiseSource: String) {
      self.settings = settings
      self.countNoiseSource = countNoiseSource
    }
  }

  /// The mechanism as planned: DP-SGD's parameters, the ledger and the recipe's choices.
  public struct Plan: Sendable {
    public var delta: Double
    /// The effective noise multiplier σ the accountants see.
    public var noiseMultiplier: Double
    /// The gradient's noise multiplier: z_Δ under adaptive clipping, else σ.
    public var gradientNoiseMultiplier: Double
    /// How σ was chosen, e.g. `given in the recipe`.
    public var noiseMultiplierSource: String
    /// Poisson sampling rate q.
    public var sampleRate: Double
    /// qN, the divisor of the noisy sum.
    public var expectedBatchSize: Double
    /// N, the records DP-SGD samples from (the users U under `privacy.unit: user`).
    public var recordCount: Int
    /// `privacy.unit`'s users: the training records the U users hold; `nil` for record-level
    /// DP-SGD, where every record is its own unit.
    public var userRecordCount: Int?
    /// T, the steps the accountants count: the planned ones, plus `extraSteps`.
    public var steps: Int
    /// Steps counted beyond the plan because the run resumed after an interruption and took
    /// again the epochs the interrupted attempts had started; 0 otherwise.
    public var extraSteps = 0
    public var stepsPerEpoch: Int
    /// C (the initial norm under adaptive clipping).
    public var maxGradNorm: Double
    /// The recipe's `privacy.accountant`: `pld`, `rdp` or `gdp`.
    public var accountant: String
    /// The recipe's `privacy.clipping`: `flat` or `per_layer`.
    public var clipping: String
    /// The recipe's `privacy.noise`: `secure` or `seeded`.
    public var noise: String
    /// What the accountants analyse.
    public var event: DPEvent
    /// `nil` with a fixed clipping norm.
    public var adaptiveClipping: AdaptiveClipping?
    /// The private feature normalisation composed with DP-SGD (then `event` is their
    /// composition); `nil` without one.
    public var featureNormalization: FeatureNormalization?

    /// Whether the noise came from the recipe seed (reproducible, not for release).
    public var isSeededNoise: Bool { noise == "seeded" }

    public init(
      delta: Double, noiseMultiplier: Double, gradientNoiseMultiplier: Double, noiseMultiplierSource: String,
      sampleRate: Double, expectedBatchSize: Double, recordCount: Int, steps: Int, stepsPerEpoch: Int,
      maxGradNorm: Double, accountant: String, clipping: String, noise: String, event: DPEvent,
      adaptiveClipping: AdaptiveClipping?
    ) {
      self.delta = delta
      self.noiseMultiplier = noiseMultiplier
      self.gradientNoiseMultiplier = gradientNoiseMultiplier
      self.noiseMultiplierSource = noiseMultiplierSource
      self.sampleRate = sampleRate
      self.expectedBatchSize = expectedBatchSize
      self.recordCount = recordCount
      self.steps = steps
      self.stepsPerEpoch = stepsPerEpoch
      self.maxGradNorm = maxGradNorm
      self.accountant = accountant
      self.clipping = clipping
      self.noise = noise
      self.event = event
      self.adaptiveClipping = adaptiveClipping
    }
  }

  public let plan: Plan
  public let figures: [Figure]
  public let claimedEpsilon: Double
  public var caveats: [String]
  /// Under adaptive clipping, the clipping norm at the end of training (`nil` otherwise).
  public var finalClipNorm: Double?

  public init(plan: Plan, figures: [Figure], claimedEpsilon: Double, caveats: [String], finalClipNorm: Double? = nil) {
    self.plan = plan
    self.figures = figures
    self.claimedEpsilon = claimedEpsilon
    self.caveats = caveats
    self.finalClipNorm = finalClipNorm
  }
}
