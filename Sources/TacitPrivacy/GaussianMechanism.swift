import RealModule
import TacitMath

/// The exact privacy profile of the Gaussian mechanism, μ = sensitivity/σ (equivalently
/// μ-Gaussian differential privacy).
///
/// Balle & Wang 2018, "Improving the Gaussian Mechanism for Differential Privacy", Thm. 8; Dong,
/// Roth & Su 2022, "Gaussian Differential Privacy", Cor. 2.13: the mechanism is (ε, δ)-DP
/// exactly for
///
///     δ(ε; μ) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2),
///
/// decreasing in ε (from δ(0) = 2Φ(μ/2) − 1) and increasing in μ. Φ is evaluated through erfc so
/// that both terms keep their relative precision deep in the tails; the second term is formed as
/// exp(ε + log Φ(·)) so that e^ε never overflows on its own. Check value (dp_accounting):
/// δ(1; 1) = 0.126936.
///
/// The inverses (ε for δ, μ for (ε, δ)) are found by bisection to the last bit (≈ 60 steps after
/// bracketing). The audit stage uses them to turn an estimated μ into ε and back.
public enum GaussianMechanism {
  /// δ(ε; μ) for ε ≥ 0 (any real ε is accepted; for ε < 0 the formula still holds) and μ ≥ 0.
  /// μ = 0 gives 0; μ = ∞ gives 1.
  public static func delta(epsilon: Double, mu: Double) -> Double {
    precondition(mu >= 0 && !mu.isNaN, "mu \(mu) must be ≥ 0")
    precondition(!epsilon.isNaN, "epsilon is NaN")
    if mu == 0 { return epsilon >= 0 ? 0 : 1 - Double.exp(epsilon) }
    if mu == .infinity { return 1 }
    let first = StandardNormal.cdf(-epsilon / mu + mu / 2)
    let secondLog = epsilon + StandardNormal.logCDF(-epsilon / mu - mu / 2)
    let second = secondLog == -Double.infinity ? 0 : Double.exp(secondLog)
    return min(1, max(0, first - second))
  }

  /// The smallest ε ≥ 0 with δ(ε; μ) ≤ `delta` ∈ (0, 1): the ε of a μ-GDP mechanism at δ.
  public static func epsilon(delta: Double, mu: Double) -> Double {
    precondition(delta > 0 && delta < 1, "delta \(delta) outside (0, 1)")
    precondition(mu >= 0 && mu.isFinite, "mu \(mu) must be finite and ≥ 0")
    if Self.delta(epsilon: 0, mu: mu) <= delta { return 0 }
    var low = 0.0
    var high = 1.0
    while Self.delta(epsilon: high, mu: mu) > delta {
      low = high
      high *= 2
    }
    return bisect(low: low, high: high) { Self.delta(epsilon: $0, mu: mu) > delta }
  }

  /// The largest μ with δ(ε; μ) ≤ `delta`: the μ-GDP a mechanism must not exceed to be (ε, δ)-DP.
  public static func mu(epsilon: Double, delta: Double) -> Double {
    precondition(delta > 0 && delta < 1, "delta \(delta) outside (0, 1)")
    precondition(epsilon >= 0 && epsilon.isFinite, "epsilon \(epsilon) must be finite and ≥ 0")
    var low = 0.0
    var high = 1.0
    while Self.delta(epsilon: epsilon, mu: high) <= delta {
      low = high
      high *= 2
    }
    // Invariant: δ(ε; low) ≤ delta < δ(ε; high); return the lower end (never exceeds delta).
    var (lo, hi) = (low, high)
    while true {
      let middle = lo + (hi - lo) / 2
      if middle <= lo || middle >= hi { return lo }
      if Self.delta(epsilon: epsilon, mu: middle) <= delta { lo = middle } else { hi = middle }
    }
  }

  /// Bisection for the boundary of a predicate true below and false above; returns the upper
  /// end (where the predicate is false), so that the answer is always on the safe side.
  static func bisect(low: Double, high: Double, isBelow: (Double) -> Bool) -> Double {
    var (lo, hi) = (low, high)
    while true {
      let middle = lo + (hi - lo) / 2
      if middle <= lo || middle >= hi { return hi }
      if isBelow(middle) { lo = middle } else { hi = middle }
    }
  }
}
