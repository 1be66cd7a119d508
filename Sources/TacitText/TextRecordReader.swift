import Foundation

/// Reads text records from files: fortune files, one record per line, or JSON Lines.
///
/// Files are named by path, or, in `format: .fortune`, by fortune name: a name without a `/`
/// (`wisdom`) is the file of that name in `fortunesDirectory` (Debian's `fortunes` and
/// `fortunes-min` packages install about 15,000 records in 43 files under
/// `/usr/share/games/fortunes`). Anything else is a path (relative paths against the working
/// directory; the recipe layer resolves them against the recipe's folder first). Records keep the
/// file's name as given, so recipes can split public from private text by file.
///
/// Refused, with a `TextError` naming the file: a missing or unreadable file, a file over
/// `maximumFileBytes` (1 GiB; checked before reading), invalid UTF-8 (with the line), a bad JSON
/// Lines record (with the line), and a file without any record (empty, or only separators and
/// blank lines). See `TextFormat` for each format's rules.
public struct TextRecordReader: Sendable {
  /// Where Debian's `fortunes` packages put their files.
  public static let defaultFortunesDirectory = "/usr/share/games/fortunes"

  /// How the files hold their records.
  public var format: TextFormat
  /// The folder in which fortune names are looked up.
  public var fortunesDirectory: String
  /// The largest file read, in bytes; `TacitText.maximumFileBytes` unless a test lowers it.
  public var maximumFileBytes: Int

  public init(
    format: TextFormat, fortunesDirectory: String = defaultFortunesDirectory,
    maximumFileBytes: Int = TacitText.maximumFileBytes
  ) {
    self.format = format
    self.fortunesDirectory = fortunesDirectory
    self.maximumFileBytes = maximumFileBytes
  }

  /// Whether `file` is a fortune name (looked up in `fortunesDirectory`) rather than a path.
  public func isFortuneName(_ file: String) -> Bool {
    format == .fortune && !file.isEmpty && !file.contains("/")
  }

  /// The path `file` names.
  public func path(of file: String) -> String {
    isFortuneName(file) ? (fortunesDirectory as NSString).appendingPathComponent(file) : file
  }

  /// The fortune files in `directory`, sorted by name: every regular file except `strfile(8)`'s
  /// `.dat` indexes, the `.u8` links (which name the same files again) and hidden files. Nothing
  /// else is excluded: leaving out files such as `art` or `ascii-art` is the recipe's choice.
  public static func fortuneNames(in directory: String = defaultFortunesDirectory) throws -> [String] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw TextError.missingFile(path: directory, hint: TextError.fortunesHint)
    }
    return names.filter { name in
      guard !name.hasSuffix(".dat"), !name.hasSuffix(".u8"), !name.hasPrefix(".") else { return false }
      let attributes = try? FileManager.default.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(name))
      return attributes?[.type] as? FileAttributeType == .typeRegular
    }.sorted()
  }

  /// The records of every file, in the order the files are listed, each file's in file order.
  public func read(files: [String]) throws -> [TextRecord] {
    var records: [TextRecord] = []
    for file in files { records += try read(file: file) }
    return records
  }

  /// The records of one file, in file order.
  public func read(file: String) throws -> [TextRecord] {
    let path = path(of: file)
    let hint = isFortuneName(file) ? TextError.fortunesHint : nil
    let bytes = try TextFile.bytes(at: path, limit: maximumFileBytes, hint: hint)
    return try records(in: bytes, file: file, path: path)
  }

  /// The records in `bytes`, the contents of `file` (named as given; resolved to `path`, which
  /// errors name).
  public func records(in bytes: [UInt8], file: String, path: String) throws -> [TextRecord] {
    if bytes.count > maximumFileBytes {
      throw TextError.tooLarge(path: path, bytes: bytes.count, limit: maximumFileBytes)
    }
    let lines = try TextLines.split(bytes, path: path)
    if lines.isEmpty { throw TextError.noRecords(path: path, reason: "the file is empty") }
    let records: [TextRecord]
    switch format {
    case .fortune: records = Self.fortuneRecords(lines, file: file)
    case .lines: records = Self.lineRecords(lines, file: file)
    case .jsonl(let field): records = try Self.jsonRecords(lines, field: field, file: file, path: path)
    }
    if records.isEmpty {
      throw TextError.noRecords(
        path: path,
        reason: format == .fortune ? "it holds only % separators and blank lines" : "it holds only blank lines")
    }
    return records
  }
}
