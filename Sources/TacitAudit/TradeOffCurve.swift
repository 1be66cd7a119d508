import RealModule
import TacitMath

/// A hypothesised trade-off curve f of f-differential privacy (Dong, Roth & Su 2022): for any test
/// of "the canary was left out" against "it was put in", a type II error of at least f(α) at type I
/// error α. The f-DP one-run audit (`FDPOneRunAudit`) works with the blow-up f̄(x) = 1 − f(x), the
/// largest power at level x, and its inverse.
///
/// - `gaussian(mu:)`: μ-GDP, f_μ(α) = Φ(Φ⁻¹(1 − α) − μ), so f̄(x) = Φ(Φ⁻¹(x) + μ) and
///   f̄⁻¹(y) = Φ(Φ⁻¹(y) − μ). DP-SGD's analysis (with PLD or CLT accounting) is of this shape.
/// - `approximate(epsilon:delta:)`: (ε, δ)-DP, f(α) = max(0, 1 − δ − e^ε α, e^{−ε}(1 − δ − α)), so
///   f̄(x) = min(1, δ + e^ε x, 1 − e^{−ε}(1 − δ − x)).
///
/// Both are symmetric (f = f⁻¹), which the one-run analysis needs: a canary's inclusion can be
/// tested in either direction. f̄ is concave and non-decreasing on [0, 1]; f̄⁻¹(y) is the smallest
/// x with f̄(x) ≥ y (0 for y ≤ f̄(0), which is δ for (ε, δ)-DP).
///
/// Numerics: Φ and Φ⁻¹ from `StandardNormal` (Φ⁻¹ to a few ulps for y ≤ ½; above ½ only the
/// absolute precision 1e-16 of y carries over, which is all the audit's sums of probabilities use).
public enum TradeOffCurve: Sendable, Equatable, Codable {
  /// μ-GDP with μ ≥ 0 (μ = 0: perfect privacy; μ = +∞: none).
  case gaussian(mu: Double)
  /// (ε, δ)-DP with ε ≥ 0 and 0 ≤ δ < 1.
  case approximate(epsilon: Double, delta: Double)

  /// f(α), the least type II error at type I error α ∈ [0, 1].
  public func typeTwoError(atTypeOneError alpha: Double) -> Double {
    1 - blowUp(alpha)
  }

  /// f̄(x) = 1 − f(x) for x ∈ [0, 1].
  public func blowUp(_ x: Double) -> Double {
    precondition(x >= 0 && x <= 1, "f̄ needs x in [0, 1], got \(x)")
    switch self {
    case .gaussian(let mu):
      precondition(mu >= 0, "μ must be non-negative, got \(mu)")
      if mu == .infinity { return x > 0 ? 1 : 0 }
      return StandardNormal.cdf(StandardNormal.quantile(x) + mu)
    case .approximate(let epsilon, let delta):
      Self.checkApproximate(epsilon: epsilon, delta: delta)
      let low = delta + Double.exp(epsilon) * x
      let high = 1 - Double.exp(-epsilon) * (1 - delta - x)
      return min(1, low, high)
    }
  }

  /// f̄⁻¹(y) for y ∈ [0, 1]: the smallest x with f̄(x) ≥ y.
  public func inverseBlowUp(_ y: Double) -> Double {
    precondition(y >= 0 && y <= 1, "f̄⁻¹ needs y in [0, 1], got \(y)")
    switch self {
    case .gaussian(let mu):
      precondition(mu >= 0, "μ must be non-negative, got \(mu)")
      if mu == .infinity { return 0 }
      return StandardNormal.cdf(StandardNormal.quantile(y) - mu)
    case .approximate(let epsilon, let delta):
      Self.checkApproximate(epsilon: epsilon, delta: delta)
      if y <= delta { return 0 }
      // The two affine pieces of f̄ meet at x = (1 − δ)/(1 + e^ε), where f̄ = δ + e^ε x.
      let corner = (1 - delta) / (1 + Double.exp(epsilon))
      if y <= delta + Double.exp(epsilon) * corner { return (y - delta) * Double.exp(-epsilon) }
      return max(0, 1 - delta - Double.exp(epsilon) * (1 - y))
    }
  }

  static func checkApproximate(epsilon: Double, delta: Double) {
    precondition(epsilon >= 0 && !epsilon.isNaN, "ε must be non-negative, got \(epsilon)")
    precondition(delta >= 0 && delta < 1, "δ must be in [0, 1), got \(delta)")
  }
}
