import RealModule

/// Sampling from the uniform and normal distributions with an explicit generator.
///
/// Normal samples use the Box–Muller transform on 32-bit uniforms, u₁ ∈ (0, 1], u₂ ∈ [0, 1):
/// two independent N(0, 1) values per pair, `r = √(−2 ln u₁)`, `(r cos 2πu₂, r sin 2πu₂)`.
/// The largest reachable |z| is √(64 ln 2) ≈ 6.66 (smallest u₁ = 2⁻³²); P(|Z| > 6.66) ≈ 3·10⁻¹¹
/// per coordinate, far below any δ an accountant is asked for. Float64 inside, Float32 out.
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
  public static func fillNormal<G: RandomNumberGenerator>(
    _ buffer: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1,
    using generator: inout G
  ) {
    var index = 0
    let count = buffer.count
    let mean = Double(mean)
    let scale = Double(standardDeviation)
    while index < count {
      let bits = generator.next()
      // 32 bits each; u1 in (0, 1] so the logarithm is finite.
      let u1 = (Double(bits >> 32) + 1) * 0x1p-32
      let u2 = Double(bits & 0xffff_ffff) * 0x1p-32
      let radius = (-2 * Double.log(u1)).squareRoot() * scale
      let angle = 2 * Double.pi * u2
      buffer[index] = Float(mean + radius * Double.cos(angle))
      if index + 1 < count { buffer[index + 1] = Float(mean + radius * Double.sin(angle)) }
      index += 2
    }
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
