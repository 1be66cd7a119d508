/// Exact (Clopper–Pearson 1934) confidence bounds for a binomial proportion from k successes in
/// n trials, through the beta quantiles:
///
/// - upper bound p_hi: P[Bin(n, p_hi) ≤ k] = α, i.e. 1 − I_{p_hi}(k + 1, n − k) = α (1 when k = n);
/// - lower bound p_lo: P[Bin(n, p_lo) ≥ k] = α, i.e. I_{p_lo}(k, n − k + 1) = α (0 when k = 0).
///
/// Each one-sided bound holds with probability at least 1 − α whatever the true p (the
/// guarantee is exact, not asymptotic, which is what an ε lower bound needs). Both are solved
/// on the side of the incomplete beta that stays accurate for tiny α (see `IncompleteBeta`).
public enum ClopperPearson {
  /// The one-sided upper bound p_hi with P[Bin(n, p_hi) ≤ k] = α (1 when k == n).
  public static func upperBound(successes: Int, trials: Int, alpha: Double) -> Double {
    check(successes: successes, trials: trials, alpha: alpha)
    if successes == trials { return 1 }
    return IncompleteBeta.inverse(a: Double(successes + 1), b: Double(trials - successes), complement: alpha)
  }

  /// The one-sided lower bound p_lo with P[Bin(n, p_lo) ≥ k] = α (0 when k == 0).
  public static func lowerBound(successes: Int, trials: Int, alpha: Double) -> Double {
    check(successes: successes, trials: trials, alpha: alpha)
    if successes == 0 { return 0 }
    return IncompleteBeta.inverse(a: Double(successes), b: Double(trials - successes + 1), probability: alpha)
  }

  /// The two-sided interval at `confidence`: each side at α = (1 − confidence)/2.
  public static func interval(successes: Int, trials: Int, confidence: Double) -> ConfidenceInterval {
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    let alpha = (1 - confidence) / 2
    return ConfidenceInterval(
      lower: lowerBound(successes: successes, trials: trials, alpha: alpha),
      upper: upperBound(successes: successes, trials: trials, alpha: alpha), confidence: confidence)
  }

  private static func check(successes: Int, trials: Int, alpha: Double) {
    precondition(
      trials >= 1 && successes >= 0 && successes <= trials,
      "need 0 ≤ successes ≤ trials, trials ≥ 1: got \(successes) of \(trials)")
    precondition(alpha > 0 && alpha < 1, "alpha must be in (0, 1), got \(alpha)")
  }
}
