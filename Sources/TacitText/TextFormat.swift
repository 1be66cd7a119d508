/// How a text data file holds its records.
///
/// In every format a file is UTF-8 text; `\n` and `\r\n` both end a line; a UTF-8 byte-order mark
/// at the start of the file is skipped; records that are empty or hold only whitespace are
/// skipped (they carry no text to learn or to attack).
public enum TextFormat: Sendable, Hashable {
  /// Records separated by lines holding only `%` (after removing a `\r`), as in the `fortune`
  /// program's files (`strfile(1)`). A record is the lines between two separators, joined with
  /// `\n`; text before the first separator and after the last one are records too (a trailing
  /// `%` therefore adds nothing).
  case fortune
  /// One record per line.
  case lines
  /// JSON Lines: one JSON object per non-blank line, whose string field `field` is the record.
  /// A line that is not a JSON object, lacks the field, or holds a non-string there is an error
  /// naming the file and line.
  case jsonl(field: String)

  /// The spelling used in recipes: `fortune`, `lines`, `jsonl`.
  public var name: String {
    switch self {
    case .fortune: "fortune"
    case .lines: "lines"
    case .jsonl: "jsonl"
    }
  }
}
