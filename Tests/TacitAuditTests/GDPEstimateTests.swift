import RealModule
import TacitMath
import Testing

@testable import TacitAudit

@Suite struct GDPEstimateTests {
  /// Members N(μ, 1), non-members N(0, 1), threshold t: FPR = 1 − Φ(t), FNR = Φ(t − μ), and
  /// μ comes back exactly whatever the threshold (kept within 4 of both means, so that neither
  /// rate is so close to 1 that its own rounding, 1e-16/φ(t), moves the quantile by > 1e-12).
  @Test(arguments: [0.3, 1.0, 2.5, 6.0])
  func muOfGaussianRates(mu: Double) {
    for threshold in [-2.0, 0.0, 0.7, 3.0, mu + 4] {
      let falsePositiveRate = StandardNormal.cdf(-threshold)
      let falseNegativeRate = StandardNormal.cdf(threshold - mu)
      let estimate = GDPEstimate.mu(falsePositiveRate: falsePositiveRate, falseNegativeRate: falseNegativeRate)
      #expect(abs(estimate - mu) < 1e-10, "t = \(threshold): μ = \(estimate), expected \(mu)")
    }
  }

  /// ε(μ, δ) against SciPy (brentq on the Gaussian mechanism's exact δ(ε) formula with
  /// scipy.stats.norm), including REFERENCES.md's σ = 1 → 4.37 and σ = 2 → 1.99 at δ = 1e-5.
  @Test(arguments: [
    (1.0, 1e-5, 4.377178095681225), (0.5, 1e-5, 1.9930914044151173), (2.0, 1e-3, 7.581279924570115),
    (4.0, 1e-6, 26.35696392532582),
  ])
  func epsilonMatchesSciPy(mu: Double, delta: Double, expected: Double) {
    let epsilon = GDPEstimate.epsilon(mu: mu, delta: delta)
    #expect(abs(epsilon - expected) < 1e-9 * expected, "ε(μ = \(mu), δ = \(delta)) = \(epsilon), SciPy \(expected)")
  }

  /// Round trip through the exact δ(ε), evaluated here directly (no log space).
  @Test func roundTripThroughTheGaussianDelta() {
    for mu in [0.5, 1.0, 2.0] {
      for epsilon in [0.25, 1.0, 3.0] {
        let delta =
          StandardNormal.cdf(-epsilon / mu + mu / 2) - Double.exp(epsilon) * StandardNormal.cdf(-epsilon / mu - mu / 2)
        #expect(relativeError(GDPEstimate.delta(epsilon: epsilon, mu: mu), delta) < 1e-12)
        let back = GDPEstimate.epsilon(mu: mu, delta: delta)
        #expect(abs(back - epsilon) < 1e-8, "μ = \(mu), ε = \(epsilon): δ = \(delta) gives back \(back)")
      }
    }
    #expect(GDPEstimate.epsilon(mu: 0, delta: 1e-5) == 0)
    #expect(GDPEstimate.epsilon(mu: 1, delta: 0) == .infinity)
    #expect(GDPEstimate.epsilon(mu: 0.01, delta: 0.5) == 0)  // δ(0) = 0.004 < 0.5
  }

  /// Gaussian scores with shift 1, 10,000 per class: the bounded μ is at most the true μ = 1
  /// up to sampling, and not far below it (each Clopper–Pearson margin is ≈ 0.01 in rate).
  @Test func estimateFromGaussianScores() {
    var generator = SplitMix64(seed: 3)
    let scores = gaussianScores(members: 10_000, nonMembers: 10_000, shift: 1, using: &generator)
    let estimate = GDPEstimate.estimate(scores, delta: 1e-5, confidence: 0.95)
    print("GDPEstimate on N(1, 1) vs N(0, 1), 10,000 each: μ = \(estimate.mu), ε = \(estimate.epsilon)")
    #expect(estimate.mu > 0.9 && estimate.mu < 1.02, "\(estimate)")
    #expect(abs(estimate.epsilon - GDPEstimate.epsilon(mu: estimate.mu, delta: 1e-5)) == 0)
    let none = GDPEstimate.estimate(
      gaussianScores(members: 2000, nonMembers: 2000, shift: 0, using: &generator), delta: 1e-5, confidence: 0.95)
    #expect(none.mu < 0.15, "\(none)")
  }
}
