/// One text record, the privacy unit of a language model: the text and where it came from.
///
/// `text` is the record as stored in the file (line terminators inside a multi-line record are
/// `\n`; a record's own terminator and its `%` separator are not part of it). `file` is the file
/// as it was named to `TextRecordReader` (a fortune name such as `wisdom`, or a path), so that a
/// recipe can tell public from private text by file; `line` is the 1-based line on which the
/// record starts, for messages and provenance.
public struct TextRecord: Sendable, Hashable, Codable {
  /// The record's text, as stored.
  public var text: String
  /// The file, as it was named (fortune name or path).
  public var file: String
  /// The 1-based line of `file` on which the record starts.
  public var line: Int

  public init(text: String, file: String, line: Int) {
    self.text = text
    self.file = file
    self.line = line
  }
}
