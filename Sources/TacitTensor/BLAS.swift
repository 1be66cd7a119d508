import CBLAS

/// The one place Tacit calls BLAS (OpenBLAS through `CBLAS`).
///
/// All matrices are row-major. `gemm` computes `C ← α·op(A)·op(B) + β·C` with `op(A)` of shape
/// `[m, k]`, `op(B)` of shape `[k, n]` and `C` of shape `[m, n]`; `lda`, `ldb`, `ldc` are the row
/// strides of the stored (untransposed) matrices.
public enum BLAS {
  /// Sets the number of threads OpenBLAS uses for every later call (process-wide).
  ///
  /// Tacit sets this explicitly (default 1): on two cores a second thread helps large products only
  /// when the other core is idle, and slows small ones.
  public static func setThreadCount(_ count: Int) {
    precondition(count >= 1, "BLAS thread count must be at least 1, got \(count)")
    openblas_set_num_threads(Int32(count))
  }

  /// The number of threads OpenBLAS currently uses.
  public static var threadCount: Int { Int(openblas_get_num_threads()) }

  /// The CPU kernel family OpenBLAS chose at load time (`Haswell`, `SkylakeX`, `Zen`, …; set
  /// `OPENBLAS_CORETYPE` to override). A virtual machine that hides its CPU model can make
  /// OpenBLAS fall back to `Prescott`, its SSE3 kernels, 2–3× slower on AVX2/AVX-512 hardware
  /// (docs/performance.md); benchmarks print it beside their figures.
  public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

  /// `C ← α·op(A)·op(B) + β·C`, row-major, single precision (`cblas_sgemm`).
  ///
  /// - Parameters:
  ///   - transposeA: use `Aᵀ`; `A` is then stored as `[k, m]`.
  ///   - transposeB: use `Bᵀ`; `B` is then stored as `[n, k]`.
  ///   - m, n, k: the product's dimensions; any may be zero (then only `β·C` is applied).
  @inlinable
  public static func gemm(
    transposeA: Bool = false, transposeB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      // BLAS leaves C untouched when k == 0 only if beta == 1; make the β-scaling explicit.
      for row in 0..<m {
        let rowPointer = c + row * ldc
        for column in 0..<n { rowPointer[column] = beta == 0 ? 0 : beta * rowPointer[column] }
      }
      return
    }
    cblas_sgemm(
      CblasRowMajor,
      transposeA ? CblasTrans : CblasNoTrans,
      transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb),
      beta, c, Int32(ldc))
  }

  /// `y ← α·op(A)·x + β·y` with `A` stored `[m, n]` row-major (`cblas_sgemv`).
  ///
  /// `y` has `m` elements (`n` when transposed). When the inner dimension is zero, only `β·y` is
  /// applied (BLAS itself returns early and leaves `y` untouched).
  @inlinable
  public static func gemv(
    transpose: Bool = false, m: Int, n: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, beta: Float = 0,
    y: UnsafeMutablePointer<Float>
  ) {
    let outputCount = transpose ? n : m
    if outputCount == 0 { return }
    if m == 0 || n == 0 {
      for index in 0..<outputCount { y[index] = beta == 0 ? 0 : beta * y[index] }
      return
    }
    cblas_sgemv(
      CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
  }

  /// `y ← α·x + y` over `count` elements (`cblas_saxpy`).
  @inlinable
  public static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
    if count == 0 { return }
    cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
  }

  /// `Σ xᵢ·yᵢ` over `count` elements (`cblas_sdot`).
  @inlinable
  public static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
    if count == 0 { return 0 }
    return cblas_sdot(Int32(count), x, 1, y, 1)
  }
}

extension Tensor {
  /// The matrix product `op(self)·op(other)` of two rank-2 tensors.
  ///
  /// Shapes: `op(self)` is `[m, k]`, `op(other)` is `[k, n]`, the result `[m, n]`.
  public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
    precondition(rank == 2 && other.rank == 2, "matmul needs rank-2 tensors, got \(shape) and \(other.shape)")
    let m = transposeSelf ? shape[1] : shape[0]
    let k = transposeSelf ? shape[0] : shape[1]
    let otherK = transposeOther ? other.shape[1] : other.shape[0]
    let n = transposeOther ? other.shape[0] : other.shape[1]
    precondition(k == otherK, "matmul inner dimensions differ: \(shape) and \(other.shape)")
    var result = Tensor(shape: [m, n])
    guard m > 0, n > 0, k > 0 else { return result }
    scalars.withUnsafeBufferPointer { a in
      other.scalars.withUnsafeBufferPointer { b in
        result.scalars.withUnsafeMutableBufferPointer { c in
          BLAS.gemm(
            transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
            a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
            c: c.baseAddress!, ldc: n)
        }
      }
    }
    return result
  }
}
