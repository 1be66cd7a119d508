import RealModule
import TacitMath

extension TradeOffCurve {
  /// The largest AUC any membership attack can have against a mechanism with this trade-off
  /// curve: the area under the best ROC curve, ∫₀¹ f̄(x) dx, since an attack's true-positive rate
  /// at false-positive rate x is at most f̄(x) = 1 − f(x) (Dong, Roth & Su 2022).
  ///
  /// - μ-GDP: ∫₀¹ Φ(Φ⁻¹(x) + μ) dx = P(Z₁ − Z₂ ≤ μ) = Φ(μ/√2) for independent standard normals.
  /// - (ε, δ)-DP: f̄ rises as δ + e^ε x up to the corner x₁ = (1 − δ)/(1 + e^ε), then as
  ///   1 − e^{−ε}(1 − δ − x) up to x₂ = 1 − δ, then stays at 1, so
  ///   AUC = δx₁ + e^ε x₁²/2 + (x₂ − x₁) − e^{−ε}(1 − δ − x₁)²/2 + δ.
  ///   (ε, δ) = (0, 0) gives ½; (1, 0) gives 0.731; (8, 10⁻⁵) gives 0.99966, so at a large ε an
  ///   AUC says little and the low-FPR rates and the ε lower bounds carry the audit.
  public var maximumAUC: Double {
    switch self {
    case .gaussian(let mu):
      precondition(mu >= 0, "μ must be non-negative, got \(mu)")
      return mu == .infinity ? 1 : StandardNormal.cdf(mu / 2.0.squareRoot())
    case .approximate(let epsilon, let delta):
      Self.checkApproximate(epsilon: epsilon, delta: delta)
      if epsilon == .infinity { return 1 }
      let growth = Double.exp(epsilon)
      let corner = (1 - delta) / (1 + growth), top = 1 - delta
      let rising = delta * corner + growth * corner * corner / 2
      let flattening = (top - corner) - (top - corner) * (top - corner) / (2 * growth)
      return min(1, rising + flattening + delta)
    }
  }
}
