import Testing

@testable import TacitPrivacy

/// The adaptive-clipping noise split: the gradient's z_Δ and the count's σ_b compose to one
/// Gaussian of multiplier z, z_Δ⁻² + (2σ_b)⁻² = z⁻² (Andrew et al. 2021, §3.1).
struct AdaptiveClippingNoiseTests {
  /// z_Δ = (z⁻² − (2σ_b)⁻²)^{−1/2}, by hand: z = 2, σ_b = 2.5 gives (0.25 − 0.04)^{−1/2} =
  /// 0.21^{−1/2} = 2.18217890… (the split TensorFlow Federated's `dp_aggregator` makes);
  /// z = 1, σ_b = 256/20 gives (1 − 25.6⁻²)^{−1/2} = 1.00076381…; z = 0.6, σ_b = 0.375 gives
  /// (1/0.36 − 1/0.5625)^{−1/2} = 1. The effective multiplier of (z_Δ, σ_b) is z again.
  @Test(arguments: [(2.0, 2.5, 2.182_178_902_359_923_8), (1.0, 12.8, 1.000_763_813_679_746), (0.6, 0.375, 1.0)])
  func gradientNoiseMultiplierClosedForm(effective: Double, countNoise: Double, expected: Double) throws {
    let gradient = try #require(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: effective, countNoise: countNoise))
    #expect(abs(gradient / expected - 1) < 1e-14, "z_Δ = \(gradient), expected \(expected)")
    #expect(gradient > effective)
    let back = AdaptiveClippingNoise.effectiveNoiseMultiplier(gradient: gradient, countNoise: countNoise)
    #expect(abs(back / effective - 1) < 1e-14, "effective σ \(back) for z = \(effective)")
  }

  /// The closed form over a sweep: z_Δ⁻² + (2σ_b)⁻² = z⁻² to rounding, for every z and every
  /// σ_b with 2σ_b > z.
  @Test func theTwoReleasesComposeToTheEffectiveGaussian() throws {
    for effective in [0.3, 0.8, 1.0, 1.7, 5.0, 40.0] {
      for ratio in [1.01, 1.5, 3.0, 20.0, 1e4] {
        let countNoise = ratio * effective / 2
        let gradient = try #require(
          AdaptiveClippingNoise.gradientNoiseMultiplier(effective: effective, countNoise: countNoise))
        let composed = 1 / (gradient * gradient) + 1 / (4 * countNoise * countNoise)
        let label = "z = \(effective), σ_b = \(countNoise)"
        #expect(abs(composed * effective * effective - 1) < 1e-12, "\(label): z_Δ⁻² + (2σ_b)⁻² = \(composed)")
        #expect(gradient > effective, "\(label)")
      }
    }
  }

  /// An independent check of the composition: the PLD accountant (tight numerical composition)
  /// of the two releases, gaussian(z_Δ) then gaussian(2σ_b) (the count has sensitivity ½, so its
  /// noise multiplier is 2σ_b), gives the ε of the single gaussian(z), within its grid error.
  @Test func pldOfTheTwoReleasesIsTheEffectiveGaussian() throws {
    let accountant = PLDAccountant()
    for (effective, countNoise) in [(1.0, 0.8), (2.0, 2.5), (0.7, 3.0)] {
      let gradient = try #require(
        AdaptiveClippingNoise.gradientNoiseMultiplier(effective: effective, countNoise: countNoise))
      let split = DPEvent.composed([.gaussian(noiseMultiplier: gradient), .gaussian(noiseMultiplier: 2 * countNoise)])
      let whole = try accountant.epsilon(for: .gaussian(noiseMultiplier: effective), delta: 1e-5)
      let parts = try accountant.epsilon(for: split, delta: 1e-5)
      #expect(abs(parts / whole - 1) < 1e-3, "z = \(effective), σ_b = \(countNoise): ε \(parts) vs \(whole)")
    }
  }

  /// The count would spend the whole budget when 2σ_b ≤ z: no gradient noise can reach z then
  /// (the boundary 2σ_b = z included). A huge σ_b costs nothing (z_Δ → z).
  @Test func countNoiseTooSmallIsRefusedAndHugeCostsNothing() throws {
    #expect(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 1, countNoise: 0.5) == nil)
    #expect(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 1, countNoise: 0.3) == nil)
    #expect(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 3, countNoise: 0) == nil)
    #expect(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 3, countNoise: 1.5) == nil)
    #expect(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 3, countNoise: 1.5.nextUp) != nil)
    let free = try #require(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 1.1, countNoise: 1e9))
    #expect(abs(free / 1.1 - 1) < 1e-15)
    #expect(AdaptiveClippingNoise.gradientNoiseMultiplier(effective: 1.1, countNoise: .infinity) == 1.1)
    #expect(AdaptiveClippingNoise.effectiveNoiseMultiplier(gradient: 0, countNoise: 2) == 0)
    #expect(AdaptiveClippingNoise.effectiveNoiseMultiplier(gradient: 2, countNoise: 0) == 0)
    #expect(AdaptiveClippingNoise.defaultCountNoise(expectedBatchSize: 256) == 12.8)
  }
}
