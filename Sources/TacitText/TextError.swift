/// Every error that reading text records or a tokenizer description can raise.
///
/// These are user-input errors (files a recipe or a command named), so each case carries what a
/// person needs to fix the input: the path, the 1-based line, or the JSON key path inside a
/// tokenizer file. `description` renders the message the command line prints, in the
/// `path:line: reason` form editors recognise.
public enum TextError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No file at `path`. `hint` says where such files usually come from.
  case missingFile(path: String, hint: String?)
  /// The file exists but could not be read (a folder, no permission).
  case unreadable(path: String, reason: String)
  /// The file holds `bytes` bytes, more than `limit` (`TacitText.maximumFileBytes`).
  case tooLarge(path: String, bytes: Int, limit: Int)
  /// A problem at 1-based `line` of a text data file: invalid UTF-8, invalid JSON, a missing or
  /// non-string field.
  case badRecord(path: String, line: Int, reason: String)
  /// A data file that holds no record (empty, or only separators and blank lines).
  case noRecords(path: String, reason: String)
  /// A tokenizer description that cannot be used; `location` is a JSON key path
  /// (`model.merges[12]`) or a line (`line 7`) when one part is at fault.
  case malformedTokenizer(path: String, location: String?, reason: String)

  /// The hint for fortune files named by name.
  public static let fortunesHint = "install the Debian packages fortunes and fortunes-min, or set data.fortunes_directory"

  public var description: String {
    switch self {
    case .missingFile(let path, let hint):
      if let hint { return "no such file: \(path) (\(hint))" }
      return "no such file: \(path)"
    case .unreadable(let path, let reason):
      return "\(path): cannot read: \(reason)"
    case .tooLarge(let path, let bytes, let limit):
      return "\(path): \(bytes) bytes is more than Tacit reads from one file (at most \(limit)); split the file"
    case .badRecord(let path, let line, let reason):
      return "\(path):\(line): \(reason)"
    case .noRecords(let path, let reason):
      return "\(path): no records: \(reason)"
    case .malformedTokenizer(let path, let location, let reason):
      if let location { return "\(path): \(location): \(reason)" }
      return "\(path): \(reason)"
    }
  }
}
