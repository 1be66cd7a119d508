/// Fast Gaussian noise for DP-SGD: N(0, σ²) added to, or written into, every element of a buffer.
///
/// **Transform.** Box–Muller (Box & Muller 1958): for independent uniforms u₁ ∈ (0, 1) and
/// u₂ ∈ [0, 1), r = √(−2 ln u₁) and θ = 2πu₂ give two independent standard normals r·cos θ and
/// r·sin θ. Each pair costs one 64-bit word: u₁ = (m + ½)·2⁻³² from the high 32 bits and
/// u₂ = w·2⁻³² from the low 32 bits. The work runs in blocks of `pairsPerBlock` pairs as plain,
/// branch-free loops that vectorise 4-wide in `Float` (see `GaussianNoise+Kernels.swift`): the
/// logarithm by fdlibm's polynomial with an exact complement near u₁ = 1, the square root by
/// Newton's iteration, the sine and cosine after an exact integer quadrant reduction (Cephes
/// polynomials). `Double` is used only for the rare far-tail radii.
///
/// **Accuracy.** Against the exact Box–Muller map on the same uniforms, evaluated in `Double`
/// with `libm`, the maximum relative error over 2²² pairs (plus the extreme and quadrant-boundary
/// words) is 3.7·10⁻⁷, about 3 ULP of `Float`; `GaussianNoiseTests.transformMatchesLibm` holds
/// it below 4·10⁻⁷. The error is relative everywhere, including near the zeros of cos θ and
/// sin θ and for u₁ near 1. Apart from this rounding, the samples are exact Box–Muller outputs
/// of uniforms on a grid: u₁ on 2³² cell midpoints (finer in the tail, below), u₂ on 2⁻³².
///
/// **Tails.** u₁ is refined when it is small (m < 2²⁰, probability 2⁻¹²): inside the cell
/// [m, m + 1)·2⁻³² a point is drawn on a grid of 2⁵³ steps with one extra word, and its radius is
/// computed in `Double`, so radii beyond √(24 ln 2) ≈ 4.08 are not quantised to 2³² cells. The smallest u₁ is 2⁻⁸⁶, the largest reachable |z| is
/// √(172 ln 2) ≈ 10.92 (P(|Z| > 10.92) ≈ 10⁻²⁷). The smallest radius is √(−2 ln(1 − 2⁻³³)) ≈ 2⁻¹⁶;
/// a coordinate is exactly 0 when the angle is a multiple of π/2 (probability 2⁻³¹ each).
/// Values are never clamped: every sample is the transform of its uniforms.
///
/// **Randomness.** Only from the generator passed in. `SecureGenerator` hands out its words in
/// bulk; `SeededGenerator` runs an inlined loop. The same seed gives the same samples. The stream
/// consumed is one word per pair per block, then one word per refined tail in that block, so the
/// samples depend on the block size (a change to `pairsPerBlock` changes seeded results).
public enum GaussianNoise {
  /// Pairs transformed per block: scratch of 1024·(8 + 4 + 8) bytes = 20 KiB stays in L1/L2.
  static let pairsPerBlock = 1024

  /// Adds independent N(0, standardDeviation²) noise to every element of `buffer`.
  ///
  /// This is the Gaussian mechanism's step in DP-SGD: σ·C is passed as `standardDeviation`.
  /// Any `count` (0, 1, odd) works: an odd count discards the last pair's second sample.
  /// - Precondition: `standardDeviation` is finite and non-negative.
  public static func addGaussianNoise<G: RandomNumberGenerator>(
    to buffer: UnsafeMutableBufferPointer<Float>, standardDeviation: Float, using generator: inout G
  ) {
    precondition(
      standardDeviation.isFinite && standardDeviation >= 0,
      "standardDeviation must be finite and non-negative, got \(standardDeviation)")
    generate(into: buffer, mean: 0, standardDeviation: standardDeviation, accumulate: true, using: &generator)
  }

  /// Writes independent N(mean, standardDeviation²) samples into every element of `buffer`.
  ///
  /// Each element is `mean + standardDeviation·z` with z a standard normal from the transform above.
  /// - Precondition: `standardDeviation` is finite and non-negative.
  public static func fillNormal<G: RandomNumberGenerator>(
    _ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1,
    using generator: inout G
  ) {
    precondition(
      standardDeviation.isFinite && standardDeviation >= 0,
      "standardDeviation must be finite and non-negative, got \(standardDeviation)")
    generate(into: buffer, mean: mean, standardDeviation: standardDeviation, accumulate: false, using: &generator)
  }

  /// The block loop shared by `addGaussianNoise` and `fillNormal`.
  static func generate<G: RandomNumberGenerator>(
    into buffer: UnsafeMutableBufferPointer<Float>, mean: Float, standardDeviation: Float, accumulate: Bool,
    using generator: inout G
  ) {
    guard let output = buffer.baseAddress, buffer.count > 0 else { return }
    let count = buffer.count
    let scale = standardDeviation
    withUnsafeTemporaryAllocation(byteCount: 8 * pairsPerBlock, alignment: 8) { wordBytes in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: pairsPerBlock) { radiusScratch in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * pairsPerBlock) { sampleScratch in
          let radii = radiusScratch.baseAddress!
          let samples = sampleScratch.baseAddress!
          var start = 0
          while start < count {
            let length = Swift.min(2 * pairsPerBlock, count - start)
            let pairs = (length + 1) / 2
            // Fill as 64-bit words, then read the same bytes as 32-bit halves (w, m).
            let words = wordBytes.bindMemory(to: UInt64.self)
            RandomWords.fill(UnsafeMutableBufferPointer(rebasing: words[0..<pairs]), using: &generator)
            let halves = UnsafePointer(wordBytes.bindMemory(to: UInt32.self).baseAddress!)
            if GaussianNoise.radii(from: halves, into: radii, pairs: pairs, scale: scale) {
              refineTail(halves: halves, radii: radii, pairs: pairs, scale: scale, using: &generator)
            }
            rotate(halves: halves, radii: radii, into: samples, pairs: pairs)
            let destination = output + start
            if accumulate {
              for i in 0..<length { destination[i] += samples[i] }
            } else {
              for i in 0..<length { destination[i] = mean + samples[i] }
            }
            start += length
          }
        }
      }
    }
  }
}
