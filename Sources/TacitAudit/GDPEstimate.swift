import RealModule
import TacitMath

/// A Gaussian-DP estimate of ε from an attack's error rates (Nasr et al. 2023, "Tight auditing
/// of differentially private machine learning"; Dong, Roth & Su 2022 for μ-GDP). Always an
/// estimate, never a bound: it assumes the mechanism's trade-off curve is Gaussian.
///
/// A μ-GDP mechanism's tests satisfy FNR ≥ Φ(Φ⁻¹(1 − FPR) − μ), so one test with rates
/// (FPR, FNR) suggests μ = Φ⁻¹(1 − FPR) − Φ⁻¹(FNR). μ-GDP is (ε, δ)-DP exactly on the curve
/// δ(ε) = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2) (Balle & Wang 2018: the Gaussian mechanism with
/// sensitivity/σ = μ), which `epsilon(mu:delta:)` inverts.
public enum GDPEstimate {
  /// μ = |Φ⁻¹(1 − FPR) − Φ⁻¹(FNR)| (evaluated as |Φ⁻¹(FPR) + Φ⁻¹(FNR)|, accurate for tiny
  /// rates); +∞ when a rate is 0 and the other below 1.
  public static func mu(falsePositiveRate: Double, falseNegativeRate: Double) -> Double {
    precondition(
      (0...1).contains(falsePositiveRate) && (0...1).contains(falseNegativeRate),
      "error rates must be in [0, 1], got FPR = \(falsePositiveRate), FNR = \(falseNegativeRate)")
    return abs(signedMu(falsePositiveRate: falsePositiveRate, falseNegativeRate: falseNegativeRate))
  }

  /// Φ⁻¹(1 − FPR) − Φ⁻¹(FNR): positive when the test beats chance in the stated direction.
  static func signedMu(falsePositiveRate: Double, falseNegativeRate: Double) -> Double {
    let value = -StandardNormal.quantile(falsePositiveRate) - StandardNormal.quantile(falseNegativeRate)
    return value.isNaN ? 0 : value
  }

  /// δ(ε) of μ-GDP: Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2), formed in log space so neither term
  /// underflows: δ = Φ(a)·(−expm1(ε + log Φ(b) − log Φ(a))).
  public static func delta(epsilon: Double, mu: Double) -> Double {
    precondition(mu > 0 && mu.isFinite, "μ must be a positive finite number, got \(mu)")
    let logFirst = StandardNormal.logCDF(-epsilon / mu + mu / 2)
    let logSecond = epsilon + StandardNormal.logCDF(-epsilon / mu - mu / 2)
    return Double.exp(logFirst) * -Double.expMinusOne(logSecond - logFirst)
  }

  /// The ε at which μ-GDP gives δ: solves δ = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2) by bisection
  /// (δ(ε) is decreasing) to 1e-12 relative. 0 when μ = 0 or δ ≥ δ(0); +∞ when μ = +∞ or δ = 0
  /// with μ > 0 (a Gaussian trade-off has no finite ε at δ = 0).
  public static func epsilon(mu: Double, delta: Double) -> Double {
    precondition(mu >= 0, "μ must be non-negative, got \(mu)")
    precondition(delta >= 0 && delta < 1, "δ must be in [0, 1), got \(delta)")
    if mu == 0 { return 0 }
    if mu == .infinity || delta == 0 { return .infinity }
    if Self.delta(epsilon: 0, mu: mu) <= delta { return 0 }
    var low = 0.0
    var high = 1.0
    while Self.delta(epsilon: high, mu: mu) > delta { (low, high) = (high, 2 * high) }
    while high - low > 1e-12 * high {
      let middle = (low + high) / 2
      if Self.delta(epsilon: middle, mu: mu) > delta { low = middle } else { high = middle }
    }
    return (low + high) / 2
  }

  /// From membership scores: the largest μ over the ROC thresholds with each test's FPR and FNR
  /// replaced by one-sided Clopper–Pearson upper bounds at α = (1 − confidence)/2 each (so a
  /// lucky threshold is discounted), then ε at δ. Only the stated direction counts (high score =
  /// member): a threshold whose bounded rates are worse than chance gives μ = 0, not |μ|.
  /// Cost: as `HypothesisTestBound` (Clopper–Pearson inversions only where they can matter).
  public static func estimate(_ scores: MembershipScores, delta: Double, confidence: Double) -> (
    mu: Double, epsilon: Double
  ) {
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    let curve = ROCCurve(scores)
    let search = ThresholdSearch.maximise(curve, alphaEach: (1 - confidence) / 2) {
      signedMu(falsePositiveRate: $0, falseNegativeRate: $1)
    }
    let best = max(0, search.value)
    return (best, epsilon(mu: best, delta: delta))
  }
}
