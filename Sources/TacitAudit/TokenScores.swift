import RealModule

/// Membership scores of a text from its per-token log-probabilities: the language-model attacks
/// that need no tensors, so they serve Tacit's own runs and any external LLM's log-probs alike
/// (issue 14; REFERENCES.md, "Language models").
///
/// Notation: a text of tokens x_0 … x_n; ℓ_t = log p(x_t | x_<t) for t = 1 … n (natural log; the
/// first token is never scored, and no BOS is added to imported models). Every score here is a
/// statistic where *lower* means "more surprising"; the audit negates those whose members score
/// lower (loss, ratios) so that higher always means "more likely a member".
///
/// - `loss` = −(1/n) Σ ℓ_t; `perplexity` = e^loss.
/// - `minK(k)` (Shi et al. 2024, "Detecting Pretraining Data from Large Language Models"): the mean
///   of the n' = max(1, ⌊k·n⌋) lowest ℓ_t (⌊k·n⌋ alone is 0 on short texts). At k = 1 it is
///   −loss.
/// - `minKPlusPlus(k)` (Zhang et al. 2025, "Min-K%++"): the same over
///   z_t = (ℓ_t − μ_t)/σ_t, where μ_t = Σ_v p_t(v) log p_t(v) and σ_t² = Σ_v p_t(v) (log p_t(v))² − μ_t²
///   are the mean and variance of log p under the model's own next-token distribution p_t at t.
///   A position with σ_t = 0 (a one-point distribution, or every token equally likely) carries no
///   evidence: its z_t is 0. At k = 1 it is the mean of the z_t.
/// - `zlibRatio` (Carlini et al. 2021; MIMIR's form): loss / (bytes of the text compressed by zlib
///   at level 6).
/// - `lowercaseRatio`: log-perplexity of the lower-cased text / log-perplexity of the text, i.e.
///   loss(lower) / loss.
/// - `referenceDifference`: loss(target) − loss(reference) (Carlini et al. 2021's reference-model
///   calibration; for a fine-tuned model the reference is the public pre-trained one).
public enum TokenScores {
  /// −(1/n) Σ ℓ_t; NaN for a text with no scored token.
  public static func loss(_ logProbabilities: [Double]) -> Double {
    guard !logProbabilities.isEmpty else { return .nan }
    return -logProbabilities.reduce(0, +) / Double(logProbabilities.count)
  }

  /// e^loss.
  public static func perplexity(_ logProbabilities: [Double]) -> Double {
    .exp(loss(logProbabilities))
  }

  /// The number of positions Min-K% averages: max(1, ⌊k·n⌋).
  ///
  /// - Precondition: 0 < k ≤ 1.
  public static func selectedCount(k: Double, tokens n: Int) -> Int {
    precondition(k > 0 && k <= 1, "Min-K% needs k in (0, 1], got \(k)")
    return max(1, Int((k * Double(n)).rounded(.down)))
  }

  /// The mean of the max(1, ⌊k·n⌋) lowest values; NaN for none.
  static func meanOfLowest(_ values: [Double], k: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let count = selectedCount(k: k, tokens: values.count)
    return values.sorted().prefix(count).reduce(0, +) / Double(count)
  }

  /// Min-K%: the mean of the max(1, ⌊k·n⌋) lowest ℓ_t (k = 0.2 by default).
  public static func minK(_ logProbabilities: [Double], k: Double = 0.2) -> Double {
    meanOfLowest(logProbabilities, k: k)
  }

  /// Min-K%++: the mean of the max(1, ⌊k·n⌋) lowest z_t = (ℓ_t − μ_t)/σ_t (0 where σ_t = 0).
  ///
  /// - Precondition: `means` and `standardDeviations` have one entry per ℓ_t; every σ_t ≥ 0.
  public static func minKPlusPlus(
    _ logProbabilities: [Double], means: [Double], standardDeviations: [Double], k: Double = 0.2
  ) -> Double {
    precondition(
      means.count == logProbabilities.count && standardDeviations.count == logProbabilities.count,
      "Min-K%++ needs μ_t and σ_t for each of the \(logProbabilities.count) tokens, got \(means.count) and \(standardDeviations.count)")
    let standardised = logProbabilities.indices.map { t in
      let sigma = standardDeviations[t]
      precondition(sigma >= 0, "σ_t must be ≥ 0, got \(sigma) at token \(t)")
      return sigma > 0 ? (logProbabilities[t] - means[t]) / sigma : 0
    }
    return meanOfLowest(standardised, k: k)
  }

  /// μ_t and σ_t of log p under a next-token distribution given by its log-probabilities
  /// (`logDistribution[v] = log p(v)`, normalised): μ = Σ p log p, σ² = Σ p (log p)² − μ²
  /// (clamped at 0 against rounding; the exact value is ≥ 0). Terms with p(v) = 0 contribute 0.
  public static func logProbabilityMoments(_ logDistribution: [Double]) -> (mean: Double, standardDeviation: Double) {
    var mean = 0.0
    var second = 0.0
    for logP in logDistribution where logP > -Double.infinity {
      let p = Double.exp(logP)
      mean += p * logP
      second += p * logP * logP
    }
    return (mean, max(0, second - mean * mean).squareRoot())
  }

  /// loss / zlib-compressed bytes (level 6) of the text.
  public static func zlibRatio(loss: Double, compressedBytes: Int) -> Double {
    precondition(compressedBytes > 0, "zlib output has at least 2 bytes, got \(compressedBytes)")
    return loss / Double(compressedBytes)
  }

  /// loss(lower-cased text) / loss(text).
  public static func lowercaseRatio(lowercaseLoss: Double, loss: Double) -> Double {
    lowercaseLoss / loss
  }

  /// loss(target) − loss(reference).
  public static func referenceDifference(targetLoss: Double, referenceLoss: Double) -> Double {
    targetLoss - referenceLoss
  }
}
