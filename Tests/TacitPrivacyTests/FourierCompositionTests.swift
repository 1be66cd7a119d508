import Foundation
import Testing

@testable import TacitPrivacy

/// Composition by Fourier powers on a cyclic window against the linear oracle (repeated FFT
/// convolution without wrap-around), and its Chernoff window against the exact tails.
struct FourierCompositionTests {
  static func pair(_ q: Double, _ sigma: Double, lossInterval: Double = 1e-2) -> PrivacyLossDistributionPair {
    .subsampledGaussian(noiseMultiplier: sigma, sampleRate: q, lossInterval: lossInterval, tailMass: 1e-18)
  }

  /// δ(ε) of T-fold composition: the cyclic result is an upper bound on the linear one, and
  /// agrees with it to rounding plus the window's tail bound (3·10⁻¹⁵).
  @Test(arguments: [(0.1, 1.0, 7), (0.01, 0.7, 64), (1.0, 3.0, 5)])
  func matchesLinearConvolution(q: Double, sigma: Double, count: Int) {
    let single = Self.pair(q, sigma)
    let linear = single.selfComposed(count: count, tailMassTruncation: 1e-18)
    let cyclic = FourierComposition(components: [(single, count)], tailMass: 1e-15).composed(tailMassTruncation: 1e-15)
    for epsilon in [0.0, 0.1, 0.5, 1, 2, 4] {
      let exact = linear.delta(epsilon: epsilon)
      let ours = cyclic.delta(epsilon: epsilon)
      let label = "q=\(q) σ=\(sigma) T=\(count) ε=\(epsilon)"
      #expect(ours >= exact - 1e-13, "\(label): δ \(ours) below the linear \(exact)")
      #expect(ours <= exact + 1e-12 + 1e-9 * exact, "\(label): δ \(ours), linear \(exact)")
    }
  }

  /// Two different releases composed in one product, against the linear convolution.
  @Test func mixedCompositionMatchesLinearConvolution() {
    let first = Self.pair(0.05, 1.0)
    let second = Self.pair(1.0, 4.0)
    let linear = first.selfComposed(count: 20, tailMassTruncation: 1e-18)
      .composed(with: second.selfComposed(count: 3, tailMassTruncation: 1e-18), tailMassTruncation: 1e-18)
    let cyclic = FourierComposition(components: [(first, 20), (second, 3)], tailMass: 1e-15)
      .composed(tailMassTruncation: 1e-15)
    for epsilon in [0.0, 0.5, 1, 2] {
      let (exact, ours) = (linear.delta(epsilon: epsilon), cyclic.delta(epsilon: epsilon))
      #expect(ours >= exact - 1e-13 && ours <= exact + 1e-12 + 1e-9 * exact, "ε=\(epsilon): δ \(ours), linear \(exact)")
    }
  }

  /// The Chernoff window holds at most β beyond each edge of the exact composition.
  @Test func windowBoundsTheTails() {
    let single = Self.pair(0.2, 0.8).remove
    let count = 40
    let exact = single.selfComposed(count: count, tailMassTruncation: 1e-30)
    for tailMass in [1e-3, 1e-8, 1e-12] {
      let window = CompositionWindow(components: [(LossMomentGenerator(single), count)], tailMass: tailMass)
      var above = 0.0
      var below = 0.0
      for (j, mass) in exact.probabilities.enumerated() {
        if exact.loss(at: j) > window.highestLoss + 1e-12 { above += mass }
        if exact.loss(at: j) < window.lowestLoss - 1e-12 { below += mass }
      }
      #expect(above <= tailMass * (1 + 1e-9), "β = \(tailMass): \(above) above H = \(window.highestLoss)")
      #expect(below <= tailMass * (1 + 1e-9), "β = \(tailMass): \(below) below L = \(window.lowestLoss)")
      #expect(window.highestLoss < exact.highestLoss, "β = \(tailMass): the window is no tighter than the support")
    }
  }

  /// Powers of a frequency: binary exponentiation against the polar form, and the underflow cut.
  @Test func complexPowers() {
    for (re, im, count) in [(0.6, 0.7, 13), (-0.999, 0.01, 1000), (0.3, -0.2, 1)] {
      let (pr, pi) = FrequencyProduct.power(re, im, count)
      let magnitude = pow((re * re + im * im).squareRoot(), Double(count))
      let angle = Double(count) * atan2(im, re)
      #expect(abs(pr - magnitude * cos(angle)) <= 1e-12 * max(1, magnitude), "(\(re), \(im))^\(count)")
      #expect(abs(pi - magnitude * sin(angle)) <= 1e-12 * max(1, magnitude), "(\(re), \(im))^\(count)")
    }
    let vanishing = FrequencyProduct.power(0.5, 0, 2000)
    #expect(vanishing.0 == 0 && vanishing.1 == 0, "0.5²⁰⁰⁰ is below e^{−700}: \(vanishing)")
  }
}
