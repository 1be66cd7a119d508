import Testing

@testable import TacitPrivacy

/// `NoiseCalibration.noiseMultiplier(…, composedWith:)`: DP-SGD's σ calibrated with another
/// mechanism of the run (Tramèr & Boneh's private feature normalisation,
/// `selfComposed(gaussian(σ_n), 2)`) fixed inside the composition.
@Suite struct ComposedCalibrationTests {
  static let normalization = DPEvent.selfComposed(event: .gaussian(noiseMultiplier: 8), count: 2)

  /// The composition's ε at the calibrated σ never exceeds the target and is within the search
  /// tolerance of it, for RDP and PLD; the returned ε is the accountant's ε of the composed
  /// event; and DP-SGD gets more noise than without the normalisation.
  @Test(arguments: [(0.1365, 293, 3.0), (0.04, 500, 1.0), (0.01, 2000, 8.0)])
  func composedEpsilonMeetsTheTargetFromBelow(sampleRate: Double, steps: Int, target: Double) throws {
    let accountants: [any PrivacyAccountant] = [RDPAccountant(), PLDAccountant()]
    for accountant in accountants {
      let label = "\(accountant.name) q=\(sampleRate) T=\(steps) target \(target)"
      let (sigma, epsilon) = try NoiseCalibration.noiseMultiplier(
        targetEpsilon: target, delta: 1e-5, sampleRate: sampleRate, steps: steps, accountant: accountant,
        composedWith: Self.normalization)
      let composed = DPEvent.composed([
        Self.normalization, .dpsgd(noiseMultiplier: sigma, sampleRate: sampleRate, steps: steps),
      ])
      #expect(try accountant.epsilon(for: composed, delta: 1e-5) == epsilon, "\(label)")
      #expect(epsilon <= target, "\(label): composed ε \(epsilon) > target")
      #expect(epsilon >= target * (1 - 2e-3), "\(label): composed ε \(epsilon) far below the target")
      let (alone, _) = try NoiseCalibration.noiseMultiplier(
        targetEpsilon: target, delta: 1e-5, sampleRate: sampleRate, steps: steps, accountant: accountant)
      #expect(sigma > alone, "\(label): σ \(sigma) with the normalisation, \(alone) without")
    }
  }

  /// A normalisation that alone spends the target leaves DP-SGD nothing: refused, saying so.
  @Test func aNormalisationThatSpendsTheTargetIsRefused() {
    let costly = DPEvent.selfComposed(event: .gaussian(noiseMultiplier: 0.5), count: 2)
    for accountant in [RDPAccountant() as any PrivacyAccountant, PLDAccountant()] {
      do {
        _ = try NoiseCalibration.noiseMultiplier(
          targetEpsilon: 3, delta: 1e-5, sampleRate: 0.1, steps: 100, accountant: accountant, composedWith: costly)
        Issue.record("\(accountant.name): calibrated although the normalisation alone exceeds the target")
      } catch {
        guard case .unreachable(let message) = error else {
          Issue.record("wrong error \(error)")
          continue
        }
        #expect(message.contains("alone spends ε = ") && message.contains("no DP-SGD noise is enough"), "\(message)")
      }
    }
  }
}
