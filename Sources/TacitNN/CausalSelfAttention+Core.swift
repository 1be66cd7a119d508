import RealModule
import TacitTensor

/// The parameter-free core of `CausalSelfAttention`: scores, causal softmax and the weighted sum
/// of values, and their backward pass, one record and head at a time with BLAS products on
/// strided views of the fused `[B, T, 3D]` projection (row stride `3D`, no copies).
///
/// Dimension letters as in `CausalSelfAttention.swift`; `n ≤ T` the record's length, `α = 1/√E`.
///
/// Forward, per record and head (`P` is `n × n`, zero above the diagonal):
///
///     S = α·Q Kᵀ,   P_ts = exp(S_ts − max_{s'≤t} S_ts') / Σ_{s'≤t} exp(S_ts' − max),   O = P V.
///
/// Backward, from `dO`:
///
///     dV = Pᵀ dO,   dP = dO Vᵀ,   dS_ts = P_ts·(dP_ts − Σ_{s'} P_ts' dP_ts'),   dQ = α·dS K,   dK = α·dSᵀ Q.
///
/// Cost per record and head: `2·n²·E` multiply-adds forward, `4·n²·E` backward, for `n` below
/// `causalSplitMinimum`; from there every product is split at `n/2` so as to skip the block above
/// the diagonal that the causal mask zeroes (`lowerProduct`, `lowerTimes`,
/// `lowerTransposeTimes`): ¾ of that. Training keeps `P`, `H·n²` floats per record.
extension CausalSelfAttention {
  /// Where record `b`'s `H` probability blocks (`n_b × n_b` each, packed) start, and the total
  /// size: `Σ_b H·n_b²` (not `B·H·T²`: short records in a long batch keep little).
  static func probabilityOffsets(lengths: [Int], headCount: Int) -> (offsets: [Int], total: Int) {
    var offsets: [Int] = []
    offsets.reserveCapacity(lengths.count)
    var total = 0
    for n in lengths {
      offsets.append(total)
      total += headCount * n * n
    }
    return (offsets, total)
  }

  /// The per-head outputs `[B, T, D]` (zero rows at positions `≥ n_b`). With `keepsProbabilities`
  /// (training), the probabilities are left packed in `probabilities` (`probabilityOffsets`);
  /// otherwise each record uses scratch of its own and `probabilities` is untouched.
  ///
  /// Records run on the compute threads (`Parallel.forEach`): each writes only its own rows of
  /// the output and its own probability blocks.
  func attend(
    _ fused: Tensor, lengths: [Int], positions: Int, keepsProbabilities: Bool, probabilities: inout [Float]
  ) -> Tensor {
    let T = positions, D = width, H = headCount, E = width / headCount
    let offsets = Self.probabilityOffsets(lengths: lengths, headCount: H).offsets
    let scale = 1 / Float(E).squareRoot()
    var context = Tensor(shape: [lengths.count, T, D])
    fused.scalars.withUnsafeBufferPointer { qkvBuffer in
      context.scalars.withUnsafeMutableBufferPointer { outputBuffer in
        probabilities.withUnsafeMutableBufferPointer { pBuffer in
          let qkv = qkvBuffer.baseAddress!, output = outputBuffer.baseAddress!, kept = pBuffer.baseAddress
          Parallel.forEach(lengths.count) { b in
            let n = lengths[b]
            guard n > 0 else { return }
            let scratch = keepsProbabilities ? nil : UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer { scratch?.deallocate() }
            for h in 0..<H {
              let query = qkv + b * T * 3 * D + h * E
              let key = query + D, value = query + 2 * D
              let p = scratch ?? kept! + offsets[b] + h * n * n
              Self.lowerProduct(n: n, k: E, alpha: scale, a: query, lda: 3 * D, b: key, ldb: 3 * D, c: p, ldc: n)
              Self.causalSoftmax(p, rows: n, stride: n)
              Self.lowerTimes(n: n, columns: E, lower: p, ldl: n, b: value, ldb: 3 * D, c: output + b * T * D + h * E, ldc: D)
            }
          }
        }
      }
    }
    return context
  }

  /// Row `t` of the `rows × rows` block at `p` (row stride `stride`): the softmax of its first
  /// `t + 1` entries (max subtracted), zeros after.
  ///
  /// Each pass is a vectorised kernel (eight-lane maximum and sum, `Kernels.exp` in place of
  /// libm's `expf`); the former scalar loops with an `expf` call per entry were about 4% of the
  /// language model's training step.
  static func causalSoftmax(_ p: UnsafeMutablePointer<Float>, rows: Int, stride: Int) {
    for t in 0..<rows {
      let row = p + t * stride
      let maximum = Kernels.maximum(row, count: t + 1)
      for s in 0...t { row[s] -= maximum }
      Kernels.exp(inPlace: row, count: t + 1)
      let inverse = Float(1 / Kernels.sum(row, count: t + 1))
      for s in 0...t { row[s] *= inverse }
      for s in (t + 1)..<rows { row[s] = 0 }
    }
  }

  /// The gradient w.r.t. the fused `[Q K V]` (`[B, T, 3D]`, zero at positions `≥ n_b`) from the
  /// gradient of the per-head outputs `dO` (`[B, T, D]`). Records run on the compute threads,
  /// each with its own `dS` scratch and its own rows of the result.
  func attendBackward(_ contextGradient: Tensor, fused: Tensor) -> Tensor {
    let lengths = cachedLengths, T = cachedPositions, D = width, H = headCount, E = width / headCount
    let scale = 1 / Float(E).squareRoot()
    var fusedGradient = Tensor(shape: fused.shape)
    let offsets = Self.probabilityOffsets(lengths: lengths, headCount: H).offsets
    fused.scalars.withUnsafeBufferPointer { qkvBuffer in
      contextGradient.scalars.withUnsafeBufferPointer { dOBuffer in
        fusedGradient.scalars.withUnsafeMutableBufferPointer { dQKVBuffer in
          cachedProbabilities.withUnsafeBufferPointer { pBuffer in
            let qkv = qkvBuffer.baseAddress!, dQKV = dQKVBuffer.baseAddress!, dOutput = dOBuffer.baseAddress!
            let kept = pBuffer.baseAddress!
            Parallel.forEach(lengths.count) { b in
              let n = lengths[b]
              guard n > 0 else { return }
              let dS = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
              defer { dS.deallocate() }
              for h in 0..<H {
                let query = qkv + b * T * 3 * D + h * E
                let key = query + D, value = query + 2 * D
                let dQuery = dQKV + b * T * 3 * D + h * E
                let dKey = dQuery + D, dValue = dQuery + 2 * D
                let dO = dOutput + b * T * D + h * E
                let p = kept + offsets[b] + h * n * n
                Self.lowerTransposeTimes(n: n, columns: E, lower: p, ldl: n, b: dO, ldb: D, c: dValue, ldc: 3 * D)
                Self.lowerProduct(n: n, k: E, a: dO, lda: D, b: value, ldb: 3 * D, c: dS, ldc: n)
                Self.softmaxBackward(probabilities: p, gradient: dS, rows: n, stride: n)
                Self.lowerTimes(
                  n: n, columns: E, alpha: scale, lower: dS, ldl: n, b: key, ldb: 3 * D, c: dQuery, ldc: 3 * D)
                Self.lowerTransposeTimes(
                  n: n, columns: E, alpha: scale, lower: dS, ldl: n, b: query, ldb: 3 * D, c: dKey, ldc: 3 * D)
              }
            }
          }
        }
      }
    }
    return fusedGradient
  }

  /// `dS_ts = P_ts·(dP_ts − Σ_s' P_ts' dP_ts')` in place of `dP` (`rows × rows`, row stride
  /// `stride`); entries above the diagonal become 0 because `P` is 0 there.
  static func softmaxBackward(
    probabilities p: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, rows: Int, stride: Int
  ) {
    for t in 0..<rows {
      let pRow = p + t * stride, gRow = gradient + t * stride
      var projection: Float = 0
      for s in 0...t { projection += pRow[s] * gRow[s] }
      for s in 0...t { gRow[s] = pRow[s] * (gRow[s] - projection) }
      for s in (t + 1)..<rows { gRow[s] = 0 }
    }
  }

  /// Below this length the causal products run as one full GEMM.
  static let causalSplitMinimum = 32

  /// The lower triangle (and diagonal) of `C = α·A Bᵀ` (`n × n`; `A`, `B` are `n × k`): the
  /// masked scores `α·Q Kᵀ` and `dP = dO Vᵀ`. With `h = n/2`, two GEMMs, `C[0:h, 0:h]` and
  /// `C[h:n, 0:n]`, skip the top-right block that the causal mask discards: ¾ of the full
  /// product's multiply-adds. The skipped block of `C` is left as it was (callers overwrite it).
  static func lowerProduct(
    n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let h = n >= causalSplitMinimum ? n / 2 : n
    BLAS.gemm(transposeB: true, m: h, n: h, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    BLAS.gemm(
      transposeB: true, m: n - h, n: n, k: k, alpha: alpha, a: a + h * lda, lda: lda, b: b, ldb: ldb, c: c + h * ldc, ldc: ldc)
  }

  /// `C = α·L B` for a lower-triangular `n × n` `L` (zero above the diagonal: probabilities,
  /// `dS`), `B` `n × columns`: `C[0:h] = L[0:h, 0:h] B[0:h]`, `C[h:n] = L[h:n, :] B`; ¾ of the
  /// full product.
  static func lowerTimes(
    n: Int, columns: Int, alpha: Float = 1, lower: UnsafePointer<Float>, ldl: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let h = n >= causalSplitMinimum ? n / 2 : n
    BLAS.gemm(m: h, n: columns, k: h, alpha: alpha, a: lower, lda: ldl, b: b, ldb: ldb, c: c, ldc: ldc)
    BLAS.gemm(
      m: n - h, n: columns, k: n, alpha: alpha, a: lower + h * ldl, lda: ldl, b: b, ldb: ldb, c: c + h * ldc, ldc: ldc)
  }

  /// `C = α·Lᵀ B` for a lower-triangular `n × n` `L`: `C[0:h] = L[:, 0:h]ᵀ B`,
  /// `C[h:n] = L[h:n, h:n]ᵀ B[h:n]`; ¾ of the full product.
  static func lowerTransposeTimes(
    n: Int, columns: Int, alpha: Float = 1, lower: UnsafePointer<Float>, ldl: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let h = n >= causalSplitMinimum ? n / 2 : n
    BLAS.gemm(transposeA: true, m: h, n: columns, k: n, alpha: alpha, a: lower, lda: ldl, b: b, ldb: ldb, c: c, ldc: ldc)
    BLAS.gemm(
      transposeA: true, m: n - h, n: columns, k: n - h, alpha: alpha, a: lower + h * ldl + h, lda: ldl, b: b + h * ldb,
      ldb: ldb, c: c + h * ldc, ldc: ldc)
  }
}
