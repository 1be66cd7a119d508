import CBLAS

/// The one place Tacit calls BLAS (OpenBLAS through `CBLAS`).
///
/// All matrices are row-major. `gemm` computes `C ← α·op(A)·op(B) + β·C` with `op(A)` of shape
/// `[m, k]`, `op(B)` of shape `[k, n]` and `C` of shape `[m, n]`; `lda`, `ldb`, `ldc` are the row
/// strides of the stored (untransposed) matrices.
public enum BLAS {
  /// Sets the number of compute threads (process-wide): Tacit's own loops (`Parallel`) and its
  /// large products, which `gemm` cuts into that many blocks of rows or columns, one per thread.
  ///
  /// OpenBLAS itself always runs on one thread. Its own thread pool spins (`sched_yield`) between
  /// calls and took a core from Tacit's per-record loops (attention, norms, elementwise layers)
  /// that alternate with the products; cutting `C` into blocks keeps every product's per-element
  /// arithmetic that of the one-thread call (docs/performance.md, "Compute threads").
  public static func setThreadCount(_ count: Int) {
    precondition(count >= 1, "thread count must be at least 1, got \(count)")
    openblas_set_num_threads(1)
    Parallel.setWorkerCount(count)
  }

  /// The number of compute threads (`setThreadCount`).
  public static var threadCount: Int { Parallel.workerCount }

  /// The CPU kernel family OpenBLAS chose at load time (`Haswell`, `SkylakeX`, `Zen`, …; set
  /// `OPENBLAS_CORETYPE` to override). A virtual machine that hides its CPU model can make
  /// OpenBLAS fall back to `Prescott`, its SSE3 kernels, 2–3× slower on AVX2/AVX-512 hardware
  /// (docs/performance.md); benchmarks print it beside their figures.
  public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

  /// `C ← α·op(A)·op(B) + β·C`, row-major, single precision (`cblas_sgemm`).
  ///
  /// With several compute threads (`setThreadCount`) and at least `splitMinimum` multiply-adds,
  /// `C` is cut into `Parallel.workerCount` blocks of rows (or of columns when `n > m`), one
  /// one-thread call each; inside a `Parallel` loop every call runs whole on its thread.
  ///
  /// - Parameters:
  ///   - transposeA: use `Aᵀ`; `A` is then stored as `[k, m]`.
  ///   - transposeB: use `Bᵀ`; `B` is then stored as `[n, k]`.
  ///   - m, n, k: the product's dimensions; any may be zero (then only `β·C` is applied).
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
    let product = { (m: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) in
      cblas_sgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
    guard Parallel.workerCount > 1, m * n * k >= splitMinimum, max(m, n) >= 2 * splitEdgeMinimum else {
      product(m, n, a, b, c)
      return
    }
    if m >= n {
      // Rows i of op(A): row i of A, or column i of the stored [k, m] Aᵀ.
      Parallel.forEachChunk(m, minimumChunk: splitEdgeMinimum) { rows in
        product(rows.count, n, a + rows.lowerBound * (transposeA ? 1 : lda), b, c + rows.lowerBound * ldc)
      }
    } else {
      // Columns j of op(B): column j of B, or row j of the stored [n, k] Bᵀ.
      Parallel.forEachChunk(n, minimumChunk: splitEdgeMinimum) { columns in
        product(m, columns.count, a, b + columns.lowerBound * (transposeB ? ldb : 1), c + columns.lowerBound)
      }
    }
  }

  /// Multiply-adds from which a product is cut across the compute threads (2²¹: below, the
  /// threads' start-up costs more than half the product).
  static let splitMinimum = 1 << 21
  /// The fewest rows or columns of `C` in one block.
  static let splitEdgeMinimum = 32

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
