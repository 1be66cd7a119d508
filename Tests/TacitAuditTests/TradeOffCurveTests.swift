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
}
