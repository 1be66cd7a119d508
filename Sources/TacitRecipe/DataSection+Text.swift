import Yams

/// Keys of `source: text`: text records for language models.
///
/// ```yaml
/// data:
///   source: text
///   format: fortune               # required: fortune | lines | jsonl
///   files: [wisdom, literature]   # required, at least one; see `TextSourceFile`
///   fortunes_directory: /usr/share/games/fortunes   # format fortune only (this default)
///   field: text                   # format jsonl only: the string field of each object (default text)
///   max_bytes: 256                # default null = no limit; records longer (UTF-8 bytes) are dropped
///   long_records: truncate        # truncate (default) | windows: records longer than model.context
///   test_fraction: 0.2            # (0, 1), default 0.2: the test records, drawn from the pool
///   train_size: null              # the split keys every source has (see DataSection)
///   validation_size: 0
/// ```
///
/// The records of all files form one pool, de-duplicated after whitespace normalisation and
/// filtered by `max_bytes` before the seeded split (`TacitText.TextPool`); a record is the privacy
/// unit. `normalize` must be `none` and `flatten` false (token ids are not scaled or reshaped).
///
/// `long_records` says what becomes of a record of more tokens than the model's context T:
/// `truncate` keeps its first T tokens; `windows` cuts it into consecutive windows of T tokens
/// overlapping by one, which train, evaluate and are audited as one record (`LongRecords`).
public struct TextSource: Sendable, Equatable {
  /// `data.long_records`: what becomes of a record longer than the model's context.
  public enum LongRecords: String, Sendable, Equatable, CaseIterable {
    /// Keep the record's first `context` tokens (the rest is never seen).
    case truncate
    /// Cut the record into windows of `context` tokens overlapping by one token: window w holds
    /// tokens w·(T−1) … w·(T−1)+T−1, so every token but the first is predicted exactly once.
    /// All of a record's windows form one privacy unit (one clipped gradient under DP-SGD), one
    /// loss (the mean over all its predicted tokens) and one audit score.
    case windows
  }

  /// `data.format`, with the keys that belong to it.
  public enum Format: Sendable, Equatable {
    /// `format: fortune`: records separated by lines holding only `%`. `directory` is
    /// `data.fortunes_directory`, where fortune names are looked up.
    case fortune(directory: RecipeFilePath)
    /// `format: lines`: one record per non-blank line.
    case lines
    /// `format: jsonl`: one JSON object per line; `field` is `data.field`, the string field that
    /// holds the record.
    case jsonl(field: String)

    /// The spelling used in recipes.
    public var name: String {
      switch self {
      case .fortune: "fortune"
      case .lines: "lines"
      case .jsonl: "jsonl"
      }
    }
  }

  /// `data.format`.
  public var format: Format
  /// `data.files`, in the order listed (records keep this order before the split).
  public var files: [TextSourceFile]
  /// `data.max_bytes`: the longest record kept, in UTF-8 bytes, at least 1; `nil` keeps all.
  public var maxBytes: Int?
  /// `data.test_fraction`: fraction of the de-duplicated pool held out for testing, in (0, 1).
  public var testFraction: Double
  /// `data.long_records`, default `truncate`.
  public var longRecords: LongRecords = .truncate
}

/// One entry of `data.files`.
///
/// With `format: fortune`, an entry without a `/` (`wisdom`) is a fortune name: the file of that
/// name in `data.fortunes_directory`. Every other entry is a path, relative to the recipe's folder
/// (`./wisdom` is a fortune-format file beside the recipe). Two entries are equal when they name
/// the same file.
public struct TextSourceFile: Sendable, Equatable, CustomStringConvertible {
  /// The entry as written: the fortune name, or the path.
  public var name: String
  /// The file, resolved.
  public var path: RecipeFilePath
  /// Whether `name` is a fortune name (resolved in `data.fortunes_directory`).
  public var isFortuneName: Bool

  public static func == (left: TextSourceFile, right: TextSourceFile) -> Bool {
    left.path == right.path
  }

  /// The name records from this file carry: the fortune name, or the absolute path.
  public var description: String { isFortuneName ? name : path.absolute }
}

extension DataSection {
  /// The default `data.fortunes_directory` (Debian's `fortunes` and `fortunes-min` packages).
  public static let defaultFortunesDirectory = "/usr/share/games/fortunes"

  /// The spellings of `data.format`.
  enum TextFormatKind: String, CaseIterable {
    case fortune, lines, jsonl
  }

  /// The keys only `source: text` takes.
  static let textKeys = ["format", "files", "fortunes_directory", "field", "max_bytes", "long_records"]

  /// Reads the keys of `source: text`; `nil` (after reporting) when unusable.
  static func readTextSource(_ section: MappingReader) -> TextSource? {
    let base = section.reader.baseDirectory
    let kind = section.optionalChoice("format", as: TextFormatKind.self)
    if section.nonNullValue("format") == nil { section.reportMissing("format", hint: "; one of fortune, lines, jsonl") }
    var format: TextSource.Format?
    switch kind {
    case .fortune:
      let directory = section.optionalString("fortunes_directory") ?? defaultFortunesDirectory
      if directory.isEmpty { section.report("must not be empty", key: "fortunes_directory") }
      format = .fortune(directory: RecipeFilePath(directory, relativeTo: base))
    case .lines:
      format = .lines
    case .jsonl:
      let field = section.optionalString("field") ?? "text"
      if field.isEmpty { section.report("must not be empty", key: "field") }
      format = .jsonl(field: field)
    case nil:
      section.ignore(["fortunes_directory", "field"])
    }
    if let kind, kind != .fortune {
      section.disallow(["fortunes_directory"], reason: "only valid with format fortune, not \(kind.rawValue)")
    }
    if let kind, kind != .jsonl {
      section.disallow(["field"], reason: "only valid with format jsonl, not \(kind.rawValue)")
    }
    let files = readTextFiles(section, format: format)
    let maxBytes = section.optionalInteger("max_bytes", .atLeast(1))
    let testFraction = section.number("test_fraction", default: 0.2, .open(0, 1))
    let longRecords = section.choice("long_records", default: TextSource.LongRecords.truncate)
    guard let format, let files else { return nil }
    return TextSource(format: format, files: files, maxBytes: maxBytes, testFraction: testFraction, longRecords: longRecords)
  }

  /// Reads `data.files`: a non-empty list of names or paths, none listed twice. Without a usable
  /// `format` the entries are checked but not resolved (`nil`).
  private static func readTextFiles(_ section: MappingReader, format: TextSource.Format?) -> [TextSourceFile]? {
    guard let node = section.nonNullValue("files") else {
      section.reportMissing("files", hint: "; a list of fortune names or paths, e.g. [wisdom, literature]")
      return nil
    }
    guard let items = node.sequence else {
      section.report("must be a list of fortune names or paths, e.g. [wisdom, literature]", key: "files")
      return nil
    }
    if items.isEmpty { section.report("must list at least one file", key: "files") }
    var files: [TextSourceFile] = []
    var valid = !items.isEmpty
    for (index, item) in items.enumerated() {
      let path = section.path("files").appending(index: index)
      guard let name = section.reader.string(item, at: path) else {
        valid = false
        continue
      }
      guard !name.isEmpty else {
        section.reader.report("must not be empty", at: path, node: item)
        valid = false
        continue
      }
      guard let format else { continue }
      let file = textFile(name, format: format, base: section.reader.baseDirectory)
      if let earlier = files.firstIndex(of: file) {
        section.reader.report("names the same file as data.files[\(earlier)] (\(file.path.absolute))", at: path, node: item)
        valid = false
      }
      files.append(file)
    }
    return valid && format != nil ? files : nil
  }

  /// Resolves one `data.files` entry (see `TextSourceFile`).
  static func textFile(_ name: String, format: TextSource.Format, base: String) -> TextSourceFile {
    if case .fortune(let directory) = format, !name.contains("/") {
      return TextSourceFile(name: name, path: RecipeFilePath(name, relativeTo: directory.absolute), isFortuneName: true)
    }
    return TextSourceFile(name: name, path: RecipeFilePath(name, relativeTo: base), isFortuneName: false)
  }
}

extension TextSource {
  /// Writes the keys of `source: text` for the resolved recipe: fortune names as written (with
  /// the absolute `fortunes_directory`), other files as absolute paths.
  func emit(into emitter: inout RecipeEmitter) {
    emitter.entry("format", format.name)
    switch format {
    case .fortune(let directory): emitter.entry("fortunes_directory", RecipeEmitter.quoted(directory.absolute))
    case .lines: break
    case .jsonl(let field): emitter.entry("field", RecipeEmitter.quoted(field))
    }
    let names = files.map { RecipeEmitter.quoted($0.isFortuneName ? $0.name : $0.path.absolute) }
    emitter.entry("files", "[" + names.joined(separator: ", ") + "]")
    emitter.entry("max_bytes", RecipeEmitter.integer(maxBytes), comment: maxBytes == nil ? "no limit" : nil)
    emitter.entry("test_fraction", RecipeEmitter.number(testFraction))
    emitter.entry("long_records", longRecords.rawValue)
  }
}
