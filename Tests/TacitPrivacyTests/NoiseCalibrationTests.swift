import Testing

@testable import TacitPrivacy

struct NoiseCalibrationTests {
  @Test func opacusCalibrationVector() throws {
    // Opacus: target ε = 8, δ = 1e-5, q = 0.04, 90 epochs, RDP → σ ≈ 1.416 (Opacus stops at an
    // ε tolerance of 0.01; the exact crossing is σ = 1.415787).
    #expect(NoiseCalibration.steps(epochs: 90, sampleRate: 0.04) == 2250)
    let (sigma, epsilon) = try NoiseCalibration.noiseMultiplier(
      targetEpsilon: 8, delta: 1e-5, sampleRate: 0.04, epochs: 90, accountant: RDPAccountant())
    #expect(abs(sigma - 1.4157871) < 2e-5, "σ = \(sigma)")
    #expect(epsilon <= 8 && epsilon > 8 * (1 - 1e-3), "ε = \(epsilon)")
  }

  @Test func roundTripsNeverOvershoot() throws {
    let accountants: [any PrivacyAccountant] = [RDPAccountant(), GDPAccountant()]
    for accountant in accountants {
      for (q, steps) in [(0.001, 1000), (0.01, 100), (0.04, 2250), (0.2, 50)] {
        for sigma in [0.8, 1.3, 3.0] {
          let label = "\(accountant.name) q=\(q) σ=\(sigma) T=\(steps) δ=1e-5"
          let target = try accountant.epsilon(
            for: DPEvent.dpsgd(noiseMultiplier: sigma, sampleRate: q, steps: steps), delta: 1e-5)
          let (calibrated, epsilon) = try NoiseCalibration.noiseMultiplier(
            targetEpsilon: target, delta: 1e-5, sampleRate: q, steps: steps, accountant: accountant)
          let check = try accountant.epsilon(
            for: DPEvent.dpsgd(noiseMultiplier: calibrated, sampleRate: q, steps: steps), delta: 1e-5)
          #expect(check == epsilon, "\(label)")
          #expect(epsilon <= target, "\(label): ε(σ') = \(epsilon) > target \(target)")
          #expect(epsilon >= target * (1 - 1e-3), "\(label): ε(σ') = \(epsilon) far below \(target)")
          #expect(RDPFixtures.relativeError(calibrated, sigma) < 1e-3, "\(label): σ' = \(calibrated)")
        }
      }
    }
  }

  @Test func maximumSteps() throws {
    let accountant = RDPAccountant()
    for (q, sigma, target) in [(0.01, 1.0, 2.0), (0.04, 1.5, 7.32911117143), (0.1, 0.8, 5.0)] {
      let label = "q=\(q) σ=\(sigma) ε≤\(target)"
      let steps = try NoiseCalibration.maximumSteps(
        noiseMultiplier: sigma, sampleRate: q, targetEpsilon: target, delta: 1e-5, accountant: accountant)
      #expect(steps >= 1, "\(label)")
      let at = try accountant.epsilon(
        for: DPEvent.dpsgd(noiseMultiplier: sigma, sampleRate: q, steps: steps), delta: 1e-5)
      let after = try accountant.epsilon(
        for: DPEvent.dpsgd(noiseMultiplier: sigma, sampleRate: q, steps: steps + 1), delta: 1e-5)
      #expect(at <= target && after > target, "\(label): T = \(steps), ε(T) = \(at), ε(T+1) = \(after)")
    }
    #expect(
      try NoiseCalibration.maximumSteps(
        noiseMultiplier: 0.5, sampleRate: 1, targetEpsilon: 0.1, delta: 1e-5, accountant: accountant) == 0)
    #expect(NoiseCalibration.epochs(steps: 2250, sampleRate: 0.04) == 90)
  }

  @Test func errors() {
    let accountant = RDPAccountant(conversion: .classical)
    // The classical conversion cannot go below −log δ/(α_max − 1) ≈ 0.0113 at δ = 1e-5.
    do {
      _ = try NoiseCalibration.noiseMultiplier(
        targetEpsilon: 0.005, delta: 1e-5, sampleRate: 0.01, steps: 100, accountant: accountant)
      Issue.record("an unreachable target was calibrated")
    } catch {
      guard case .unreachable(let message) = error else { Issue.record("wrong error \(error)"); return }
      #expect(message.contains("q = 0.01") && message.contains("T = 100"), "\(message)")
    }
    #expect(throws: AccountingError.invalidParameter(name: "epsilon", value: 0, requirement: "target must be finite and > 0")) {
      try NoiseCalibration.noiseMultiplier(targetEpsilon: 0, delta: 1e-5, sampleRate: 0.01, steps: 100, accountant: accountant)
    }
    #expect(throws: AccountingError.invalidParameter(name: "delta", value: 1, requirement: "must be in (0, 1)")) {
      try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, delta: 1, sampleRate: 0.01, steps: 100, accountant: accountant)
    }
    #expect(
      throws: AccountingError.invalidParameter(name: "sample_rate", value: 0, requirement: "must be in (0, 1] to calibrate")
    ) {
      try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, delta: 1e-5, sampleRate: 0, steps: 100, accountant: accountant)
    }
    #expect(throws: AccountingError.invalidParameter(name: "steps", value: 0, requirement: "must be ≥ 1 to calibrate")) {
      try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, delta: 1e-5, sampleRate: 0.01, steps: 0, accountant: accountant)
    }
  }
}
