import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The persistent helper threads behind `Parallel`: the calling thread is participant 0, helper
/// `i` is participant `i`, and a job runs `body(participant)` on every participant at once.
///
/// Why not `DispatchQueue.concurrentPerform`: waking a parked Dispatch worker takes tens of
/// microseconds, and `concurrentPerform` hands every iteration it can to the calling thread
/// meanwhile, so products and loops of a fraction of a millisecond (most of a small model's
/// step) ran on one thread. Here each helper spins for `spinIterations` checks after a job (the
/// next job usually follows within microseconds) and only then parks on a semaphore; the
/// calling thread always runs its own share and waits for the helpers' (measured in
/// docs/performance.md, "Compute threads").
///
/// Parking without lost wake-ups: a helper sets `isParked`, then looks at the job counter once
/// more; the caller bumps the counter, then clears `isParked` and signals only if it was set.
/// Whichever side clears the flag decides, so a helper either sees the new job or gets the signal.
final class ComputePool: @unchecked Sendable {
  /// Helper threads (participants `1...helperCount`).
  let helperCount: Int
  private let jobNumber = Atomic<Int>(0)
  private let unfinished = Atomic<Int>(0)
  private let helpers: [HelperState]
  /// The current job; written by the caller before `jobNumber` is bumped, read by helpers after
  /// they see the bump (the atomics order the accesses).
  private nonisolated(unsafe) var body: ((Int) -> Void)?

  /// Checks of the job counter before a helper parks (≈ 50–100 µs).
  static let spinIterations = 20_000

  init(helperCount: Int) {
    self.helperCount = helperCount
    helpers = (0..<helperCount).map { _ in HelperState() }
    for helper in 0..<helperCount { startThread(helper: helper) }
  }

  /// Runs `body(participant)` for participants `0...helperCount` at once (0 on the caller) and
  /// returns when all have finished. One job at a time (`Parallel` serialises callers).
  func run(_ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
      self.body = body
      unfinished.store(helperCount, ordering: .sequentiallyConsistent)
      jobNumber.add(1, ordering: .sequentiallyConsistent)
      for helper in helpers where helper.isParked.exchange(false, ordering: .sequentiallyConsistent) {
        helper.wakeUp.signal()
      }
      body(0)
      while unfinished.load(ordering: .sequentiallyConsistent) > 0 {}
      self.body = nil
    }
  }

  /// The helper loop: wait for a new job number, run the job, report, repeat.
  private func helperLoop(_ helper: Int) {
    var seen = 0
    while true {
      seen = waitForJob(after: seen, helper: helper)
      body!(helper + 1)
      unfinished.subtract(1, ordering: .sequentiallyConsistent)
    }
  }

  /// Spins, then parks, until the job number passes `seen`; returns the new number.
  private func waitForJob(after seen: Int, helper: Int) -> Int {
    while true {
      for _ in 0..<Self.spinIterations {
        let current = jobNumber.load(ordering: .sequentiallyConsistent)
        if current != seen { return current }
      }
      let state = helpers[helper]
      state.isParked.store(true, ordering: .sequentiallyConsistent)
      let current = jobNumber.load(ordering: .sequentiallyConsistent)
      if current != seen {
        // A job arrived: withdraw the flag, or take the signal the caller is about to send.
        if !state.isParked.exchange(false, ordering: .sequentiallyConsistent) { state.wakeUp.wait() }
        return current
      }
      state.wakeUp.wait()
    }
  }

  private func startThread(helper: Int) {
    let context = Unmanaged.passRetained(HelperContext(pool: self, helper: helper)).toOpaque()
    var thread = pthread_t()
    let status = pthread_create(
      &thread, nil,
      { argument in
        let context = Unmanaged<HelperContext>.fromOpaque(argument!).takeRetainedValue()
        context.pool.helperLoop(context.helper)
        return nil
      }, context)
    precondition(status == 0, "could not start a compute thread (pthread_create returned \(status))")
    pthread_detach(thread)
  }
}

/// A helper's parking flag and wake-up semaphore.
private final class HelperState: Sendable {
  let isParked = Atomic<Bool>(false)
  let wakeUp = DispatchSemaphore(value: 0)
}

/// What a helper thread is started with.
private final class HelperContext: @unchecked Sendable {
  let pool: ComputePool
  let helper: Int
  init(pool: ComputePool, helper: Int) {
    self.pool = pool
    self.helper = helper
  }
}
