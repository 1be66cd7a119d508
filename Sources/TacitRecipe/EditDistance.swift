/// Levenshtein distance and "did you mean" suggestions for misspelled keys and names.
///
/// The distance counts single-character insertions, deletions and substitutions (Levenshtein
/// 1966), computed with two rows of the usual dynamic-programming table: O(m·n) time, O(n)
/// memory for strings of m and n characters.
enum EditDistance {
  /// The number of single-character edits turning `source` into `target`.
  static func between(_ source: String, _ target: String) -> Int {
    let source = Array(source)
    let target = Array(target)
    if source.isEmpty { return target.count }
    if target.isEmpty { return source.count }
    var previous = Array(0...target.count)
    var current = Array(repeating: 0, count: target.count + 1)
    for sourceIndex in 1...source.count {
      current[0] = sourceIndex
      for targetIndex in 1...target.count {
        let substitution = previous[targetIndex - 1] + (source[sourceIndex - 1] == target[targetIndex - 1] ? 0 : 1)
        current[targetIndex] = min(substitution, previous[targetIndex] + 1, current[targetIndex - 1] + 1)
      }
      swap(&previous, &current)
    }
    return previous[target.count]
  }

  /// The candidate closest to `word`, if it is close enough to be a plausible misspelling:
  /// at most max(2, ⌊length/3⌋) edits away. Ties go to the earlier candidate.
  static func closest(to word: String, among candidates: [String]) -> String? {
    let limit = max(2, word.count / 3)
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
      let distance = between(word, candidate)
      if distance <= limit, distance < (best?.distance ?? Int.max) {
        best = (candidate, distance)
      }
    }
    return best?.candidate
  }

  /// "; did you mean X?" when a candidate is close, else "; expected one of a, b, c".
  static func suggestion(for word: String, among candidates: [String]) -> String {
    if let closest = closest(to: word, among: candidates) {
      return "; did you mean \(closest)?"
    }
    if candidates.isEmpty { return "" }
    return "; expected one of " + candidates.joined(separator: ", ")
  }
}
