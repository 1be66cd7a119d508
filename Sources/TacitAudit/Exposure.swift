import RealModule

/// The secret sharer's exposure (Carlini, Liu, Erlingsson, Kos & Song 2019, "The Secret Sharer:
/// Evaluating and Testing Unintended Memorization in Neural Networks", §4): how far a model ranks
/// an inserted canary ahead of the other candidates of its format.
///
/// A canary is one value r of a randomness space R (e.g. the 10⁶ six-digit PINs of "my PIN is
/// {digits:6}"); every candidate is scored by its log-perplexity under the model (lower = the
/// model finds it likelier). With rank(r) the canary's position among all |R| candidates sorted
/// by log-perplexity (1 = the likeliest),
///
///     exposure(r) = log₂|R| − log₂ rank(r),
///
/// between 0 (the canary ranks last) and log₂|R| (first): a model that memorised the canary
/// ranks it first. Ties take the mid-rank, 1 + #{lower} + #{equal others}/2.
///
/// When R is too large to score whole, exposure is extrapolated (§4.3): a skew-normal fitted to
/// the log-perplexities of a uniform sample of candidates gives P(X ≤ x_r) ≈ rank/|R|, so
/// exposure ≈ −log₂ P(X ≤ x_r); the space's size drops out.
public enum Exposure {
  /// The exact exposure of a canary scoring `canary` among `candidates` (all |R| candidates'
  /// scores, the canary's own included once).
  ///
  /// - Precondition: `candidates` is not empty.
  public static func exact(canary: Double, candidates: [Double]) -> Double {
    precondition(!candidates.isEmpty, "exposure needs the candidates' scores")
    var lower = 0
    var equal = 0
    for score in candidates {
      if score < canary { lower += 1 } else if score == canary { equal += 1 }
    }
    let rank = 1 + Double(lower) + Double(max(equal - 1, 0)) / 2
    return Double.log2(Double(candidates.count)) - Double.log2(rank)
  }

  /// The extrapolated exposure −log₂ F(canary), F the skew-normal fitted to `sample` (scores of
  /// uniformly drawn candidates), and the fit.
  ///
  /// - Precondition: at least 3 sample scores, not all equal.
  public static func extrapolated(canary: Double, sample: [Double]) -> (exposure: Double, fit: SkewNormal) {
    let fit = SkewNormal(fittingMomentsOf: sample)
    let probability = fit.cdf(canary)
    return (probability > 0 ? -Double.log2(probability) : .infinity, fit)
  }
}
