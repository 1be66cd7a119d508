/// GPT-2's pre-tokenizer: splits text into the pieces BPE encodes separately, as the regular
/// expression
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// does (Radford et al. 2019, `encoder.py`; Hugging Face `ByteLevel(use_regex: true)`), written as
/// a scanner over Unicode scalars rather than with a regex engine.
///
/// At each position the first alternative that matches wins, and each takes as much as it can:
/// 1. `'` followed by `s`, `t`, `re`, `ve`, `m`, `ll` or `d` (lower case only): the contraction.
/// 2. An optional single space U+0020, then a run of letters (general category L*), or of
///    numbers (N*), or of other characters (neither whitespace, letter nor number; this run can
///    swallow an apostrophe, as in `?!'` before `s`).
/// 3. A run of whitespace (Unicode White_Space, the `\s` of Oniguruma, which Hugging Face
///    `tokenizers` uses): all of it at the end of the text; otherwise all but its last character,
///    which is left to begin the next piece (the `\s+(?!\S)` rule that makes `"a  b"` split as
///    `a`, ` `, ` b`), unless the run is one character long, which is then a piece of its own.
///
/// Letters and numbers are classified by the Swift standard library's Unicode tables; characters
/// assigned in a Unicode version newer than the one a reference implementation knows may be
/// classified differently there.
///
/// Complexity: O(scalars).
enum GPT2PreTokenizer {
  /// The character classes the pattern distinguishes.
  enum Category: Equatable {
    case letter, number, whitespace, other
  }

  /// The class of `scalar`.
  static func category(of scalar: Unicode.Scalar) -> Category {
    let properties = scalar.properties
    if properties.isWhitespace { return .whitespace }
    switch properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
    case .decimalNumber, .letterNumber, .otherNumber: return .number
    default: return .other
    }
  }

  /// The pieces of `scalars` as index ranges, in order; they cover `scalars` exactly.
  static func pieces(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
    let categories = scalars.map(category(of:))
    var pieces: [Range<Int>] = []
    var start = 0
    while start < scalars.count {
      let end = pieceEnd(from: start, scalars, categories)
      pieces.append(start..<end)
      start = end
    }
    return pieces
  }

  /// Where the piece that begins at `start` ends.
  static func pieceEnd(from start: Int, _ scalars: [Unicode.Scalar], _ categories: [Category]) -> Int {
    if let end = contractionEnd(from: start, scalars) { return end }
    var runStart = start
    if scalars[start] == " ", start + 1 < scalars.count, categories[start + 1] != .whitespace {
      runStart = start + 1
    }
    let runCategory = categories[runStart]
    var end = runStart + 1
    while end < scalars.count && categories[end] == runCategory { end += 1 }
    guard runCategory == .whitespace else { return end }
    // A whitespace run: all of it at the end of the text, else leave its last character.
    if end == scalars.count || end - start == 1 { return end }
    return end - 1
  }

  /// The end of the contraction that begins at `start`, if one does.
  static func contractionEnd(from start: Int, _ scalars: [Unicode.Scalar]) -> Int? {
    guard scalars[start] == "'", start + 1 < scalars.count else { return nil }
    switch scalars[start + 1] {
    case "s", "t", "m", "d": return start + 2
    case "r", "v":
      return start + 2 < scalars.count && scalars[start + 2] == "e" ? start + 3 : nil
    case "l":
      return start + 2 < scalars.count && scalars[start + 2] == "l" ? start + 3 : nil
    default: return nil
    }
  }
}
