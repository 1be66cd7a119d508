import TacitTensor

/// A labelled table read from CSV: the dataset plus what is needed to report on it.
public struct CSVTable: Sendable, Equatable {
  /// Features `[N, F]` in header order (the label column removed), labels, `classCount`.
  public var dataset: LabeledDataset
  /// The names of the `F` feature columns, in order.
  public var featureNames: [String]
  /// For string labels, the original label of each class index (sorted, so class `k` is the
  /// `k`-th smallest string); `nil` when the labels were integers.
  public var labelNames: [String]?
}

/// Reads a CSV file (RFC 4180 subset) with a header row, one integer or string label column and
/// numeric feature columns. gzip-compressed files are read transparently.
///
/// Rules:
/// - The first row is the header; the label column is found by name.
/// - Fields may be quoted with `"`; a quoted field may hold separators, line breaks, and `""`
///   for one quote. Line ends may be `\n` or `\r\n`. Spaces around unquoted values are ignored.
/// - Labels: when every label is a number, the label column is numeric and every label must be
///   a whole number ≥ 0 (`3`, also written `3.0`); those are the classes (`classCount` = largest
///   + 1), and a label such as `1.5`, `-1` or `nan` is an error naming its line. When any label
///   is not a number (`cat`), the labels are text: the distinct strings, sorted by Unicode scalar
///   order, become classes 0, 1, … (`CSVTable.labelNames`).
/// - A test file read with the classes of a training file (`read(path:name:classesOf:)`) keeps
///   the training file's classes: each label must be one of them (the same string, or an integer
///   below the training `classCount`), else an error naming the test file's line.
/// - Every other column must hold a finite number in every row (`nan`, `inf` are errors).
/// - Empty lines at the end are ignored; any other row with the wrong field count is an error.
///
/// Errors are `DataError.badRecord(path, line, column, reason)` with the 1-based line where the
/// record starts, or `DataError.missingColumn` listing the header.
public struct CSVReader: Sendable {
  /// The header name of the label column.
  public var labelColumn: String
  /// The field separator (one ASCII character).
  public var separator: Character

  public init(labelColumn: String, separator: Character = ",") {
    precondition(
      separator.isASCII && separator != "\"" && !separator.isNewline,
      "CSV separator \(separator) must be one ASCII character other than a quote or line break")
    self.labelColumn = labelColumn
    self.separator = separator
  }

  /// The most bytes a CSV data file may hold, decompressed: 1 GiB. A CSV has no header that
  /// states its size, so this bound is what stops a gzip bomb (a small file that decompresses to
  /// gigabytes) after at most one 4 MiB read beyond it.
  public static let maximumBytes = 1 << 30

  /// The table in the file at `path`; with `training` (a table and its path), its labels are
  /// numbered as the training table's classes (see the rules above). A file of more than
  /// `maximumBytes` bytes (decompressed) is refused with `DataError.malformed` at that offset.
  public func read(
    path: String, name: String? = nil, classesOf training: (table: CSVTable, path: String)? = nil,
    maximumBytes: Int = CSVReader.maximumBytes
  ) throws -> CSVTable {
    let bytes: [UInt8]
    do {
      bytes = try GzipFile.read(path: path, limit: { _ in maximumBytes })
    } catch DataError.malformed(let errorPath, let offset, _) where offset == maximumBytes {
      throw DataError.malformed(
        path: errorPath, offset: offset,
        reason: "decompresses to more than the \(maximumBytes) bytes a CSV data file may hold; stopped reading there "
          + "(a decompression bomb, or a file to split or convert)")
    }
    return try parse(String(decoding: bytes, as: UTF8.self), path: path, name: name ?? path, classesOf: training)
  }

  /// The table in `text`; `path` names the source in error messages; `training` as in `read`.
  public func parse(
    _ text: String, path: String, name: String, classesOf training: (table: CSVTable, path: String)? = nil
  ) throws -> CSVTable {
    var records = try CSVReader.split(text, separator: separator.asciiValue!, path: path)
    while let last = records.last, last.fields == [""] { records.removeLast() }
    guard let headerRecord = records.first else {
      throw DataError.badRecord(path: path, line: 1, column: nil, reason: "empty file, expected a header row")
    }
    let header = headerRecord.fields.map { $0.trimmingSpaces }
    let labelIndices = header.indices.filter { header[$0] == labelColumn }
    guard let labelIndex = labelIndices.first else {
      throw DataError.missingColumn(path: path, column: labelColumn, header: header)
    }
    guard labelIndices.count == 1 else {
      throw DataError.badRecord(
        path: path, line: headerRecord.line, column: labelColumn,
        reason: "the header names the label column \(labelIndices.count) times")
    }
    let featureIndices = header.indices.filter { $0 != labelIndex }
    guard !featureIndices.isEmpty else {
      throw DataError.badRecord(
        path: path, line: headerRecord.line, column: nil,
        reason: "no feature columns besides the label column '\(labelColumn)'")
    }
    let rows = records.dropFirst()
    guard !rows.isEmpty else {
      throw DataError.badRecord(path: path, line: headerRecord.line + 1, column: nil, reason: "no data rows after the header")
    }

    var scalars = [Float]()
    scalars.reserveCapacity(rows.count * featureIndices.count)
    var rawLabels = [(text: String, line: Int)]()
    rawLabels.reserveCapacity(rows.count)
    for record in rows {
      guard record.fields.count == header.count else {
        let reason =
          record.fields == [""]
          ? "empty line (only empty lines at the end of the file are ignored)"
          : "\(record.fields.count) fields, the header has \(header.count)"
        throw DataError.badRecord(path: path, line: record.line, column: nil, reason: reason)
      }
      let label = record.fields[labelIndex].trimmingSpaces
      guard !label.isEmpty else {
        throw DataError.badRecord(path: path, line: record.line, column: labelColumn, reason: "missing label")
      }
      rawLabels.append((label, record.line))
      for index in featureIndices {
        let field = record.fields[index].trimmingSpaces
        guard let value = Float(field), value.isFinite else {
          let reason = field.isEmpty ? "missing value" : "'\(field)' is not a finite number"
          throw DataError.badRecord(path: path, line: record.line, column: header[index], reason: reason)
        }
        scalars.append(value)
      }
    }

    let (labels, classCount, labelNames) = try CSVReader.classes(
      of: rawLabels, column: labelColumn, path: path, training: training)
    let features = Tensor(shape: [rows.count, featureIndices.count], scalars: scalars)
    let dataset = LabeledDataset(
      features: features, labels: labels, classCount: classCount, name: name,
      classNames: labelNames)
    return CSVTable(dataset: dataset, featureNames: featureIndices.map { header[$0] }, labelNames: labelNames)
  }

  /// Integer labels as they are, or string labels mapped to their rank in sorted order; with
  /// `training`, the training table's classes.
  static func classes(
    of raw: [(text: String, line: Int)], column: String, path: String,
    training: (table: CSVTable, path: String)? = nil
  ) throws -> (labels: [Int32], classCount: Int, names: [String]?) {
    func fail(_ label: (text: String, line: Int), _ reason: String) -> DataError {
      DataError.badRecord(path: path, line: label.line, column: column, reason: reason)
    }
    if let training {
      let count = training.table.dataset.classCount
      if let names = training.table.labelNames {
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
        let labels = try raw.map { label in
          guard let value = index[label.text] else {
            throw fail(label, "class label '\(quotedLabel(label.text))' is not one of the \(count) classes of \(training.path)")
          }
          return value
        }
        return (labels, count, names)
      }
      let labels = try raw.map { label in
        guard Double(label.text) != nil else {
          throw fail(
            label, "class label '\(quotedLabel(label.text))' is not a number, but the labels of \(training.path) are")
        }
        let value = try integerLabel(label, fail: fail)
        guard Int(value) < count else {
          throw fail(
            label, "class label \(label.text) is not among the \(count) classes of \(training.path) (0…\(count - 1))")
        }
        return value
      }
      return (labels, count, nil)
    }
    if raw.allSatisfy({ Double($0.text) != nil }) {
      let labels = try raw.map { try integerLabel($0, fail: fail) }
      return (labels, Int(labels.max()!) + 1, nil)
    }
    let names = Array(Set(raw.map(\.text))).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, Int32($0)) })
    return (raw.map { index[$0.text]! }, names.count, names)
  }

  /// The class of a label in a numeric label column: a whole number ≥ 0 (`3` or `3.0`).
  static func integerLabel(
    _ label: (text: String, line: Int), fail: ((text: String, line: Int), String) -> DataError
  ) throws -> Int32 {
    if let value = Int32(label.text) {
      guard value >= 0 else { throw fail(label, "class label \(label.text) is negative; integer labels must be ≥ 0") }
      return value
    }
    let text = quotedLabel(label.text)
    guard let number = Double(label.text), number.isFinite, number == number.rounded(.towardZero) else {
      throw fail(
        label,
        "class label \(text) is not an integer; in a column of numbers every label must be a class 0, 1, 2, … "
          + "(text labels such as 'cat' are numbered in sorted order)")
    }
    guard number >= 0 else { throw fail(label, "class label \(text) is negative; integer labels must be ≥ 0") }
    guard number <= Double(Int32.max) else { throw fail(label, "class label \(text) is too large for a class number") }
    return Int32(number)
  }

  /// A label for an error message, cut to 40 characters.
  static func quotedLabel(_ text: String) -> String {
    text.count <= 40 ? text : String(text.prefix(40)) + "…"
  }

  /// One record: its fields (quotes removed) and the 1-based line where it starts.
  struct Record: Equatable {
    var fields: [String]
    var line: Int
  }

  /// Splits `text` into records and fields, honouring quotes.
  static func split(_ text: String, separator: UInt8, path: String) throws -> [Record] {
    let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
    var records = [Record]()
    var fields = [String]()
    var field = [UInt8]()
    var line = 1, recordLine = 1
    var inQuotes = false, wasQuoted = false, quoteLine = 1
    let bytes = Array(text.utf8)
    var position = 0

    func endField() {
      fields.append(String(decoding: field, as: UTF8.self))
      field.removeAll(keepingCapacity: true)
      wasQuoted = false
    }
    while position < bytes.count {
      let byte = bytes[position]
      position += 1
      if inQuotes {
        if byte == quote {
          if position < bytes.count && bytes[position] == quote {
            field.append(quote)
            position += 1
          } else {
            inQuotes = false
            wasQuoted = true
          }
        } else {
          if byte == newline { line += 1 }
          field.append(byte)
        }
        continue
      }
      switch byte {
      case quote where field.allSatisfy({ $0 == UInt8(ascii: " ") }) && !wasQuoted:
        field.removeAll()
        inQuotes = true
        quoteLine = line
      case separator:
        endField()
      case newline:
        endField()
        records.append(Record(fields: fields, line: recordLine))
        fields.removeAll()
        line += 1
        recordLine = line
      case carriageReturn where position == bytes.count || bytes[position] == newline:
        break
      case UInt8(ascii: " "), UInt8(ascii: "\t"):
        if !wasQuoted { field.append(byte) }
      default:
        if wasQuoted {
          throw DataError.badRecord(
            path: path, line: line, column: nil,
            reason: "unexpected character after a quoted field (field \(fields.count + 1))")
        }
        if byte == quote {
          throw DataError.badRecord(
            path: path, line: line, column: nil,
            reason: "quote inside an unquoted field (field \(fields.count + 1)); quote the whole field")
        }
        field.append(byte)
      }
    }
    if inQuotes {
      throw DataError.badRecord(path: path, line: quoteLine, column: nil, reason: "quoted field is never closed")
    }
    if !fields.isEmpty || !field.isEmpty || wasQuoted {
      endField()
      records.append(Record(fields: fields, line: recordLine))
    }
    return records
  }
}

extension String {
  /// The string without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
      return ""
    }
    return String(self[first...last])
  }
}
