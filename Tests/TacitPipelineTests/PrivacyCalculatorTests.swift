import Foundation
import TacitPrivacy
import Testing

@testable import TacitPipeline

/// `tacit epsilon` / `tacit calibrate` text: T is a 64-bit count (issue 12: `--steps 4294967296`
/// printed "T = 0", a 32-bit `%d`).
struct PrivacyCalculatorTests {
  @Test func textOutputPrintsSixtyFourBitStepCounts() throws {
    let steps = 1 << 32
    let epsilon = try PrivacyCalculator.epsilon(
      noiseMultiplier: 20, sampleRate: 1e-6, steps: steps, delta: 1e-5, accountant: .gdp, json: false)
    #expect(epsilon.hasPrefix("σ = 20, q = 1e-06, T = 4294967296, δ = 1e-05"), "\(epsilon)")
    let calibrated = try PrivacyCalculator.calibrate(
      targetEpsilon: 1, sampleRate: 1e-6, steps: steps, delta: 1e-5, accountant: .gdp, json: false)
    #expect(calibrated.hasPrefix("target ε = 1, q = 1e-06, T = 4294967296, δ = 1e-05"), "\(calibrated)")
  }
}

/// `--feature-norm-noise σ_n`: the commands account for a private feature normalisation's two
/// releases before DP-SGD, as a run's plan does.
struct FeatureNormalizationCalculatorTests {
  @Test func epsilonIsTheComposedLedgers() throws {
    let text = try PrivacyCalculator.epsilon(
      noiseMultiplier: 4.4059, sampleRate: 256.0 / 60_000, steps: 9_375, delta: 1e-5, accountant: .pld, json: true,
      featureNormNoise: 8)
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    let value = try #require(object?["epsilon"] as? Double)
    let ledger = DPEvent.composed([
      .selfComposed(event: .gaussian(noiseMultiplier: 8), count: 2),
      .dpsgd(noiseMultiplier: 4.4059, sampleRate: 256.0 / 60_000, steps: 9_375),
    ])
    let expected = try AccountantKind.pld.accountant.epsilon(for: ledger, delta: 1e-5)
    #expect(abs(value - expected) < 1e-9 * expected, "\(text)")
    let alone = try PrivacyCalculator.epsilon(
      noiseMultiplier: 4.4059, sampleRate: 256.0 / 60_000, steps: 9_375, delta: 1e-5, accountant: .pld, json: false)
    let composed = try PrivacyCalculator.epsilon(
      noiseMultiplier: 4.4059, sampleRate: 256.0 / 60_000, steps: 9_375, delta: 1e-5, accountant: .pld, json: false,
      featureNormNoise: 8)
    #expect(composed.contains("after a private feature normalisation (2 Gaussian releases, σ_n = 8)"))
    #expect(!alone.contains("feature normalisation"))
  }

  @Test func calibrationLeavesRoomForTheNormalisation() throws {
    let parse = { (text: String) -> [String: Double] in
      let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
      return (object ?? [:]).compactMapValues { $0 as? Double }
    }
    let alone = try parse(
      PrivacyCalculator.calibrate(
        targetEpsilon: 3, sampleRate: 256.0 / 60_000, steps: 9_375, delta: 1e-5, accountant: .rdp, json: true))
    let composed = try parse(
      PrivacyCalculator.calibrate(
        targetEpsilon: 3, sampleRate: 256.0 / 60_000, steps: 9_375, delta: 1e-5, accountant: .rdp, json: true,
        featureNormNoise: 8))
    let sigma = try #require(composed["noise_multiplier"])
    #expect(sigma > (alone["noise_multiplier"] ?? .infinity), "the normalisation's share costs noise")
    let reached = try #require(composed["epsilon"])
    #expect(reached <= 3 && reached > 2.99)
    let problem = PrivacyCalculator.problem(noiseMultiplier: 1, sampleRate: 0.1, steps: 1, delta: 1e-5, featureNormNoise: 0)
    #expect(problem?.hasPrefix("--feature-norm-noise must be a positive number") == true)
  }
}
