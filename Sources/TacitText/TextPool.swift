/// A cleaned pool of text records: records over a byte limit dropped, then exact duplicates
/// dropped, in a deterministic order, with counts of what was dropped for the run log.
///
/// Rules, applied in this order:
/// 1. Length: with `maxBytes`, a record whose text is more than `maxBytes` UTF-8 bytes is dropped
///    (not truncated: a cut record is a different text). Filtering before de-duplication keeps a
///    short spelling of a text whose first spelling was too long.
/// 2. De-duplication: two records are duplicates when their `comparisonKey`s are equal: the text
///    with leading and trailing whitespace removed and every run of whitespace (Unicode
///    White_Space: spaces, tabs, line breaks, no-break spaces) replaced by one space. Keys compare
///    with Swift's `String` equality, which is Unicode canonical equivalence, so an accent stored
///    precomposed (`é`) or decomposed (`e` + U+0301) is the same text; case is significant.
///    The first record with a key is kept (files in the order listed, records in file order), so
///    the result does not depend on hashing.
///
/// The kept records store their original text, not the normalised key: line breaks and
/// indentation are part of what a language model learns (poems, code, ASCII art), and the bytes
/// Tacit trains on must be the bytes an attacker would test. Normalisation only decides equality.
///
/// De-duplication matters for privacy auditing: a record that appears twice could be a member and
/// a non-member at once, and DP-SGD's guarantee is per record, so a repeated text is protected
/// only as a group.
///
/// Complexity: O(total bytes) expected (one hash-set insertion per record).
public struct TextPool: Sendable, Equatable {
  /// The kept records, in input order.
  public let records: [TextRecord]
  /// How many records came in.
  public let inputCount: Int
  /// How many were dropped for being longer than `maxBytes`.
  public let tooLongCount: Int
  /// How many were dropped as duplicates of an earlier record.
  public let duplicateCount: Int
  /// The byte limit applied, if any.
  public let maxBytes: Int?

  /// Cleans `records`. - Precondition: `maxBytes` is nil or at least 1.
  public init(_ records: [TextRecord], maxBytes: Int? = nil) {
    precondition(maxBytes.map { $0 >= 1 } ?? true, "maxBytes must be at least 1, got \(maxBytes ?? 0)")
    var seen = Set<String>()
    var kept: [TextRecord] = []
    var tooLong = 0
    var duplicates = 0
    for record in records {
      if let maxBytes, record.text.utf8.count > maxBytes {
        tooLong += 1
      } else if seen.insert(Self.comparisonKey(record.text)).inserted {
        kept.append(record)
      } else {
        duplicates += 1
      }
    }
    self.records = kept
    self.inputCount = records.count
    self.tooLongCount = tooLong
    self.duplicateCount = duplicates
    self.maxBytes = maxBytes
  }

  /// `text` with leading and trailing whitespace removed and each inner run of whitespace
  /// replaced by one space (U+0020); the key de-duplication compares.
  public static func comparisonKey(_ text: String) -> String {
    var key = String.UnicodeScalarView()
    var pendingSpace = false
    for scalar in text.unicodeScalars {
      if scalar.properties.isWhitespace {
        pendingSpace = !key.isEmpty
        continue
      }
      if pendingSpace {
        key.append(" ")
        pendingSpace = false
      }
      key.append(scalar)
    }
    return String(key)
  }

  /// One line for the run log, e.g. `15217 records read; 1024 over 256 bytes dropped;
  /// 31 duplicates dropped; 14162 kept`.
  public var summary: String {
    var parts = ["\(inputCount) records read"]
    if let maxBytes { parts.append("\(tooLongCount) over \(maxBytes) bytes dropped") }
    parts.append("\(duplicateCount) duplicates dropped")
    parts.append("\(records.count) kept")
    return parts.joined(separator: "; ")
  }
}
