import TacitMath
import Testing

@testable import TacitAudit

@Suite struct StandardNormalTests {
  /// Reference quantiles from scipy.stats.norm.ppf.
  @Test(arguments: [
    (0.975, 1.959963984540054), (0.5, 0.0), (0.1, -1.2815515655446004), (1e-10, -6.361340902404056),
    (1e-300, -37.0470962993612), (0.999, 3.090232306167813),
  ])
  func quantileMatchesSciPy(probability: Double, expected: Double) {
    let value = StandardNormal.quantile(probability)
    #expect(abs(value - expected) <= 4e-15 * max(1, abs(expected)), "Φ⁻¹(\(probability)) = \(value), expected \(expected)")
  }

  /// Φ(Φ⁻¹(p)) = p up to the conditioning of Φ: an error of a few ulps in x = Φ⁻¹(p) moves
  /// Φ by the relative amount |x|·dx ≈ x²·1e-16·k, so the tolerance is 1e-15·max(1, x²).
  @Test func quantileInvertsTheCDF() {
    var probability = 1e-250
    while probability < 0.5 {
      let quantile = StandardNormal.quantile(probability)
      let roundTrip = StandardNormal.cdf(quantile)
      #expect(
        relativeError(roundTrip, probability) < 1e-15 * max(1, quantile * quantile), "Φ(Φ⁻¹(\(probability))) = \(roundTrip)")
      probability *= 7.3
    }
    #expect(StandardNormal.quantile(0) == -.infinity && StandardNormal.quantile(1) == .infinity)
  }
}
