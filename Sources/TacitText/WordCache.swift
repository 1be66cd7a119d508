import Foundation

/// A thread-safe cache of the ids of pre-tokenized pieces, so that a word repeated across texts
/// is merged once.
///
/// Bounded: once `capacity` pieces are stored, new pieces are computed but not stored (as Hugging
/// Face `tokenizers` does), so memory stays bounded on any input. A class behind a lock so that a
/// `Sendable` tokenizer value can share it; `@unchecked Sendable` because the lock guards every
/// access to `storage`.
final class WordCache: @unchecked Sendable {
  private let lock = NSLock()
  private var storage: [String: [Int]] = [:]
  let capacity: Int

  init(capacity: Int = 65_536) {
    self.capacity = capacity
  }

  /// The ids of `piece`, from the cache or from `compute` (then stored if there is room).
  func ids(for piece: String, compute: () -> [Int]) -> [Int] {
    if let cached = lock.withLock({ storage[piece] }) { return cached }
    let ids = compute()
    lock.withLock {
      if storage.count < capacity { storage[piece] = ids }
    }
    return ids
  }
}
