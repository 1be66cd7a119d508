import Foundation
import Testing

@testable import TacitPrivacy

/// The PLD accountant against closed forms, published values, monotonicity and its error cases.
struct PLDAccountantTests {
  static func subsampled(_ q: Double, _ sigma: Double, _ steps: Int) -> DPEvent {
    .selfComposed(event: .poissonSampled(sampleRate: q, event: .gaussian(noiseMultiplier: sigma)), count: steps)
  }

  /// Φ(z) with relative accuracy in the lower tail.
  static func normalCDF(_ z: Double) -> Double { erfc(-z / 2.0.squareRoot()) / 2 }

  /// The Gaussian mechanism's exact δ(ε) with μ = 1/σ: Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2)
  /// (Balle & Wang 2018, Thm. 8).
  static func gaussianDelta(epsilon: Double, mu: Double) -> Double {
    normalCDF(-epsilon / mu + mu / 2) - exp(epsilon) * normalCDF(-epsilon / mu - mu / 2)
  }

  @Test func gaussianWithUnitMuHasThePublishedDelta() throws {
    let delta = try PLDAccountant().delta(for: .gaussian(noiseMultiplier: 1), epsilon: 1)
    #expect(abs(delta - 0.126936) < 5e-6, "δ(1) = \(delta), expected 0.126936")
  }

  /// δ(ε) of the plain Gaussian: an upper bound on the closed form, within 1e-5 relative.
  @Test(arguments: [0.5, 1.0, 2.0, 5.0])
  func gaussianMatchesTheClosedForm(noiseMultiplier: Double) throws {
    let accountant = PLDAccountant()
    let pair = try accountant.distributions(for: .gaussian(noiseMultiplier: noiseMultiplier))
    for epsilon in [0.0, 0.01, 0.1, 0.5, 1, 2, 4] {
      let exact = Self.gaussianDelta(epsilon: epsilon, mu: 1 / noiseMultiplier)
      guard exact > 1e-12 else { continue }
      let ours = pair.delta(epsilon: epsilon)
      #expect(ours >= exact * (1 - 1e-9), "σ=\(noiseMultiplier) ε=\(epsilon): δ \(ours) below exact \(exact)")
      #expect(ours <= exact * (1 + 1e-5), "σ=\(noiseMultiplier) ε=\(epsilon): δ \(ours), exact \(exact)")
    }
  }

  @Test func poissonThreeStepsHasThePublishedDelta() throws {
    let delta = try PLDAccountant().delta(for: Self.subsampled(0.2, 0.5, 3), epsilon: 1)
    #expect(abs(delta - 0.15594) / 0.15594 < 1e-3, "q=0.2 σ=0.5 T=3: δ(1) = \(delta), expected 0.15594")
  }

  /// JAX Privacy's doctest and Opacus PRV values (REFERENCES.md), within 1%.
  @Test(arguments: [
    (0.1, 3.0, 512, 1e-6, 3.77), (0.05, 1.5, 1000, 1e-6, 6.2100), (0.2, 2.0, 100, 1e-6, 5.6721),
  ])
  func publishedEpsilons(q: Double, sigma: Double, steps: Int, delta: Double, expected: Double) throws {
    let epsilon = try PLDAccountant().epsilon(for: Self.subsampled(q, sigma, steps), delta: delta)
    #expect(
      abs(epsilon - expected) / expected <= 0.01,
      "(q=\(q), σ=\(sigma), T=\(steps), δ=\(delta)): ε = \(epsilon), published \(expected)")
  }

  /// Two Opacus PRV values sit 3.9% and 2.6% above dp_accounting's PLD (0.26034 and 0.30190, in
  /// the fixture): PRV reports an upper bound that includes its own error budget. Ours must agree
  /// with dp_accounting to 1% and stay below the PRV bound.
  @Test(arguments: [(0.001, 0.8, 100, 1e-6, 0.2704, 0.26033871799141173), (0.001, 3.0, 50000, 1e-6, 0.3097, 0.30190036777587903)])
  func opacusPRVUpperBounds(q: Double, sigma: Double, steps: Int, delta: Double, prv: Double, dpAccounting: Double) throws {
    let epsilon = try PLDAccountant().epsilon(for: Self.subsampled(q, sigma, steps), delta: delta)
    let name = "(q=\(q), σ=\(sigma), T=\(steps), δ=\(delta))"
    #expect(abs(epsilon - dpAccounting) / dpAccounting <= 0.01, "\(name): ε = \(epsilon), dp_accounting \(dpAccounting)")
    #expect(epsilon <= prv, "\(name): ε = \(epsilon) above Opacus PRV \(prv)")
  }

  /// ε grows with T and q, shrinks with σ; δ(ε) shrinks with ε.
  @Test func monotone() throws {
    let accountant = PLDAccountant()
    let delta = 1e-5
    var previous = 0.0
    for steps in [1, 10, 100, 1000, 10000] {
      let epsilon = try accountant.epsilon(for: Self.subsampled(0.01, 1.0, steps), delta: delta)
      #expect(epsilon > previous, "(q=0.01, σ=1, T=\(steps), δ=\(delta)): ε = \(epsilon) not above \(previous)")
      previous = epsilon
    }
    previous = 0
    for q in [0.001, 0.01, 0.05, 0.2, 1] {
      let epsilon = try accountant.epsilon(for: Self.subsampled(q, 1.0, 100), delta: delta)
      #expect(epsilon > previous, "(q=\(q), σ=1, T=100, δ=\(delta)): ε = \(epsilon) not above \(previous)")
      previous = epsilon
    }
    previous = .infinity
    for sigma in [0.6, 0.8, 1.0, 2.0, 4.0] {
      let epsilon = try accountant.epsilon(for: Self.subsampled(0.01, sigma, 1000), delta: delta)
      #expect(epsilon < previous, "(q=0.01, σ=\(sigma), T=1000, δ=\(delta)): ε = \(epsilon) not below \(previous)")
      previous = epsilon
    }
    let pair = try accountant.distributions(for: Self.subsampled(0.01, 1.0, 1000))
    var previousDelta = 1.0
    for epsilon in stride(from: 0.0, through: 4.0, by: 0.25) {
      let value = pair.delta(epsilon: epsilon)
      #expect(value < previousDelta, "(q=0.01, σ=1, T=1000): δ(\(epsilon)) = \(value) not below \(previousDelta)")
      previousDelta = value
    }
  }

  /// ε(δ) and δ(ε) are inverse to each other.
  @Test func epsilonAndDeltaAreInverse() throws {
    let pair = try PLDAccountant().distributions(for: Self.subsampled(0.04, 1.5, 2250))
    for delta in [1e-3, 1e-5, 1e-7, 1e-9] {
      let epsilon = try #require(pair.epsilon(delta: delta))
      let back = pair.delta(epsilon: epsilon)
      #expect(abs(back - delta) / delta < 1e-6, "δ = \(delta): ε = \(epsilon), δ(ε) = \(back)")
    }
  }

  /// Composition of a list equals self-composition; a composed list of different events lies
  /// between its parts composed alone.
  @Test func composedListsMatchSelfComposition() throws {
    let accountant = PLDAccountant()
    let step = DPEvent.poissonSampled(sampleRate: 0.05, event: .gaussian(noiseMultiplier: 1.2))
    let listed = try accountant.epsilon(for: .composed(Array(repeating: step, count: 7)), delta: 1e-5)
    let repeated = try accountant.epsilon(for: .selfComposed(event: step, count: 7), delta: 1e-5)
    #expect(abs(listed - repeated) <= 1e-9 * repeated, "7 listed steps ε = \(listed), self-composed \(repeated)")
    let mixed = try accountant.epsilon(
      for: .composed([Self.subsampled(0.01, 1, 100), .gaussian(noiseMultiplier: 5)]), delta: 1e-5)
    let alone = try accountant.epsilon(for: Self.subsampled(0.01, 1, 100), delta: 1e-5)
    #expect(mixed > alone, "adding a Gaussian release lowered ε: \(mixed) vs \(alone)")
  }

  /// 10⁵ steps run and give more than 5·10⁴ steps.
  @Test func hundredThousandSteps() throws {
    let accountant = PLDAccountant()
    let half = try accountant.epsilon(for: Self.subsampled(0.01, 1.0, 50_000), delta: 1e-5)
    let full = try accountant.epsilon(for: Self.subsampled(0.01, 1.0, 100_000), delta: 1e-5)
    #expect(full > half, "(q=0.01, σ=1, δ=1e-5): ε(T=1e5) = \(full) not above ε(T=5e4) = \(half)")
  }

  @Test func invalidParametersAreRejected() {
    let accountant = PLDAccountant()
    let event = Self.subsampled(0.01, 1, 10)
    #expect(throws: AccountingError.invalidParameter(name: "delta", value: 0, requirement: "must be in (0, 1)")) {
      try accountant.epsilon(for: event, delta: 0)
    }
    #expect(throws: AccountingError.invalidParameter(name: "delta", value: 1, requirement: "must be in (0, 1)")) {
      try accountant.epsilon(for: event, delta: 1)
    }
    for (badEvent, name) in [
      (Self.subsampled(0.01, 0, 10), "noise_multiplier"), (Self.subsampled(0.01, -1, 10), "noise_multiplier"),
      (Self.subsampled(0, 1, 10), "sample_rate"), (Self.subsampled(1.5, 1, 10), "sample_rate"),
      (Self.subsampled(0.01, 1, -1), "steps"), (DPEvent.gaussian(noiseMultiplier: .nan), "noise_multiplier"),
    ] {
      do {
        _ = try accountant.epsilon(for: badEvent, delta: 1e-5)
        Issue.record("\(badEvent) accepted")
      } catch {
        guard case .invalidParameter(let actual, _, _) = error else {
          Issue.record("\(badEvent): \(error)")
          continue
        }
        #expect(actual == name, "\(badEvent): complained about \(actual), expected \(name)")
      }
    }
    for epsilon in [-1.0, .infinity, .nan] {
      do {
        _ = try accountant.delta(for: event, epsilon: epsilon)
        Issue.record("ε = \(epsilon) accepted")
      } catch {
        guard case .invalidParameter(let name, _, _) = error else {
          Issue.record("ε = \(epsilon): \(error)")
          continue
        }
        #expect(name == "epsilon")
      }
    }
  }

  @Test func unsupportedEventsAreRefused() {
    let accountant = PLDAccountant()
    for event in [
      DPEvent.poissonSampled(sampleRate: 0.1, event: .poissonSampled(sampleRate: 0.5, event: .gaussian(noiseMultiplier: 1))),
      .selfComposed(event: .poissonSampled(sampleRate: 0.1, event: .composed([.gaussian(noiseMultiplier: 1)])), count: 3),
    ] {
      do {
        _ = try accountant.epsilon(for: event, delta: 1e-5)
        Issue.record("\(event) accepted")
      } catch {
        guard case .unsupported(_, let name, _) = error else {
          Issue.record("\(event): \(error)")
          continue
        }
        #expect(name == "pld")
      }
    }
  }

  @Test func nameAndKind() {
    #expect(PLDAccountant().name == "pld")
    #expect(!PLDAccountant().isApproximation)
  }

  /// Issue 12: σ = 1e-50 trapped converting an infinite loss to Int, and σ = 1e-3, q = 0.5 tried to
  /// allocate a grid of ~5·10⁹ losses (40 GB). Both are now `unreachable`, suggesting RDP.
  @Test func tinyNoiseMultipliersAreRefusedBeforeAllocating() {
    for (sigma, q) in [(1e-50, 0.5), (1e-3, 0.5), (1e-50, 1.0), (1e-3, 1.0)] {
      #expect(
        PrivacyLossDistribution.gridPointCount(
          noiseMultiplier: sigma, sampleRate: q, direction: .remove, lossInterval: 1e-4, tailMass: 1e-20)
          > PrivacyLossDistribution.maximumGridPoints, "σ = \(sigma), q = \(q)")
      do {
        _ = try PLDAccountant().epsilon(for: Self.subsampled(q, sigma, 2), delta: 1e-4)
        Issue.record("σ = \(sigma), q = \(q): expected an error")
      } catch {
        guard case .unreachable(let message) = error else {
          Issue.record("σ = \(sigma), q = \(q): \(error)")
          continue
        }
        #expect(message.contains("grid points") && message.contains("RDP"), "\(message)")
      }
    }
    // An ordinary setting stays far below the limit.
    #expect(
      PrivacyLossDistribution.gridPointCount(
        noiseMultiplier: 1, sampleRate: 0.01, direction: .remove, lossInterval: 1e-4, tailMass: 1e-20) < 1e6)
  }
}

/// Issue 12 item 3: the regimes the fast PLD path opened.
struct PLDFastPathTests {
  /// q so small that no step is likely to include the record: PLD answers 0 from the total
  /// variation bound, as RDP and GDP do, and never reports δ above T·q.
  @Test(arguments: [1e-20, 1e-12, 1e-9])
  func tinySampleRatesGiveZeroWithEveryAccountant(q: Double) throws {
    let event = DPEvent.dpsgd(noiseMultiplier: 1, sampleRate: q, steps: 1000)
    #expect(try PLDAccountant().epsilon(for: event, delta: 1e-5) == 0, "q = \(q)")
    #expect(try RDPAccountant().epsilon(for: event, delta: 1e-5) < 1e-3, "q = \(q)")
    #expect(try GDPAccountant().epsilon(for: event, delta: 1e-5) < 1e-3, "q = \(q)")
    #expect(try PLDAccountant().delta(for: event, epsilon: 0) <= 1000 * q, "q = \(q)")
  }

  /// The loss and its inverse stay exact for q = 1 far below the mean, where log1p(expm1(w)) is
  /// log(0); this once made σ = 10⁻³ look like an unbounded loss range.
  @Test func plainGaussianLossIsExactFarFromTheMean() {
    let loss = PrivacyLossDistribution.SubsampledGaussianLoss(noiseMultiplier: 0.001, sampleRate: 1)
    for x in [-10.0, -1, 0.25, 3] {
      let w = (2 * x - 1) / (2 * 0.001 * 0.001)
      #expect(abs(loss.loss(at: x) - w) <= 1e-9 * abs(w), "x = \(x)")
      #expect(abs(loss.inverseLoss(w) - x) <= 1e-9 * max(1, abs(x)), "x = \(x)")
    }
    let range = PrivacyLossDistribution.lossRange(noiseMultiplier: 0.001, sampleRate: 1, direction: .add, tailMass: 1e-20)
    #expect(range.lowest.isFinite && range.highest.isFinite, "\(range)")
  }

  /// Outside the supported domain: a prompt `unreachable` naming RDP, never a long run.
  @Test func hugeLossRangesAreRefusedSuggestingRDP() {
    for (sigma, q, steps) in [(0.001, 1.0, 10), (0.002, 0.5, 1000), (0.01, 1.0, 1_000_000)] {
      do {
        _ = try PLDAccountant().epsilon(for: .dpsgd(noiseMultiplier: sigma, sampleRate: q, steps: steps), delta: 1e-5)
        Issue.record("σ = \(sigma), q = \(q), T = \(steps): expected a refusal")
      } catch {
        guard case .unreachable(let message) = error else {
          Issue.record("σ = \(sigma), q = \(q), T = \(steps): \(error)")
          continue
        }
        #expect(message.contains("RDP") && message.contains("grid points"), "\(message)")
      }
    }
  }

  /// T beyond 32 bits composes (the cost does not grow with T) and ε grows with T. A fraction of
  /// a second optimised, several in a debug build: optimised builds only.
  @Test(.enabled(if: PLDReferenceTests.isOptimised, "optimised builds only"))
  func stepCountsBeyondThirtyTwoBits() throws {
    let accountant = PLDAccountant()
    let small = try accountant.epsilon(for: .dpsgd(noiseMultiplier: 20, sampleRate: 1e-6, steps: 1 << 20), delta: 1e-5)
    let large = try accountant.epsilon(for: .dpsgd(noiseMultiplier: 20, sampleRate: 1e-6, steps: 1 << 33), delta: 1e-5)
    #expect(large > small && large.isFinite, "ε(2³³) = \(large), ε(2²⁰) = \(small)")
  }

  /// Calibration by interpolation gives the σ bisection gives, to the tolerance, without
  /// overshooting, and its ε is the accountant's own at that σ. One case in debug builds (each
  /// takes about 8 accountant calls), three optimised.
  @Test(arguments: PLDReferenceTests.isOptimised ? [(0.01, 1.3, 100), (0.2, 0.8, 10), (0.001, 3.0, 1000)] : [(0.2, 0.8, 10)])
  func interpolatingCalibrationRoundTrips(q: Double, sigma: Double, steps: Int) throws {
    let accountant = PLDAccountant()
    let target = try accountant.epsilon(for: .dpsgd(noiseMultiplier: sigma, sampleRate: q, steps: steps), delta: 1e-5)
    let (calibrated, epsilon) = try NoiseCalibration.noiseMultiplier(
      targetEpsilon: target, delta: 1e-5, sampleRate: q, steps: steps, accountant: accountant)
    let label = "q=\(q) σ=\(sigma) T=\(steps)"
    #expect(epsilon <= target, "\(label): ε(σ') = \(epsilon) > \(target)")
    #expect(abs(calibrated - sigma) <= 2e-4 * sigma, "\(label): σ' = \(calibrated)")
    #expect(
      try accountant.epsilon(for: .dpsgd(noiseMultiplier: calibrated, sampleRate: q, steps: steps), delta: 1e-5) == epsilon)
  }
}
