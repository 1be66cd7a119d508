import Foundation
import Testing

@testable import TacitPrivacy

struct GDPAccountantTests {
  @Test func gaussianMechanismClosedForm() {
    // dp_accounting: μ = 1 → δ(ε = 1) = 0.126936 (REFERENCES.md, truncated); scipy gives
    // Φ(−0.5) − e·Φ(−1.5) = 0.12693673750664392.
    #expect(abs(GaussianMechanism.delta(epsilon: 1, mu: 1) - 0.126936) < 1e-6)
    #expect(RDPFixtures.relativeError(GaussianMechanism.delta(epsilon: 1, mu: 1), 0.12693673750664392) < 1e-14)
    // δ(0; μ) = 2Φ(μ/2) − 1 = erf(μ/(2√2)).
    for mu in [0.1, 1.0, 3.0] {
      let expected = 1 - erfc(mu / (2 * 2.0.squareRoot()))
      #expect(abs(GaussianMechanism.delta(epsilon: 0, mu: mu) - expected) < 1e-15, "μ=\(mu)")
    }
    // Inverses round-trip, and δ decreases in ε and increases in μ.
    for mu in [0.05, 0.5, 1.0, 2.0, 5.0, 10.0] {
      var previous = 1.0
      for delta in [1e-2, 1e-5, 1e-10] {
        let epsilon = GaussianMechanism.epsilon(delta: delta, mu: mu)
        let back = GaussianMechanism.delta(epsilon: epsilon, mu: mu)
        #expect(
          back <= delta && (epsilon == 0 || RDPFixtures.relativeError(back, delta) < 1e-9),
          "μ=\(mu) δ=\(delta): ε=\(epsilon) δ'=\(back)")
        let muBack = GaussianMechanism.mu(epsilon: epsilon, delta: delta)
        #expect(epsilon == 0 || RDPFixtures.relativeError(muBack, mu) < 1e-9, "μ=\(mu) δ=\(delta): μ'=\(muBack)")
        #expect(GaussianMechanism.delta(epsilon: Double(mu), mu: mu) <= previous)
        previous = GaussianMechanism.delta(epsilon: Double(mu), mu: mu)
      }
      #expect(GaussianMechanism.delta(epsilon: 1, mu: mu) < GaussianMechanism.delta(epsilon: 1, mu: mu * 1.01), "μ=\(mu)")
    }
  }

  @Test func opacusVector() throws {
    // Opacus: GDP for q = 0.04, σ = 1.5, T = 2249, δ = 1e-5 is between 6.59 and 6.60 (6.59982).
    let event = DPEvent.dpsgd(noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2249)
    let accountant = GDPAccountant()
    let epsilon = try accountant.epsilon(for: event, delta: 1e-5)
    #expect(epsilon > 6.59 && epsilon < 6.60, "ε = \(epsilon)")
    #expect(abs(epsilon - 6.599820769085404) < 1e-6, "ε = \(epsilon)")
    let mu = try accountant.mu(for: event)
    #expect(RDPFixtures.relativeError(mu, 0.04 * (2249 * expm1(1 / 2.25)).squareRoot()) < 1e-14)
    #expect(accountant.isApproximation && accountant.name == "gdp")
    let delta = try accountant.delta(for: event, epsilon: epsilon)
    #expect(RDPFixtures.relativeError(delta, 1e-5) < 1e-8, "δ = \(delta)")
  }

  @Test func exactCasesAndErrors() throws {
    let accountant = GDPAccountant()
    // A plain Gaussian composed T times is exactly (√T/σ)-GDP; q = 1 is the same.
    #expect(
      RDPFixtures.relativeError(try accountant.mu(for: .selfComposed(event: .gaussian(noiseMultiplier: 2), count: 16)), 2) < 1e-15
    )
    #expect(try accountant.mu(for: .poissonSampled(sampleRate: 1, event: .gaussian(noiseMultiplier: 0.5))) == 2)
    #expect(try accountant.mu(for: .poissonSampled(sampleRate: 0, event: .gaussian(noiseMultiplier: 0.5))) == 0)
    #expect(try accountant.epsilon(for: .gaussian(noiseMultiplier: 1), delta: 0.126936) - 1 < 1e-5)
    #expect(throws: AccountingError.invalidParameter(name: "delta", value: 0, requirement: "must be in (0, 1)")) {
      try accountant.epsilon(for: .gaussian(noiseMultiplier: 1), delta: 0)
    }
    let nested = DPEvent.poissonSampled(
      sampleRate: 0.1, event: .poissonSampled(sampleRate: 0.5, event: .gaussian(noiseMultiplier: 1)))
    do {
      _ = try accountant.epsilon(for: nested, delta: 1e-5)
      Issue.record("nested Poisson sampling was accounted")
    } catch {
      guard case .unsupported(_, let name, _) = error else { Issue.record("wrong error \(error)"); return }
      #expect(name == "gdp")
    }
  }

  /// Issue 12: at a tiny σ, e^{1/σ²} − 1 overflows. μ² = q²·(e^{1/σ²} − 1) is then formed in log
  /// space: ∞ only when it truly is, and never 0·∞ = NaN from a q² that underflows (which made
  /// ε = ∞ for a mechanism whose μ is about e^{−95}).
  @Test func tinyNoiseMultiplierGivesInfinityOrTheLogSpaceValue() throws {
    let accountant = GDPAccountant()
    // μ = ∞: ε = ∞, δ = 1, no trap.
    for (sigma, rate) in [(0.01, 0.5), (1e-200, 0.5), (1e-300, 1.0), (0.03, 1e-3)] {
      let event = DPEvent.dpsgd(noiseMultiplier: sigma, sampleRate: rate, steps: 10)
      #expect(try accountant.mu(for: event) == .infinity, "σ = \(sigma), q = \(rate)")
      #expect(try accountant.epsilon(for: event, delta: 1e-5) == .infinity, "σ = \(sigma), q = \(rate)")
      #expect(try accountant.delta(for: event, epsilon: 1) == 1, "σ = \(sigma), q = \(rate)")
    }
    // σ = 1/√730: e^{730} overflows, but q = 1e-200 gives μ² = e^{730 − 2·460.5} = e^{−191}, so
    // μ = e^{−95.5}: ε = 0 at δ = 1e-5 (closed form: T = 1, μ² = exp(1/σ² + 2 ln q)).
    let sigma = 1 / 730.0.squareRoot()
    let event = DPEvent.dpsgd(noiseMultiplier: sigma, sampleRate: 1e-200, steps: 1)
    let mu = try accountant.mu(for: event)
    let expected = Foundation.exp((1 / (sigma * sigma) + 2 * Foundation.log(1e-200)) / 2)
    #expect(mu.isFinite && abs(mu - expected) <= 1e-12 * expected, "μ = \(mu), expected \(expected)")
    #expect(try accountant.epsilon(for: event, delta: 1e-5) == 0)
    // No steps cost nothing, however small σ (not 0·∞ = NaN).
    let none = DPEvent.selfComposed(
      event: .poissonSampled(sampleRate: 0.5, event: .gaussian(noiseMultiplier: 1e-200)), count: 0)
    #expect(try accountant.mu(for: none) == 0)
  }
}
