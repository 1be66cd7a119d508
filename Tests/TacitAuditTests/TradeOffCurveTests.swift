import RealModule
import Testing

@testable import TacitAudit

/// The trade-off curves against their closed forms (Φ from `erfc` in the test support, not
/// `StandardNormal`), and f̄⁻¹ against f̄.
@Suite struct TradeOffCurveTests {
  @Test(arguments: [0.25, 1.0, 3.0])
  func gaussianMatchesTheClosedForm(mu: Double) {
    let curve = TradeOffCurve.gaussian(mu: mu)
    for alpha in [1e-6, 0.01, 0.2, 0.5, 0.9] {
      // f_μ(α) = Φ(Φ⁻¹(1 − α) − μ); Φ⁻¹ here by bisection on the test's Φ.
      var low = -40.0
      var high = 40.0
      for _ in 0..<200 {
        let middle = (low + high) / 2
        if standardNormalCDF(middle) < 1 - alpha { low = middle } else { high = middle }
      }
      let expected = standardNormalCDF(low - mu)
      let value = curve.typeTwoError(atTypeOneError: alpha)
      #expect(abs(value - expected) < 1e-9, "μ = \(mu), α = \(alpha): \(value) vs \(expected)")
    }
  }

  @Test func inverseBlowUpInvertsTheBlowUp() {
    let curves: [TradeOffCurve] = [
      .gaussian(mu: 0.5), .gaussian(mu: 2), .approximate(epsilon: 1, delta: 0), .approximate(epsilon: 2, delta: 1e-3),
    ]
    for curve in curves {
      for x in [1e-7, 1e-3, 0.05, 0.3, 0.6] {
        let y = curve.blowUp(x)
        let back = curve.inverseBlowUp(y)
        #expect(abs(back - x) < 1e-9 * max(1, x / 1e-3), "\(curve): f̄⁻¹(f̄(\(x))) = \(back)")
      }
    }
  }

  /// (ε, δ)-DP: f̄(x) = min(1, δ + e^ε x, 1 − e^{−ε}(1 − δ − x)); below δ nothing is needed.
  @Test func approximateDPPieces() {
    let curve = TradeOffCurve.approximate(epsilon: Double.log(3), delta: 0.01)
    #expect(abs(curve.blowUp(0.1) - 0.31) < 1e-12)
    #expect(abs(curve.blowUp(0.5) - (1 - (1 - 0.01 - 0.5) / 3)) < 1e-12)
    #expect(curve.blowUp(1) == 1)
    #expect(curve.inverseBlowUp(0.005) == 0)
    #expect(abs(curve.inverseBlowUp(0.31) - 0.1) < 1e-12)
    // Symmetric: f(f(α)) = α on the affine pieces.
    let alpha = 0.1
    #expect(abs(curve.typeTwoError(atTypeOneError: curve.typeTwoError(atTypeOneError: alpha)) - alpha) < 1e-12)
  }

  /// The largest AUC, ∫₀¹ f̄: the closed forms (Φ(μ/√2); e^ε/(1 + e^ε) at δ = 0) and a midpoint
  /// sum of f̄ over 2·10⁵ points.
  @Test func maximumAUCIsTheAreaUnderTheBlowUp() {
    let curves: [TradeOffCurve] = [
      .gaussian(mu: 0), .gaussian(mu: 0.5), .gaussian(mu: 2), .approximate(epsilon: 0, delta: 0),
      .approximate(epsilon: 1, delta: 0), .approximate(epsilon: 1, delta: 0.05), .approximate(epsilon: 3, delta: 1e-5),
      .approximate(epsilon: 8, delta: 1e-5),
    ]
    let points = 200_000
    for curve in curves {
      let sum = (0..<points).reduce(0.0) { $0 + curve.blowUp((Double($1) + 0.5) / Double(points)) } / Double(points)
      #expect(abs(curve.maximumAUC - sum) < 2e-6, "\(curve): \(curve.maximumAUC) against \(sum)")
    }
    #expect(TradeOffCurve.gaussian(mu: 0).maximumAUC == 0.5)
    #expect(abs(TradeOffCurve.gaussian(mu: 1).maximumAUC - 0.760_249_938_906_523_6) < 1e-12)  // Φ(1/√2)
    for epsilon in [0.0, 0.5, 1, 8] {
      let expected = Double.exp(epsilon) / (1 + Double.exp(epsilon))
      #expect(abs(TradeOffCurve.approximate(epsilon: epsilon, delta: 0).maximumAUC - expected) < 1e-12)
    }
    #expect(TradeOffCurve.approximate(epsilon: .infinity, delta: 0).maximumAUC == 1)
    #expect(TradeOffCurve.gaussian(mu: .infinity).maximumAUC == 1)
  }
}
