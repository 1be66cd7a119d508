import Testing

@testable import TacitTensor

/// The BLAS wrapper against naive triple loops in Float64, for every transpose combination,
/// non-trivial α/β, padded leading dimensions, and empty dimensions.
struct BLASTests {
  /// Deterministic, non-symmetric test values in [−1, 1) (at least one, so that buffers of empty
  /// matrices still have a base address).
  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SeededGenerator(seed: seed)
    return (0..<max(count, 1)).map { _ in 2 * Random.uniform(using: &generator) - 1 }
  }

  /// `α·op(A)·op(B) + β·C` by definition; `A` stored with row stride `lda` etc.
  static func naiveGemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int
  ) -> [Float] {
    var result = c
    for i in 0..<m {
      for j in 0..<n {
        var total: Double = 0
        for p in 0..<k {
          let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
          let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          total += Double(aValue) * Double(bValue)
        }
        result[i * ldc + j] = Float(Double(alpha) * total + (beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])))
      }
    }
    return result
  }

  @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
  func gemmMatchesNaiveLoops(transposeA: Bool, transposeB: Bool) {
    for (m, n, k) in [(3, 4, 5), (1, 7, 2), (6, 1, 9), (5, 3, 0)] {
      for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
        // Leading dimensions padded by 2 beyond the stored row width to exercise strides.
        let lda = (transposeA ? m : k) + 2
        let ldb = (transposeB ? k : n) + 2
        let ldc = n + 2
        let a = Self.values((transposeA ? k : m) * lda, seed: 1)
        let b = Self.values((transposeB ? n : k) * ldb, seed: 2)
        var c = Self.values(m * ldc, seed: 3)
        let expected = Self.naiveGemm(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        a.withUnsafeBufferPointer { aBuffer in
          b.withUnsafeBufferPointer { bBuffer in
            c.withUnsafeMutableBufferPointer { cBuffer in
              BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: aBuffer.baseAddress!, lda: lda, b: bBuffer.baseAddress!, ldb: ldb,
                beta: beta, c: cBuffer.baseAddress!, ldc: ldc)
            }
          }
        }
        for index in c.indices {
          #expect(
            abs(c[index] - expected[index]) <= 1e-5,
            "m \(m) n \(n) k \(k) α \(alpha) β \(beta): C[\(index)] = \(c[index]), expected \(expected[index])")
        }
      }
    }
  }

  @Test func gemmWithZeroInnerDimensionAndZeroBetaClearsNaN() {
    // β = 0 means C is not read (BLAS convention), so NaN in C must not survive.
    var c: [Float] = [.nan, 1, 2, 3]
    let a: [Float] = [0]
    c.withUnsafeMutableBufferPointer { cBuffer in
      BLAS.gemm(m: 2, n: 2, k: 0, a: a, lda: 1, b: a, ldb: 2, beta: 0, c: cBuffer.baseAddress!, ldc: 2)
    }
    #expect(c == [0, 0, 0, 0])
  }

  @Test(arguments: [false, true])
  func gemvMatchesNaiveLoops(transpose: Bool) {
    for (m, n) in [(3, 5), (1, 4), (4, 1)] {
      for (alpha, beta) in [(Float(1), Float(0)), (-1.5, 0.5)] {
        let lda = n + 1
        let a = Self.values(m * lda, seed: 4)
        let x = Self.values(transpose ? m : n, seed: 5)
        var y = Self.values(transpose ? n : m, seed: 6)
        // y = α·op(A)·x + β·y, as gemm with a one-column right-hand side.
        let expected = Self.naiveGemm(
          transposeA: transpose, transposeB: false, m: y.count, n: 1, k: x.count, alpha: alpha,
          a: a, lda: lda, b: x, ldb: 1, beta: beta, c: y, ldc: 1)
        y.withUnsafeMutableBufferPointer { yBuffer in
          BLAS.gemv(
            transpose: transpose, m: m, n: n, alpha: alpha, a: a, lda: lda, x: x, beta: beta,
            y: yBuffer.baseAddress!)
        }
        for index in y.indices {
          #expect(abs(y[index] - expected[index]) <= 1e-5, "m \(m) n \(n) transpose \(transpose): y[\(index)]")
        }
      }
    }
  }

  @Test func gemvWithEmptyInnerDimensionScalesByBeta() {
    // op(A)·x is the zero vector when the inner dimension is 0: y ← β·y.
    let empty: [Float] = [0]
    var y: [Float] = [1, -2, 4]
    y.withUnsafeMutableBufferPointer { yBuffer in
      BLAS.gemv(m: 3, n: 0, a: empty, lda: 1, x: empty, beta: 0.5, y: yBuffer.baseAddress!)
    }
    #expect(y == [0.5, -1, 2])
    var transposed: [Float] = [.nan, 3]
    transposed.withUnsafeMutableBufferPointer { yBuffer in
      BLAS.gemv(transpose: true, m: 0, n: 2, a: empty, lda: 2, x: empty, beta: 0, y: yBuffer.baseAddress!)
    }
    #expect(transposed == [0, 0])
  }

  @Test func axpyAndDot() {
    let x = Self.values(37, seed: 7)
    var y = Self.values(37, seed: 8)
    let original = y
    var dotExpected: Double = 0
    for i in 0..<37 { dotExpected += Double(x[i]) * Double(y[i]) }
    #expect(abs(Double(BLAS.dot(count: 37, x: x, y: y)) - dotExpected) <= 1e-5)
    #expect(BLAS.dot(count: 0, x: x, y: y) == 0)
    y.withUnsafeMutableBufferPointer { BLAS.axpy(count: 37, alpha: -0.75, x: x, y: $0.baseAddress!) }
    for i in 0..<37 { #expect(abs(y[i] - (original[i] - 0.75 * x[i])) <= 1e-6) }
    y.withUnsafeMutableBufferPointer { BLAS.axpy(count: 0, alpha: 3, x: x, y: $0.baseAddress!) }
    #expect(y.count == 37)
  }

  @Test func matmulAllTransposes() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    // [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58, 64], [139, 154]].
    #expect(a.matmul(b) == Tensor(shape: [2, 2], scalars: [58, 64, 139, 154]))
    // Aᵀ·Bᵀ = (B·A)ᵀ; B·A = [[39,54,69],[49,68,87],[59,82,105]].
    #expect(
      a.matmul(b, transposeSelf: true, transposeOther: true)
        == Tensor(shape: [3, 3], scalars: [39, 49, 59, 54, 68, 82, 69, 87, 105]))
    // A·Aᵀ = [[14, 32], [32, 77]]; Aᵀ·A = [[17,22,27],[22,29,36],[27,36,45]].
    #expect(a.matmul(a, transposeOther: true) == Tensor(shape: [2, 2], scalars: [14, 32, 32, 77]))
    #expect(a.matmul(a, transposeSelf: true) == Tensor(shape: [3, 3], scalars: [17, 22, 27, 22, 29, 36, 27, 36, 45]))
    // Empty inner dimension: zeros.
    #expect(Tensor(shape: [2, 0]).matmul(Tensor(shape: [0, 3])) == Tensor(shape: [2, 3]))
    #expect(Tensor(shape: [0, 4]).matmul(Tensor(shape: [4, 3])).shape == [0, 3])
  }
}
