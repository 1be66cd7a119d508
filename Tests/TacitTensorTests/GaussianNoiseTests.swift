import Foundation
import Testing

@testable import TacitTensor

/// A generator that returns the same word forever (reaches the extreme uniforms on purpose).
private struct ConstantGenerator: RandomNumberGenerator {
  let word: UInt64
  mutating func next() -> UInt64 { word }
}

/// A generic wrapper, so `RandomWords` takes its `next()` fallback path.
private struct WrappedGenerator: RandomNumberGenerator {
  var inner: SeededGenerator
  mutating func next() -> UInt64 { inner.next() }
}

/// P(|Z| > t) for a standard normal, exactly: erfc(t/√2).
private func twoSidedTail(_ threshold: Double) -> Double { erfc(threshold / 2.0.squareRoot()) }

/// The transform against the exact Box–Muller map in `Double` (libm), the extreme uniforms,
/// determinism, and the distribution: moments, Kolmogorov–Smirnov, tail frequencies.
struct GaussianNoiseTests {
  /// The exact map for one pair: r = √(−2 ln u₁) with `libm`'s `log` in `Double`, θ = q·π/2 + φ
  /// reduced in integers as the kernel does, and `libm`'s `cos`/`sin` of φ in `Double`.
  private func reference(angleBits: UInt32, u1: Double) -> (Double, Double) {
    let radius = (-2 * log(u1)).squareRoot()
    let shifted = angleBits &+ 0x2000_0000
    let phi = Double(Int64(shifted & 0x3FFF_FFFF) - 0x2000_0000) * (Double.pi / 2) * 0x1p-30
    let (c, s) = (cos(phi), sin(phi))
    switch shifted >> 30 {
    case 0: return (radius * c, radius * s)
    case 1: return (-radius * s, radius * c)
    case 2: return (-radius * c, -radius * s)
    default: return (radius * s, -radius * c)
    }
  }

  @Test func transformMatchesLibm() {
    var generator = SeededGenerator(seed: 2024)
    let pairs = GaussianNoise.pairsPerBlock
    var words = [UInt64](repeating: 0, count: pairs)
    var radii = [Float](repeating: 0, count: pairs)
    var samples = [Float](repeating: 0, count: 2 * pairs)
    var maximumRelativeError: Double = 0
    var maximumTailRelativeError: Double = 0
    var maximumDirectDifference: Double = 0
    var refinedCount = 0
    for block in 0..<4096 {  // 2²² pairs
      for i in 0..<pairs { words[i] = generator.next() }
      if block == 0 {  // the extremes of both uniforms and the quadrant boundaries
        let specials: [UInt64] = [
          0, UInt64.max, 0xFFFF_FFFF, 0xFFFF_FFFF_0000_0000, 0x8000_0000_2000_0000, 0x0000_0001_DFFF_FFFF,
          0x0000_0001_E000_0000, 0x1234_5678_4000_0000, 0x0000_0100_C000_0000, 0x7FFF_FFFF_6000_0000,
          0x8000_0000_9FFF_FFFF, 0xB504_F333_0000_0001, 0xB504_F334_0000_0001,
        ]
        for (i, word) in specials.enumerated() { words[i] = word }
      }
      // The refinement draws its fractions from the same generator: replay them from a copy.
      var replay = generator
      words.withUnsafeBytes { bytes in
        let halves = bytes.bindMemory(to: UInt32.self).baseAddress!
        radii.withUnsafeMutableBufferPointer { r in
          samples.withUnsafeMutableBufferPointer { z in
            // Unrefined radii first, compared over the whole range of m (small m included).
            _ = GaussianNoise.radii(from: halves, into: r.baseAddress!, pairs: pairs, scale: 1)
            for i in 0..<pairs {
              let exact = (-2 * log((Double(halves[2 * i + 1]) + 0.5) * 0x1p-32)).squareRoot()
              maximumRelativeError = max(maximumRelativeError, abs(Double(r[i]) - exact) / exact)
            }
            GaussianNoise.refineTail(halves: halves, radii: r.baseAddress!, pairs: pairs, scale: 1, using: &generator)
            GaussianNoise.rotate(halves: halves, radii: r.baseAddress!, into: z.baseAddress!, pairs: pairs)
          }
        }
        for i in 0..<pairs {
          let m = halves[2 * i + 1]
          var u1 = (Double(m) + 0.5) * 0x1p-32
          if m < 1 << 20 {
            u1 = (Double(m) + (Double(replay.next() >> 11) + 0.5) * 0x1p-53) * 0x1p-32
            refinedCount += 1
          }
          let (first, second) = reference(angleBits: halves[2 * i], u1: u1)
          for (value, exact) in [(samples[2 * i], first), (samples[2 * i + 1], second)] {
            if exact == 0 {
              #expect(value == 0, "word \(words[i]): \(value) for exact 0")
            } else {
              let error = abs(Double(value) - exact) / abs(exact)
              maximumRelativeError = max(maximumRelativeError, error)
              if m < 1 << 20 { maximumTailRelativeError = max(maximumTailRelativeError, error) }
            }
          }
          // The reduced reference is the textbook map r·(cos 2πu₂, sin 2πu₂) up to Double rounding.
          let radius = (-2 * log(u1)).squareRoot()
          let angle = 2 * Double.pi * Double(halves[2 * i]) * 0x1p-32
          maximumDirectDifference = max(
            maximumDirectDifference, abs(radius * cos(angle) - first) / radius,
            abs(radius * sin(angle) - second) / radius)
        }
      }
      #expect(replay.next() == generator.next(), "refinement consumed an unexpected number of words")
    }
    // About 3 ULP of Float (2⁻²⁴ ≈ 6·10⁻⁸), uniformly over the range, tails included.
    #expect(maximumRelativeError < 4e-7, "maximum relative error \(maximumRelativeError)")
    #expect(maximumTailRelativeError < 4e-7, "maximum tail relative error \(maximumTailRelativeError)")
    #expect(maximumDirectDifference < 1e-12, "reduction differs from cos/sin(2πu₂): \(maximumDirectDifference)")
    // 2²² pairs with P(m < 2²⁰) = 2⁻¹²: 1024 ± 32 refined.
    #expect(abs(refinedCount - 1024) < 200, "refined \(refinedCount)")
    print(
      "GaussianNoise transform: maximum relative error \(maximumRelativeError) (tail \(maximumTailRelativeError)) over 2^22 pairs"
    )
  }

  @Test func extremeUniformsReachTheTailsUnclamped() {
    // All words 0: m = 0 triggers the refinement, whose fraction is also 0, so u₁ = 2⁻⁸⁶, θ = 0.
    var zeros = ConstantGenerator(word: 0)
    var values = [Float](repeating: 0, count: 2)
    values.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &zeros) }
    let largest = (172 * log(2.0)).squareRoot()  // ≈ 10.92
    #expect(abs(Double(values[0]) - largest) < 1e-6 * largest, "\(values[0]) vs \(largest)")
    #expect(values[1] == 0)
    // All words 1…1: u₁ = 1 − 2⁻³³ (smallest radius ≈ 2⁻¹⁶), θ = 2π(1 − 2⁻³²).
    var ones = ConstantGenerator(word: .max)
    values.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &ones) }
    let smallest = (-2 * log1p(-0x1p-33)).squareRoot()
    #expect(abs(Double(values[0]) - smallest) < 1e-6 * smallest, "\(values[0]) vs \(smallest)")
    let sine = -smallest * sin(2 * Double.pi * 0x1p-32)
    #expect(abs(Double(values[1]) - sine) < 1e-6 * abs(sine), "\(values[1]) vs \(sine)")
  }

  @Test func sameSeedSameSamplesOnEveryPath() {
    func sample<G: RandomNumberGenerator>(_ count: Int, _ generator: inout G) -> [Float] {
      var values = [Float](repeating: 0, count: count)
      values.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &generator) }
      return values
    }
    var first = SeededGenerator(seed: 77)
    var second = SeededGenerator(seed: 77)
    var wrapped = WrappedGenerator(inner: SeededGenerator(seed: 77))
    var other = SeededGenerator(seed: 78)
    let a = sample(50_001, &first)
    #expect(a == sample(50_001, &second))
    #expect(a == sample(50_001, &wrapped))
    #expect(a != sample(50_001, &other))
    // The generators advanced identically, refinement words included.
    #expect(first.next() == wrapped.inner.next())
    // Bulk words are exactly the words of repeated next().
    var bulk = SeededGenerator(seed: 5)
    var single = SeededGenerator(seed: 5)
    var words = [UInt64](repeating: 0, count: 1000)
    words.withUnsafeMutableBufferPointer { RandomWords.fill($0, using: &bulk) }
    #expect(words == (0..<1000).map { _ in single.next() })
  }

  @Test func countsZeroOneAndOdd() {
    var generator = SeededGenerator(seed: 3)
    var fresh = SeededGenerator(seed: 3)
    var empty = [Float]()
    empty.withUnsafeMutableBufferPointer { GaussianNoise.addGaussianNoise(to: $0, standardDeviation: 1, using: &generator) }
    #expect(generator.next() == fresh.next(), "count 0 consumed randomness")
    // An odd count is the prefix of the next even count (same pairs, the last second sample dropped).
    for count in [1, 5, 2047, 2049, 4097] {
      var odd = SeededGenerator(seed: UInt64(count))
      var even = SeededGenerator(seed: UInt64(count))
      var shorter = [Float](repeating: 0, count: count)
      var longer = [Float](repeating: 0, count: count + 1)
      shorter.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &odd) }
      longer.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &even) }
      #expect(shorter == Array(longer[0..<count]), "count \(count)")
      #expect(shorter.allSatisfy { $0.isFinite && $0 != 0 }, "count \(count)")
    }
  }

  @Test func noiseWithStandardDeviationScalesTheStandardNormal() {
    let count = 100_001
    var first = SeededGenerator(seed: 10)
    var second = SeededGenerator(seed: 10)
    var standard = [Float](repeating: 0, count: count)
    var noisy = [Float](repeating: 5, count: count)
    standard.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &first) }
    noisy.withUnsafeMutableBufferPointer { GaussianNoise.addGaussianNoise(to: $0, standardDeviation: 0.3, using: &second) }
    // Same uniforms: noise = 0.3·z up to rounding of the radius and of the addition to 5.
    for (z, x) in zip(standard, noisy) { #expect(abs((x - 5) - 0.3 * z) < 2e-6, "\(x) vs 5 + 0.3·\(z)") }
    var sum: Double = 0
    var sumOfSquares: Double = 0
    for x in noisy { sum += Double(x - 5); sumOfSquares += Double(x - 5) * Double(x - 5) }
    let deviation = (sumOfSquares / Double(count) - (sum / Double(count)) * (sum / Double(count))).squareRoot()
    // Standard error of the sample standard deviation: 0.3/√(2n) ≈ 0.00067; allow 5.
    #expect(abs(deviation - 0.3) < 0.0034, "standard deviation \(deviation)")
  }
}
