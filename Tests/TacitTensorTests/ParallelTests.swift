import Foundation
import Synchronization
import Testing

@testable import TacitTensor

/// `Parallel`'s loops and `BLAS.gemm`'s split across compute threads: every index once, nested
/// loops serial, and split products equal to the one-thread product element for element.
///
/// The thread count is process-wide; tests that set it to 2 restore 1, and every loop's result
/// is the same at either count, so suites running beside them are unaffected.
@Suite(.serialized) struct ParallelTests {
  @Test(arguments: [1, 2, 3])
  func everyIndexIsVisitedOnce(threads: Int) {
    BLAS.setThreadCount(threads)
    defer { BLAS.setThreadCount(1) }
    for count in [0, 1, 2, 7, 100] {
      var visits = [Int](repeating: 0, count: count)
      visits.withUnsafeMutableBufferPointer { slots in
        Parallel.forEach(count) { index in slots[index] += 1 }
      }
      #expect(visits == [Int](repeating: 1, count: count))
      var chunkVisits = [Int](repeating: 0, count: count)
      chunkVisits.withUnsafeMutableBufferPointer { slots in
        Parallel.forEachChunk(count, minimumChunk: 3) { range in
          for index in range { slots[index] += 1 }
        }
      }
      #expect(chunkVisits == [Int](repeating: 1, count: count))
    }
  }

  @Test func chunksAreContiguousNearEqualAndRespectTheMinimum() {
    BLAS.setThreadCount(2)
    defer { BLAS.setThreadCount(1) }
    let ranges = Mutex<[Range<Int>]>([])
    Parallel.forEachChunk(101) { range in ranges.withLock { $0.append(range) } }
    #expect(ranges.withLock { $0.sorted { $0.lowerBound < $1.lowerBound } } == [0..<50, 50..<101])
    let small = Mutex<[Range<Int>]>([])
    Parallel.forEachChunk(101, minimumChunk: 60) { range in small.withLock { $0.append(range) } }
    #expect(small.withLock { $0 } == [0..<101])
  }

  /// Jobs back to back (helpers spinning) and after pauses long enough for the helpers to park
  /// (the wake-up path): every job runs every chunk exactly once, none hangs.
  @Test func jobsRunWhetherHelpersSpinOrPark() {
    BLAS.setThreadCount(2)
    defer { BLAS.setThreadCount(1) }
    var failures = 0
    for round in 0..<400 {
      if round % 10 == 0 { usleep(useconds_t(round % 30 == 0 ? 5_000 : 300)) }
      var hits = [Int](repeating: 0, count: 64)
      hits.withUnsafeMutableBufferPointer { slots in
        if round % 2 == 0 {
          Parallel.forEachChunk(64) { range in for index in range { slots[index] += 1 } }
        } else {
          Parallel.forEach(64) { index in slots[index] += 1 }
        }
      }
      if hits != [Int](repeating: 1, count: 64) { failures += 1 }
    }
    #expect(failures == 0)
  }

  @Test func aNestedLoopRunsSeriallyInsideItsIteration() {
    BLAS.setThreadCount(2)
    defer { BLAS.setThreadCount(1) }
    var sums = [Int](repeating: 0, count: 8)
    sums.withUnsafeMutableBufferPointer { slots in
      Parallel.forEach(8) { outer in
        var inner = 0
        Parallel.forEachChunk(1000) { range in
          for value in range { inner += value }
        }
        slots[outer] = inner + outer
      }
    }
    #expect(sums == (0..<8).map { 499_500 + $0 })
  }

  /// Products above the split threshold, cut by rows (`m ≥ n`) and by columns (`n > m`), with
  /// every transpose, padded strides, α and β: equal to the one-thread product bit for bit.
  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func splitProductsEqualTheOneThreadProduct(transposes: (Bool, Bool)) {
    let (transposeA, transposeB) = transposes
    for (m, n, k) in [(300, 200, 64), (96, 400, 70), (64, 64, 600)] {
      #expect(m * n * k >= BLAS.splitMinimum)
      let lda = (transposeA ? m : k) + 3, ldb = (transposeB ? k : n) + 2, ldc = n + 5
      let a = BLASTests.values((transposeA ? k : m) * lda, seed: 1)
      let b = BLASTests.values((transposeB ? n : k) * ldb, seed: 2)
      let c = BLASTests.values(m * ldc, seed: 3)
      func product(threads: Int) -> [Float] {
        BLAS.setThreadCount(threads)
        defer { BLAS.setThreadCount(1) }
        var result = c
        a.withUnsafeBufferPointer { aBuffer in
          b.withUnsafeBufferPointer { bBuffer in
            result.withUnsafeMutableBufferPointer { cBuffer in
              BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7,
                a: aBuffer.baseAddress!, lda: lda, b: bBuffer.baseAddress!, ldb: ldb, beta: 0.4,
                c: cBuffer.baseAddress!, ldc: ldc)
            }
          }
        }
        return result
      }
      let serial = product(threads: 1)
      #expect(product(threads: 2) == serial, "m \(m) n \(n) k \(k)")
      let exact = BLASTests.naiveGemm(
        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb,
        beta: 0.4, c: c, ldc: ldc)
      let error = zip(serial, exact).map { abs($0 - $1) }.max() ?? 0
      #expect(error < 1e-4)
    }
  }
}
