import TacitAudit

/// A run's canary audit: the one-run bounds (`OneRunCanaryAudit`: both analyses, the Bonferroni
/// grid or the recipe's fixed guesses), the ceiling, the white-box mechanism checks and which
/// parts of the implementation the canaries went through.
public struct CanaryResult {
  /// "gradient" or "mislabeled".
  public var kind: String
  /// m.
  public var count: Int
  /// The headline analysis' guesses r and correct guesses v.
  public var guesses: Int
  public var correct: Int
  /// The headline: the larger of the analyses' bounds.
  public var epsilonLowerBound: Double
  /// The most this audit could show whatever the scores (`OneRunCeiling`): the bound if every
  /// guess were right, the best grid entry and analysis, at the corrected confidence.
  public var ceiling: Double
  /// The confidence of the headline (the run's per-bound confidence 1 − α/B).
  public var confidence: Double
  /// How the guesses were chosen, in words.
  public var selection: String
  /// One bound per analysis (`OneRunCanaryAudit.analyses`), each at `confidence`'s 1 − α/2.
  public var bounds: [OneRunCanaryAudit.Bound]
  /// White-box checks of the mechanism measured by gradient canaries during training (empty for
  /// mislabeled canaries, or when the training code measured none).
  public var mechanismChecks: [MechanismCheck]
  /// The implementation paths the canaries exercised, in words (`paths(kind:)`).
  public var paths: [String]
  public var scores: [Double]
  public var included: [Bool]

  /// The result of `audit` on canaries of `kind` with their scores, checks and paths.
  public init(
    kind: String, audit: OneRunCanaryAudit, scores: [Double], included: [Bool], mechanismChecks: [MechanismCheck],
    paths: [String]
  ) {
    let headline = audit.headline
    self.kind = kind
    count = audit.canaries
    guesses = headline.guesses
    correct = headline.correct
    epsilonLowerBound = headline.epsilonLowerBound
    ceiling = audit.ceiling
    confidence = audit.confidence
    selection = audit.selection
    bounds = audit.bounds
    self.mechanismChecks = mechanismChecks
    self.paths = paths
    self.scores = scores
    self.included = included
  }

  /// The checks that failed (each makes the verdict VIOLATION).
  public var failedChecks: [MechanismCheck] { mechanismChecks.filter { $0.status == .failed } }
  /// The checks that deviate in the harmless direction (a caveat only).
  public var deviatingChecks: [MechanismCheck] { mechanismChecks.filter { $0.status == .deviates } }

  /// What canaries of `kind` go through: a gradient canary is a virtual record of the sampled
  /// pool whose gradient is injected before clipping, so it exercises the sampler, the clipping,
  /// the noise and the accountant's parameters but not the data, model or loss; a mislabeled
  /// canary is a real record and exercises everything up to the released model.
  public static func paths(kind: String) -> [String] {
    switch kind {
    case "gradient":
      return [
        "Poisson sampler (canaries are virtual records of the sampled pool)", "per-example clip factors (raw norm 10·C)",
        "noise addition", "the accountant's q, σ, T",
      ]
    case "mislabeled":
      return ["the whole pipeline: data, sampler, forward/backward, per-example clipping, noise, the released model"]
    default:
      return []
    }
  }
}
