import Synchronization

/// Work split over Tacit's compute threads: the per-record loops of the language model
/// (attention, per-record gradient norms) and the elementwise layers, which BLAS's own threads
/// do not reach.
///
/// The worker count follows `BLAS.setThreadCount` (the run's `threads`): one thread runs every
/// loop inline, so results and timings are those of a serial program; more threads split an
/// index range into that many contiguous chunks (`forEachChunk`) or hand out indices one at a
/// time (`forEach`, for uneven work such as records of different lengths).
///
/// Determinism: each index's work writes only its own outputs, and no floating-point sum crosses
/// a chunk boundary, so results do not depend on the schedule or on the thread count.
///
/// BLAS inside a parallel loop: OpenBLAS always runs on one thread (`BLAS.setThreadCount`), and
/// a product that `BLAS.gemm` would cut across the threads runs whole on the loop's thread.
public enum Parallel {
  private static let workers = Atomic<Int>(1)
  /// Whether a parallel loop is running: a loop started inside another (or beside it, from
  /// another thread) runs serially instead of nesting jobs on the pool.
  private static let isBusy = Atomic<Bool>(false)

  /// The number of compute threads (≥ 1).
  public static var workerCount: Int { workers.load(ordering: .relaxed) }

  /// Sets the number of compute threads; `BLAS.setThreadCount` calls this.
  static func setWorkerCount(_ count: Int) {
    precondition(count >= 1, "worker count must be at least 1, got \(count)")
    workers.store(count, ordering: .relaxed)
  }

  /// `body(index)` for every index in `0..<count`, on up to `workerCount` threads, indices handed
  /// out one at a time (dynamic balance). Serial, in order, with one worker or `count ≤ 1`.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    guard min(workerCount, count) > 1, let pool = claim() else {
      for index in 0..<count { body(index) }
      return
    }
    let next = Atomic<Int>(0)
    exclusively {
      pool.run { _ in
        while true {
          let index = next.add(1, ordering: .relaxed).oldValue
          if index >= count { break }
          body(index)
        }
      }
    }
  }

  /// `body(range)` over `0..<count` cut into `workerCount` contiguous chunks of near-equal size
  /// (at least `minimumChunk` indices each, so small loops stay serial).
  public static func forEachChunk(_ count: Int, minimumChunk: Int = 1, _ body: (Range<Int>) -> Void) {
    let chunks = max(1, min(workerCount, count / max(minimumChunk, 1)))
    guard chunks > 1, let pool = claim() else {
      if count > 0 { body(0..<count) }
      return
    }
    exclusively {
      pool.run { chunk in
        if chunk < chunks { body(chunk * count / chunks..<(chunk + 1) * count / chunks) }
      }
    }
  }

  /// Marks a parallel loop as running and returns the pool for the current worker count; `nil`
  /// when a loop already runs.
  private static func claim() -> ComputePool? {
    guard isBusy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
      return nil
    }
    let helpers = workerCount - 1
    return pools.withLock { pools in
      if let pool = pools[helpers] { return pool }
      let pool = ComputePool(helperCount: helpers)
      pools[helpers] = pool
      return pool
    }
  }

  /// One pool per helper count ever asked for (a run's thread count rarely changes).
  private static let pools = Mutex<[Int: ComputePool]>([:])

  /// Runs `work`, then ends the loop that `claim` began.
  private static func exclusively(_ work: () -> Void) {
    defer { isBusy.store(false, ordering: .releasing) }
    work()
  }
}
