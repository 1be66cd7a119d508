import Foundation
import TacitTensor
import Testing

/// Distributional checks at fixed seeds: moments and a Kolmogorov–Smirnov distance for the
/// normal sampler, uniform range and mean, and permutations.
struct RandomTests {
  @Test func normalMomentsAndDistribution() {
    var generator = SeededGenerator(seed: 12345)
    let count = 200_000
    let samples = Random.normal(count: count, using: &generator)
    var sum: Double = 0
    var sumOfSquares: Double = 0
    for value in samples {
      sum += Double(value)
      sumOfSquares += Double(value) * Double(value)
    }
    let mean = sum / Double(count)
    let variance = sumOfSquares / Double(count) - mean * mean
    // Standard errors: 1/√n ≈ 0.0022 for the mean, √(2/n) ≈ 0.0032 for the variance.
    #expect(abs(mean) < 0.01, "mean \(mean)")
    #expect(abs(variance - 1) < 0.01, "variance \(variance)")

    // Kolmogorov–Smirnov on the first 20,000 (sorting 200k in a debug build is slow):
    // D = sup |F_n(x) − Φ(x)|; the 0.1% critical value is ≈ 1.95/√n ≈ 0.0138.
    let sorted = samples[0..<20_000].sorted()
    let n = Double(sorted.count)
    var distance: Double = 0
    for (index, value) in sorted.enumerated() {
      let cdf = 0.5 * erfc(-Double(value) / 2.0.squareRoot())
      distance = max(distance, abs(Double(index + 1) / n - cdf), abs(cdf - Double(index) / n))
    }
    #expect(distance < 1.95 / n.squareRoot(), "KS distance \(distance)")
    // Box–Muller with 32-bit uniforms cannot exceed √(64 ln 2) ≈ 6.66.
    #expect(samples.allSatisfy { abs($0) <= 6.67 })
  }

  @Test func normalMeanAndStandardDeviationParameters() {
    var first = SeededGenerator(seed: 9)
    var second = SeededGenerator(seed: 9)
    let standard = Random.normal(count: 1001, using: &first)
    let shifted = Random.normal(count: 1001, mean: 3, standardDeviation: 0.5, using: &second)
    for (z, x) in zip(standard, shifted) { #expect(abs(x - (3 + 0.5 * z)) < 1e-5) }
  }

  @Test func uniformRangeAndMean() {
    var generator = SeededGenerator(seed: 3)
    let count = 100_000
    var sum: Double = 0
    var doubleSum: Double = 0
    for _ in 0..<count {
      let value = Random.uniform(using: &generator)
      let wide = Random.uniformDouble(using: &generator)
      #expect(value >= 0 && value < 1)
      #expect(wide >= 0 && wide < 1)
      sum += Double(value)
      doubleSum += wide
    }
    // Standard error of the mean: √(1/12n) ≈ 0.0009.
    #expect(abs(sum / Double(count) - 0.5) < 0.005)
    #expect(abs(doubleSum / Double(count) - 0.5) < 0.005)
  }

  @Test func permutationIsAPermutation() {
    var generator = SeededGenerator(seed: 11)
    for count in [0, 1, 2, 10, 1000] {
      let permutation = Random.permutation(count, using: &generator)
      #expect(permutation.sorted() == Array(0..<count), "count \(count)")
    }
    // Not the identity, and seeded.
    var first = SeededGenerator(seed: 5)
    var second = SeededGenerator(seed: 5)
    let a = Random.permutation(100, using: &first)
    #expect(a != Array(0..<100))
    #expect(a == Random.permutation(100, using: &second))
  }

  @Test func permutationsOfThreeAreUniform() {
    // 6000 draws over the 6 orders: each ≈ 1000 ± 29 (binomial standard deviation).
    var generator = SeededGenerator(seed: 17)
    var counts: [[Int]: Int] = [:]
    for _ in 0..<6000 { counts[Random.permutation(3, using: &generator), default: 0] += 1 }
    #expect(counts.count == 6)
    for (order, count) in counts { #expect(abs(count - 1000) < 150, "\(order): \(count)") }
  }
}
