import RealModule

/// Sampling from the uniform and normal distributions with an explicit generator.
///
/// Normal samples come from `GaussianNoise`: the Box–Muller transform on one 64-bit word per
/// pair, u₁ = (m + ½)·2⁻³² refined to 85 bits below 2⁻¹², u₂ = w·2⁻³², evaluated 4-wide in
/// `Float` within 4·10⁻⁷ relative error of the exact map; the largest reachable |z| is
/// √(172 ln 2) ≈ 10.92.
public enum Random {
  /// A uniform `Float` in [0, 1) with 24 random bits.
  @inlinable
  public static func uniform<G: RandomNumberGenerator>(using generator: inout G) -> Float {
    Float(generator.next() >> 40) * 0x1p-24
  }

  /// A uniform `Double` in [0, 1) with 53 random bits.
  @inlinable
  public static func uniformDouble<G: RandomNumberGenerator>(using generator: inout G) -> Double {
    Double(generator.next() >> 11) * 0x1p-53
  }

  /// Fills `buffer` with independent N(mean, standardDeviation²) samples.
  ///
  /// The vectorised Box–Muller sampler of `GaussianNoise.fillNormal` (accuracy, tails and the
  /// random words consumed are documented there).
  public static func fillNormal<G: RandomNumberGenerator>(
    _ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1,
    using generator: inout G
  ) {
    GaussianNoise.fillNormal(buffer, mean: mean, standardDeviation: standardDeviation, using: &generator)
  }

  /// An array of `count` independent N(mean, standardDeviation²) samples.
  public static func normal<G: RandomNumberGenerator>(
    count: Int, mean: Float = 0, standardDeviation: Float = 1, using generator: inout G
  ) -> [Float] {
    var result = [Float](repeating: 0, count: count)
    result.withUnsafeMutableBufferPointer {
      fillNormal($0, mean: mean, standardDeviation: standardDeviation, using: &generator)
    }
    return result
  }

  /// A uniformly random permutation of `0..<count` (Fisher–Yates).
  public static func permutation<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> [Int] {
    var result = Array(0..<count)
    if count < 2 { return result }
    for i in stride(from: count - 1, to: 0, by: -1) {
      let j = Int.random(in: 0...i, using: &generator)
      result.swapAt(i, j)
    }
    return result
  }
}
