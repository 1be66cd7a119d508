import RealModule

/// The passes of `GaussianNoise`'s Box–Muller transform: two vectorised, one rare and scalar.
///
/// Letters used in this file: P pairs in the block, i a pair index. The block's P random 64-bit
/// words are read as 2P 32-bit halves, `halves[2i]` = w (angle) and `halves[2i + 1]` = m (radius);
/// on a little-endian machine (all Swift targets Tacit builds for) these are the low and high halves
/// of word i. The vectorised passes are plain loops over pointers with 32-bit integer and `Float`
/// lanes only: no calls (`squareRoot()` would call `libm`), no 64-bit integer to float conversions
/// (SSE2 has none, so LLVM would fall back to 2 scalar lanes), no branches. Measured per pair
/// (release, busy 2-core machine): radii 3.0 ns, rotation 1.3 ns, seeded words 0.8 ns. The same
/// logarithm and Newton square root in `Double` (2 lanes, fdlibm's degree-7 `log`) took 5.2 ns
/// for the radius alone, so `Float` is used, with the exact complement keeping u₁ ≈ 1 accurate.
extension GaussianNoise {
  /// Pass 1: `radii[i] = scale·√(−2 ln u₁)` with u₁ = (m + ½)·2⁻³² ∈ (0, 1).
  ///
  /// ln u₁ is musl's `logf` (from fdlibm, Sun Microsystems 1993) written branch-free: u₁ =
  /// 2ᵏ·(1 + f) with 1 + f ∈ [√½, √2) from integer arithmetic on the bit pattern, s = f/(2 + f),
  /// ln(1 + f) = f − f²/2 + s·(f²/2 + R(s²)), R a degree-4 minimax polynomial (|error| < 2⁻³⁴·²⁴),
  /// ln 2 split into high and low parts. Near u₁ = 1 (k = 0) the rounded `Float` u₁ would lose
  /// every digit of the small ln u₁, so there f = −(1 − u₁) is taken from the exact complement
  /// 1 − u₁ = (~m + ½)·2⁻³² instead: ln u₁ keeps full relative accuracy over the whole range.
  /// The square root is Newton's iteration on 1/√x from the bit-pattern estimate 0x5F3759DF
  /// (relative error < 3.5 %, then 1.8·10⁻³, 4.6·10⁻⁶ and rounding level after three steps).
  /// Measured against `Double` `libm`: relative error of the radius 2.3·10⁻⁷ at most.
  ///
  /// Returns whether some m < 2²⁰ (u₁ < 2⁻¹²), so that `refineTail` runs only when needed: the
  /// OR of m·2⁻²⁰ − 1 over the block has its sign bit set only if some m·2⁻²⁰ is zero.
  @inline(__always)
  static func radii(
    from halves: UnsafePointer<UInt32>, into radii: UnsafeMutablePointer<Float>, pairs: Int, scale: Float
  ) -> Bool {
    let lg1: Float = 0.666_666_626_93
    let lg2: Float = 0.400_009_721_52
    let lg3: Float = 0.284_987_866_88
    let lg4: Float = 0.242_790_788_41
    let ln2High: Float = 6.931_381_225_6e-01
    let ln2Low: Float = 9.058_000_614_5e-06
    var anySmall: UInt32 = 0
    for i in 0..<pairs {
      let m = halves[2 * i + 1]
      anySmall |= (m >> 20) &- 1
      let u = (Float(m) + 0.5) * 0x1p-32
      let complement = (Float(~m) + 0.5) * 0x1p-32
      // Offsetting the bits moves the mantissa interval from [1, 2) to [√½, √2).
      let bits = u.bitPattern &+ (0x3F80_0000 &- 0x3F35_04F3)
      let exponentBits = Int32(bitPattern: bits >> 23) &- 127
      let exponent = Float(exponentBits)
      let reduced = Float(bitPattern: (bits & 0x007F_FFFF) &+ 0x3F35_04F3) - 1
      let f = exponentBits == 0 ? -complement : reduced
      let halfFSquared = 0.5 * f * f
      let s = f / (2 + f)
      let z = s * s
      let w = z * z
      let polynomial = z * (lg1 + w * lg3) + w * (lg2 + w * lg4)
      let logU = exponent * ln2High + (f - halfFSquared + (s * (halfFSquared + polynomial) + exponent * ln2Low))
      let x = -2 * logU
      var y = Float(bitPattern: 0x5F37_59DF &- (x.bitPattern >> 1))
      y = y * (1.5 - 0.5 * x * y * y)
      y = y * (1.5 - 0.5 * x * y * y)
      y = y * (1.5 - 0.5 * x * y * y)
      radii[i] = x * y * scale
    }
    return anySmall >> 31 != 0
  }

  /// Pass 2 (rare, scalar): for m < 2²⁰, u₁ = (m + (v + ½)·2⁻⁵³)·2⁻³² with v 53 fresh bits.
  ///
  /// Within the cell [m, m + 1)·2⁻³² the midpoint is replaced by a point on a 2⁻⁸⁵ grid, so the
  /// radii beyond √(24 ln 2) ≈ 4.08 are not quantised to 2³² cells; the radius is then computed
  /// in `Double` with `libm` and rounded once to `Float`. The smallest reachable u₁
  /// is 2⁻⁵⁴·2⁻³² = 2⁻⁸⁶ (m = 0, v = 0), the largest radius √(172 ln 2) ≈ 10.92.
  static func refineTail<G: RandomNumberGenerator>(
    halves: UnsafePointer<UInt32>, radii: UnsafeMutablePointer<Float>, pairs: Int, scale: Float,
    using generator: inout G
  ) {
    for i in 0..<pairs where halves[2 * i + 1] < 1 << 20 {
      let fraction = (Double(generator.next() >> 11) + 0.5) * 0x1p-53
      let u = (Double(halves[2 * i + 1]) + fraction) * 0x1p-32
      radii[i] = Float((-2 * Double.log(u)).squareRoot() * Double(scale))
    }
  }

  /// Pass 3: `samples[2i] = radii[i]·cos θ`, `samples[2i + 1] = radii[i]·sin θ`, θ = 2π·w·2⁻³².
  ///
  /// Range reduction is exact in integers: w + 2²⁹ = q·2³⁰ + (j + 2²⁹) gives the quadrant q and
  /// φ = j·(π/2)·2⁻³⁰ ∈ [−π/4, π/4), θ = q·π/2 + φ. sin φ and cos φ are Cephes' `sinf`/`cosf`
  /// minimax polynomials for |φ| ≤ π/4 (Moshier 1989; degrees 7 and 8, about 1 ULP of `Float`),
  /// and the quadrant rotates (cos φ, sin φ) by swapping and negating through bit masks. Relative
  /// accuracy holds near every zero of sin θ and cos θ, which `cos(2π·u₂)` evaluated in floating
  /// point would lose. `samples` holds 2P values.
  @inline(__always)
  static func rotate(
    halves: UnsafePointer<UInt32>, radii: UnsafePointer<Float>, into samples: UnsafeMutablePointer<Float>,
    pairs: Int
  ) {
    let angleStep = Float.pi / 2 * 0x1p-30
    for i in 0..<pairs {
      let shifted = halves[2 * i] &+ 0x2000_0000
      let quadrant = shifted >> 30
      let offset = Int32(bitPattern: shifted & 0x3FFF_FFFF) &- 0x2000_0000
      let phi = Float(offset) * angleStep
      let p2 = phi * phi
      let sinPhi = ((-1.951_529_589_1e-4 * p2 + 8.332_160_873_6e-3) * p2 - 1.666_665_461_1e-1) * p2 * phi + phi
      let cosPhi =
        ((2.443_315_711_809_948e-5 * p2 - 1.388_731_625_493_765e-3) * p2 + 4.166_664_568_298_827e-2) * p2 * p2
        - 0.5 * p2 + 1
      // Odd quadrants swap cos and sin; quadrants 1, 2 negate cos θ and 2, 3 negate sin θ.
      let swapMask = 0 &- (quadrant & 1)
      let first = (sinPhi.bitPattern & swapMask) | (cosPhi.bitPattern & ~swapMask)
      let second = (cosPhi.bitPattern & swapMask) | (sinPhi.bitPattern & ~swapMask)
      let cosSign = ((quadrant ^ (quadrant >> 1)) & 1) << 31
      let sinSign = (quadrant >> 1) << 31
      let radius = radii[i]
      samples[2 * i] = radius * Float(bitPattern: first ^ cosSign)
      samples[2 * i + 1] = radius * Float(bitPattern: second ^ sinSign)
    }
  }
}
