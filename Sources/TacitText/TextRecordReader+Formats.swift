import Foundation

/// The three formats' record rules (see `TextFormat`), over lines already split and decoded by
/// `TextLines`.
extension TextRecordReader {
  /// Whether `text` holds a record: something other than whitespace.
  static func hasContent(_ text: String) -> Bool {
    text.unicodeScalars.contains { !$0.properties.isWhitespace }
  }

  /// Fortune records: the lines between lines holding only `%`, joined with `\n`.
  static func fortuneRecords(_ lines: [TextLines.Line], file: String) -> [TextRecord] {
    var records: [TextRecord] = []
    var current: [String] = []
    var firstLine = 1
    func flush() {
      let text = current.joined(separator: "\n")
      if hasContent(text) { records.append(TextRecord(text: text, file: file, line: firstLine)) }
      current = []
    }
    for line in lines {
      if line.text == "%" {
        flush()
        firstLine = line.number + 1
      } else {
        current.append(line.text)
      }
    }
    flush()
    return records
  }

  /// One record per line that is not blank.
  static func lineRecords(_ lines: [TextLines.Line], file: String) -> [TextRecord] {
    lines.filter { hasContent($0.text) }.map { TextRecord(text: $0.text, file: file, line: $0.number) }
  }

  /// One record per non-blank line, from the string `field` of the JSON object on it; records
  /// whose string is blank are skipped like blank lines.
  static func jsonRecords(_ lines: [TextLines.Line], field: String, file: String, path: String) throws -> [TextRecord] {
    var records: [TextRecord] = []
    for line in lines where hasContent(line.text) {
      let fail = { (reason: String) in TextError.badRecord(path: path, line: line.number, reason: reason) }
      let object: Any
      do {
        object = try JSONSerialization.jsonObject(with: Data(line.text.utf8), options: [])
      } catch {
        throw fail("invalid JSON; JSON Lines needs one JSON object per line")
      }
      guard let dictionary = object as? [String: Any] else {
        throw fail("expected a JSON object with a string field '\(field)', got \(describeJSON(object))")
      }
      guard let value = dictionary[field] else {
        let keys = dictionary.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
        throw fail("no field '\(field)' (the object has \(keys.isEmpty ? "no fields" : keys)); set data.field")
      }
      guard let text = value as? String else {
        throw fail("field '\(field)' must be a string, got \(describeJSON(value))")
      }
      if hasContent(text) { records.append(TextRecord(text: text, file: file, line: line.number)) }
    }
    return records
  }

  /// What kind of JSON value `value` is, for messages.
  static func describeJSON(_ value: Any) -> String {
    switch value {
    case is NSNull: "null"
    case is String: "a string"
    case is [Any]: "a list"
    case is [String: Any]: "an object"
    default: value is Bool ? "true or false" : "a number"
    }
  }
}
