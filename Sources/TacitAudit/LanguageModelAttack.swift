/// The per-text language-model membership attacks over per-token log-probabilities
/// (`TokenScores`), by the names `tacit score --json` and `tacit audit lm-scores` use.
///
/// Each attack's `value` is the raw statistic of `TokenScores` (as `tacit score --json` prints
/// it); `membershipScore` orients it so that higher means "more likely a member", the convention
/// of `MembershipScores`: loss, zlib ratio and reference difference are lower for members
/// (negated); Min-K%, Min-K%++ and the lowercase ratio are higher for members (kept). A text
/// whose log-probs lack an attack's inputs (no μ/σ, no lower-cased or reference log-probs, no
/// text) has no value for it.
public enum LanguageModelAttack: String, CaseIterable, Sendable {
  case loss
  case zlibRatio = "zlib_ratio"
  case lowercaseRatio = "lowercase_ratio"
  case minK = "min_k"
  case minKPlusPlus = "min_k_plus_plus"
  case referenceRatio = "reference_ratio"

  /// What one text brings to the attacks: ℓ_t for t = 1 … n and the optional inputs.
  public struct Inputs: Sendable, Equatable {
    /// ℓ_t = log p(x_t | x_<t), `[n]`.
    public var tokenLogProbabilities: [Double]
    /// μ_t and σ_t of log p under the model's next-token distribution at t, `[n]` each.
    public var means: [Double]?
    public var standardDeviations: [Double]?
    /// ℓ_t of the lower-cased text (its own tokens, so its own length).
    public var lowercaseTokenLogProbabilities: [Double]?
    /// ℓ_t of the text under the reference model (its own tokenizer, so its own length).
    public var referenceTokenLogProbabilities: [Double]?
    /// The size of the text's UTF-8 bytes compressed by zlib at level 6.
    public var compressedBytes: Int?

    public init(
      tokenLogProbabilities: [Double], means: [Double]? = nil, standardDeviations: [Double]? = nil,
      lowercaseTokenLogProbabilities: [Double]? = nil, referenceTokenLogProbabilities: [Double]? = nil,
      compressedBytes: Int? = nil
    ) {
      self.tokenLogProbabilities = tokenLogProbabilities
      self.means = means
      self.standardDeviations = standardDeviations
      self.lowercaseTokenLogProbabilities = lowercaseTokenLogProbabilities
      self.referenceTokenLogProbabilities = referenceTokenLogProbabilities
      self.compressedBytes = compressedBytes
    }
  }

  /// The raw statistic (`TokenScores`), `nil` without its inputs; NaN for a text with no scored
  /// token. `k` is Min-K%'s fraction, in (0, 1].
  public func value(_ inputs: Inputs, k: Double) -> Double? {
    let logProbabilities = inputs.tokenLogProbabilities
    switch self {
    case .loss: return TokenScores.loss(logProbabilities)
    case .zlibRatio:
      return inputs.compressedBytes.map { TokenScores.zlibRatio(loss: TokenScores.loss(logProbabilities), compressedBytes: $0) }
    case .lowercaseRatio:
      return inputs.lowercaseTokenLogProbabilities.map {
        TokenScores.lowercaseRatio(lowercaseLoss: TokenScores.loss($0), loss: TokenScores.loss(logProbabilities))
      }
    case .minK: return TokenScores.minK(logProbabilities, k: k)
    case .minKPlusPlus:
      guard let means = inputs.means, let deviations = inputs.standardDeviations else { return nil }
      return TokenScores.minKPlusPlus(logProbabilities, means: means, standardDeviations: deviations, k: k)
    case .referenceRatio:
      return inputs.referenceTokenLogProbabilities.map {
        TokenScores.referenceDifference(targetLoss: TokenScores.loss(logProbabilities), referenceLoss: TokenScores.loss($0))
      }
    }
  }

  /// +1 when members score higher on the raw statistic, −1 when lower.
  public var memberDirection: Double {
    switch self {
    case .loss, .zlibRatio, .referenceRatio: -1
    case .lowercaseRatio, .minK, .minKPlusPlus: 1
    }
  }

  /// The statistic oriented so that higher means "more likely a member".
  public func membershipScore(_ inputs: Inputs, k: Double) -> Double? {
    value(inputs, k: k).map { memberDirection * $0 }
  }

  /// A short description for reports.
  public var summary: String {
    switch self {
    case .loss: "mean −log p (perplexity attack; lower = member)"
    case .zlibRatio: "loss / zlib-6 bytes (lower = member)"
    case .lowercaseRatio: "loss(lower-cased) / loss (higher = member)"
    case .minK: "mean of the lowest k·n log p (higher = member)"
    case .minKPlusPlus: "Min-K% over (log p − μ)/σ (higher = member)"
    case .referenceRatio: "loss − reference loss (lower = member)"
    }
  }
}
