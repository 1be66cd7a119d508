extension Kernels {
  /// `x[i] = exp(x[i])` for `count` elements, vectorised (`Kernels.exp(_:)` per element).
  @inlinable
  public static func exp(inPlace x: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { x[i] = exp(x[i]) }
  }

  /// `eˣ` for one `Float`, branch-free and call-free so that loops calling it vectorise (libm's
  /// `expf` is a call per element; in the language model's attention softmax it was about 3% of
  /// a training step).
  ///
  /// Cephes' `expf` reduction: `n = round(x·log₂e)` (by adding and subtracting 1.5·2²³, exact
  /// round-to-nearest without SSE4.1's `roundps`), `r = x − n·ln 2` in two parts (Cody–Waite,
  /// `ln 2 = 0.693359375 − 2.12194440·10⁻⁴`), `eʳ ≈ 1 + r + r²·P(r)` with `P` of degree 5 on
  /// `|r| ≤ ½ ln 2`, and `2ⁿ` built from its exponent bits. Range: `x` below −87.33654 (where
  /// `eˣ` leaves the normal range) gives 0, `x` above 88 gives `e⁸⁸ ≈ 1.65·10³⁸` (no ∞), NaN
  /// stays NaN. Measured against `Double` `exp` over [−87, 88] (tested in `FastExpTests`):
  /// relative error below 3·10⁻⁷ (about 2 ULP).
  @inlinable @inline(__always)
  public static func exp(_ x: Float) -> Float {
    let low: Float = -87.336_54, high: Float = 88
    let log2e: Float = 1.442_695_040_888_963_4
    let roundingShift: Float = 12_582_912  // 1.5·2²³
    let ln2High: Float = 0.693_359_375, ln2Low: Float = -2.121_944_400_546_905_8e-4
    // Clamped with comparisons that let NaN through (no integer conversion that could trap).
    let v = x < low ? low : (x > high ? high : x)
    let shifted = v * log2e + roundingShift
    let n = shifted - roundingShift
    let r = (v - n * ln2High) - n * ln2Low
    var p: Float = 1.987_569_150_0e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let expR = p * r * r + r + 1
    // The low mantissa bits of `shifted` hold n in two's complement; 2ⁿ has exponent bits n + 127.
    let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    let value = expR * scale
    return x < low ? 0 : value
  }

  /// `Σ x[i]` over `count` elements (eight Float32 lanes per block of 256, Float64 across
  /// blocks; vectorises, as `squaredNorm`).
  @inlinable
  public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Double {
    blockedSum(count: count) { x[$0] }
  }

  /// `max_i x[i]` over `count` elements (−∞ for none), in eight lanes (vectorises); NaN
  /// entries are skipped.
  @inlinable
  public static func maximum(_ x: UnsafePointer<Float>, count: Int) -> Float {
    let none = -Float.infinity
    var lanes = (none, none, none, none, none, none, none, none)
    var i = 0
    while i + 8 <= count {
      lanes.0 = x[i] > lanes.0 ? x[i] : lanes.0
      lanes.1 = x[i + 1] > lanes.1 ? x[i + 1] : lanes.1
      lanes.2 = x[i + 2] > lanes.2 ? x[i + 2] : lanes.2
      lanes.3 = x[i + 3] > lanes.3 ? x[i + 3] : lanes.3
      lanes.4 = x[i + 4] > lanes.4 ? x[i + 4] : lanes.4
      lanes.5 = x[i + 5] > lanes.5 ? x[i + 5] : lanes.5
      lanes.6 = x[i + 6] > lanes.6 ? x[i + 6] : lanes.6
      lanes.7 = x[i + 7] > lanes.7 ? x[i + 7] : lanes.7
      i += 8
    }
    let pairs = (Swift.max(lanes.0, lanes.4), Swift.max(lanes.1, lanes.5), Swift.max(lanes.2, lanes.6), Swift.max(lanes.3, lanes.7))
    var result = Swift.max(Swift.max(pairs.0, pairs.2), Swift.max(pairs.1, pairs.3))
    while i < count {
      if x[i] > result { result = x[i] }
      i += 1
    }
    return result
  }
}
