/// A byte-pair-encoding merge table and the merge loop that applies it to one pre-tokenized piece.
///
/// A merge `(left, right) → result` with rank r joins two adjacent symbols into one; lower ranks
/// join first (Sennrich, Haddow & Birch 2016; GPT-2, Radford et al. 2019). The loop is the one
/// Hugging Face `tokenizers` runs (`Word::merge_all`): a priority queue of candidate pairs ordered
/// by rank, then by position (leftmost first); popping a pair whose symbols changed since it was
/// queued skips it; each join queues the pairs it forms with its neighbours. For merge tables in
/// which every result ranks after its parts (all trained tables) this gives the same result as
/// GPT-2's original loop (join every occurrence of the best pair, repeat).
///
/// Letters: n symbols in the piece. Complexity: O(n log n) per piece.
struct BytePairMerges: Sendable {
  /// The rank of a merge and the id of the symbol it makes.
  struct Merge: Sendable {
    var rank: Int
    var result: Int
  }

  /// Merges keyed by `key(left, right)`.
  private(set) var table: [UInt64: Merge] = [:]

  /// The dictionary key of the pair (`left`, `right`); ids are below 2²⁴.
  static func key(_ left: Int, _ right: Int) -> UInt64 {
    UInt64(left) << 32 | UInt64(right)
  }

  /// Adds (or, for a pair listed again, replaces, as `tokenizers` and GPT-2 do) a merge.
  mutating func add(left: Int, right: Int, result: Int, rank: Int) {
    table[Self.key(left, right)] = Merge(rank: rank, result: result)
  }

  /// The merge of `left` followed by `right`, if there is one.
  func merge(_ left: Int, _ right: Int) -> Merge? {
    table[Self.key(left, right)]
  }

  /// A candidate join in the queue.
  private struct Candidate: Comparable {
    var rank: Int
    var position: Int
    var result: Int
    static func < (a: Candidate, b: Candidate) -> Bool {
      (a.rank, a.position) < (b.rank, b.position)
    }
  }

  /// The symbols `symbols` becomes after every applicable merge.
  func apply(to symbols: [Int]) -> [Int] {
    let count = symbols.count
    guard count > 1 else { return symbols }
    var ids = symbols
    var next = Array(1...count)  // `count` means none
    var previous = Array(-1..<(count - 1))  // -1 means none
    var removed = [Bool](repeating: false, count: count)
    var queue = MinimumHeap<Candidate>()
    for position in 0..<(count - 1) {
      if let found = merge(ids[position], ids[position + 1]) {
        queue.insert(Candidate(rank: found.rank, position: position, result: found.result))
      }
    }
    while let top = queue.popMinimum() {
      let position = top.position
      let right = next[position]
      guard !removed[position], right < count, let found = merge(ids[position], ids[right]), found.result == top.result
      else { continue }
      ids[position] = found.result
      removed[right] = true
      next[position] = next[right]
      if next[right] < count { previous[next[right]] = position }
      if previous[position] >= 0, let left = merge(ids[previous[position]], ids[position]) {
        queue.insert(Candidate(rank: left.rank, position: previous[position], result: left.result))
      }
      if next[position] < count, let following = merge(ids[position], ids[next[position]]) {
        queue.insert(Candidate(rank: following.rank, position: position, result: following.result))
      }
    }
    var result: [Int] = []
    var position = 0
    while position < count {
      result.append(ids[position])
      position = next[position]
    }
    return result
  }
}
