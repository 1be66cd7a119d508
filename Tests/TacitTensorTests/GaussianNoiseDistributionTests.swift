import Foundation
import Testing

@testable import TacitTensor

/// The samples' distribution at fixed seeds, each tolerance a stated multiple of the standard
/// error: moments over 2²² samples, Kolmogorov–Smirnov on 10⁵, tail frequencies over 2²⁴, and
/// the secure generator's path.
struct GaussianNoiseDistributionTests {
  /// Mean, variance, skewness and excess kurtosis of `samples`.
  private func moments(_ samples: [Float]) -> (mean: Double, variance: Double, skewness: Double, kurtosis: Double) {
    let n = Double(samples.count)
    let mean = samples.reduce(0.0) { $0 + Double($1) } / n
    var (m2, m3, m4) = (0.0, 0.0, 0.0)
    for value in samples {
      let d = Double(value) - mean
      let d2 = d * d
      m2 += d2
      m3 += d2 * d
      m4 += d2 * d2
    }
    m2 /= n
    m3 /= n
    m4 /= n
    return (mean, m2, m3 / (m2 * m2.squareRoot()), m4 / (m2 * m2) - 3)
  }

  private func standardNormals<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> [Float] {
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &generator) }
    return values
  }

  @Test func momentsOfFourMillionSamples() {
    var generator = SeededGenerator(seed: 31_415)
    let count = 1 << 22
    let (mean, variance, skewness, kurtosis) = moments(standardNormals(count, using: &generator))
    // Standard errors for n = 2²²: mean 1/√n ≈ 4.9·10⁻⁴, variance √(2/n) ≈ 6.9·10⁻⁴,
    // skewness √(6/n) ≈ 1.2·10⁻³, excess kurtosis √(24/n) ≈ 2.4·10⁻³. Allow 5 each.
    #expect(abs(mean) < 2.5e-3, "mean \(mean)")
    #expect(abs(variance - 1) < 3.5e-3, "variance \(variance)")
    #expect(abs(skewness) < 6e-3, "skewness \(skewness)")
    #expect(abs(kurtosis) < 1.2e-2, "excess kurtosis \(kurtosis)")
  }

  @Test func kolmogorovSmirnovAgainstPhi() {
    var generator = SeededGenerator(seed: 27_182)
    let sorted = standardNormals(100_000, using: &generator).sorted()
    let n = Double(sorted.count)
    var distance: Double = 0
    for (index, value) in sorted.enumerated() {
      let cdf = 0.5 * erfc(-Double(value) / 2.0.squareRoot())
      distance = max(distance, abs(Double(index + 1) / n - cdf), abs(cdf - Double(index) / n))
    }
    // D = sup |F_n − Φ|; the 10⁻³ critical value is ≈ 1.949/√n ≈ 0.00616.
    #expect(distance < 1.949 / n.squareRoot(), "KS distance \(distance)")
  }

  @Test func tailFrequenciesMatchErfc() {
    var generator = SeededGenerator(seed: 16_180)
    let thresholds: [Float] = [3, 4, 4.5]
    var exceed = [Int](repeating: 0, count: thresholds.count)
    let chunk = 1 << 20
    let chunks = 16  // 2²⁴ samples
    var values = [Float](repeating: 0, count: chunk)
    for _ in 0..<chunks {
      values.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &generator) }
      for value in values {
        for (index, threshold) in thresholds.enumerated() where abs(value) > threshold { exceed[index] += 1 }
      }
    }
    let n = Double(chunk * chunks)
    for (index, threshold) in thresholds.enumerated() {
      // Binomial(n, p): expected 45 295, 1 063, 114; allow 5 standard deviations √(np(1 − p)).
      let p = erfc(Double(threshold) / 2.0.squareRoot())
      let expected = n * p
      let deviation = (n * p * (1 - p)).squareRoot()
      #expect(
        abs(Double(exceed[index]) - expected) < 5 * deviation,
        "P(|Z| > \(threshold)): \(exceed[index]) vs \(expected) ± \(deviation)")
    }
  }

  @Test func secureGeneratorPathHasUnitMeanAndVariance() {
    var generator = SecureGenerator()
    let count = 1 << 20  // crosses many 8192-word buffers, part of it read directly
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBufferPointer { GaussianNoise.addGaussianNoise(to: $0, standardDeviation: 2, using: &generator) }
    let (mean, variance, _, _) = moments(values)
    // Standard errors: 2/√n ≈ 0.002 for the mean, 4·√(2/n) ≈ 0.0055 for the variance; allow 5.
    #expect(abs(mean) < 0.01, "mean \(mean)")
    #expect(abs(variance - 4) < 0.028, "variance \(variance)")
    // Unseeded: two runs differ.
    var again = [Float](repeating: 0, count: 16)
    again.withUnsafeMutableBufferPointer { GaussianNoise.addGaussianNoise(to: $0, standardDeviation: 2, using: &generator) }
    #expect(Array(values[0..<16]) != again)
  }
}
