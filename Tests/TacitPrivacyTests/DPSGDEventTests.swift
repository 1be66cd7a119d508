import Foundation
import Testing

@testable import TacitPrivacy

/// `DPEvent.dpsgd` and `AccountantKind`: the DP-SGD mechanism and the accountants by name.
struct DPSGDEventTests {
  /// The event is T-fold composition of the Poisson-subsampled Gaussian, spelled out.
  @Test func dpsgdIsTheSelfComposedSubsampledGaussian() {
    let event = DPEvent.dpsgd(noiseMultiplier: 1.1, sampleRate: 0.01, steps: 300)
    #expect(
      event == .selfComposed(event: .poissonSampled(sampleRate: 0.01, event: .gaussian(noiseMultiplier: 1.1)), count: 300))
    #expect(event != DPEvent.dpsgd(noiseMultiplier: 1.1, sampleRate: 0.01, steps: 301))
  }

  /// Through an accountant: GDP's μ for the event is Bu et al.'s closed form q·√(T(e^{1/σ²} − 1)).
  @Test func gdpOfTheEventIsTheCentralLimitClosedForm() throws {
    for (sigma, q, steps) in [(1.1, 0.01, 300), (0.8, 0.2, 50), (3.0, 0.001, 10_000)] {
      let mu = try GDPAccountant().mu(for: .dpsgd(noiseMultiplier: sigma, sampleRate: q, steps: steps))
      let expected = q * (Double(steps) * expm1(1 / (sigma * sigma))).squareRoot()
      #expect(abs(mu / expected - 1) < 1e-14, "σ = \(sigma), q = \(q), T = \(steps): μ = \(mu), expected \(expected)")
    }
  }

  /// Each kind's accountant carries the kind's name (what reports print and recipes spell), in the
  /// order reports list them; only GDP is an approximation.
  @Test func accountantKindsNameTheirAccountants() {
    #expect(AccountantKind.allCases.map(\.rawValue) == ["pld", "rdp", "gdp"])
    for kind in AccountantKind.allCases {
      #expect(kind.accountant.name == kind.rawValue)
      #expect(kind.accountant.isApproximation == (kind == .gdp))
    }
    #expect(AccountantKind.pld.accountant is PLDAccountant)
    #expect(AccountantKind.rdp.accountant is RDPAccountant)
    #expect(AccountantKind.gdp.accountant is GDPAccountant)
  }
}
