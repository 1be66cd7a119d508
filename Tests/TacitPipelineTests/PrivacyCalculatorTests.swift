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
