/// Elementwise kernels and reductions over contiguous `Float` storage.
///
/// Written as plain loops over unsafe buffer pointers: at the default x86-64 target these
/// auto-vectorise (SSE), where `SIMD` types do not (see ../shared/TOOLCHAIN.md).
extension Tensor {
  /// `self ← self + alpha·other` (shapes must hold the same number of elements).
  public mutating func add(_ other: Tensor, scaledBy alpha: Float = 1) {
    precondition(count == other.count, "add: \(shape) and \(other.shape) differ in size")
    scalars.withUnsafeMutableBufferPointer { y in
      other.scalars.withUnsafeBufferPointer { x in
        // Large tensors (a language model's residual stream) on the compute threads.
        Parallel.forEachChunk(y.count, minimumChunk: 1 << 16) { chunk in
          for i in chunk { y[i] += alpha * x[i] }
        }
      }
    }
  }

  /// `self ← alpha·self`.
  public mutating func scale(by alpha: Float) {
    let n = count
    scalars.withUnsafeMutableBufferPointer { y in
      for i in 0..<n { y[i] *= alpha }
    }
  }

  /// Sets every element to zero, keeping the shape.
  public mutating func zero() {
    let n = count
    scalars.withUnsafeMutableBufferPointer { y in
      for i in 0..<n { y[i] = 0 }
    }
  }

  /// `Σ xᵢ²`, accumulated in Float64.
  public var squaredNorm: Double {
    scalars.withUnsafeBufferPointer { Kernels.squaredNorm($0) }
  }

  /// `Σ xᵢ`, accumulated in Float64.
  public var sum: Double {
    scalars.withUnsafeBufferPointer { x in
      var total: Double = 0
      for value in x { total += Double(value) }
      return total
    }
  }

  /// The index of the largest element in each row of a `[B, K]` tensor (first on ties).
  public func argmaxRows() -> [Int] {
    precondition(rank == 2, "argmaxRows needs a rank-2 tensor, got \(shape)")
    let rows = shape[0]
    let columns = shape[1]
    var result = [Int](repeating: 0, count: rows)
    scalars.withUnsafeBufferPointer { x in
      for row in 0..<rows {
        var best = 0
        var bestValue = -Float.infinity
        for column in 0..<columns where x[row * columns + column] > bestValue {
          bestValue = x[row * columns + column]
          best = column
        }
        result[row] = best
      }
    }
    return result
  }
}

/// Raw kernels shared by layers.
public enum Kernels {
  /// `Σ xᵢ²` over a buffer, accumulated in Float64 in blocks of Float32 (vectorises, stays exact
  /// to Float32 rounding per block of 256).
  @inlinable
  public static func squaredNorm(_ x: UnsafeBufferPointer<Float>) -> Double {
    blockedSum(count: x.count) { x[$0] * x[$0] }
  }

  /// `Σ xᵢ²` over `count` elements at `x`.
  @inlinable
  public static func squaredNorm(_ x: UnsafePointer<Float>, count: Int) -> Double {
    squaredNorm(UnsafeBufferPointer(start: x, count: count))
  }

  /// `Σ xᵢ·yᵢ` over `count` elements, accumulated in Float64 in blocks.
  @inlinable
  public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Double {
    blockedSum(count: count) { x[$0] * y[$0] }
  }

  /// `Σ term(i)` for `i` in `0..<count`, summed in Float32 within blocks of 256 terms and in
  /// Float64 across blocks (the error stays at Float32 rounding per block).
  ///
  /// Within a block, eight independent Float32 partial sums (`laneSum`): a single running sum is
  /// a serial dependency chain that the compiler may not reorder (no fast-math), so it ran one
  /// scalar add per 4 cycles; eight lanes vectorise.
  @inlinable @inline(__always)
  static func blockedSum(count: Int, _ term: (Int) -> Float) -> Double {
    var total: Double = 0
    var start = 0
    while start < count {
      let end = Swift.min(start + 256, count)
      total += Double(laneSum(start..<end, term))
      start = end
    }
    return total
  }

  /// `Σ term(i)` over `range` in Float32, in eight independent lanes (`i mod 8` from the start)
  /// added pairwise at the end, so that the loop vectorises (a single running Float32 sum is a
  /// serial dependency chain the compiler may not reorder). For short sums such as a row of a
  /// layer norm; long ones want `blockedSum`'s Float64 blocks.
  @inlinable @inline(__always)
  public static func laneSum(_ range: Range<Int>, _ term: (Int) -> Float) -> Float {
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
    var s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
    var i = range.lowerBound
    let end = range.upperBound
    while i + 8 <= end {
      s0 += term(i)
      s1 += term(i + 1)
      s2 += term(i + 2)
      s3 += term(i + 3)
      s4 += term(i + 4)
      s5 += term(i + 5)
      s6 += term(i + 6)
      s7 += term(i + 7)
      i += 8
    }
    while i < end {
      s0 += term(i)
      i += 1
    }
    return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
  }
}
