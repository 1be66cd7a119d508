/// Splits the bytes of a UTF-8 text file into lines, validating the UTF-8 of each.
///
/// Rules: lines end at `\n` (byte 0x0A); one `\r` before it is removed, so `\r\n` files read like
/// `\n` files; a final line without a terminator counts, an empty one after the last `\n` does
/// not; a UTF-8 byte-order mark (EF BB BF) at the start of the file is skipped. Splitting bytes at
/// 0x0A is safe before decoding because 0x0A never occurs inside a multi-byte UTF-8 sequence.
///
/// Invalid UTF-8 (a stray continuation byte, a truncated sequence, an overlong form, a surrogate,
/// a value beyond U+10FFFF; Unicode 15, §3.9, table 3-7) is an error naming the file, the line
/// and the byte column; nothing is replaced, so a record is never silently altered.
///
/// Complexity: O(bytes); lines of ASCII bytes skip the decoder.
enum TextLines {
  /// One line: its 1-based number and its text without the terminator.
  struct Line {
    var number: Int
    var text: String
  }

  /// The lines of `bytes`, read from `path` (used in errors).
  static func split(_ bytes: [UInt8], path: String) throws -> [Line] {
    var lines: [Line] = []
    var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var number = 1
    while start < bytes.count {
      let newline = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
      var end = newline
      if end > start && bytes[end - 1] == 0x0D { end -= 1 }
      let text = try decode(bytes[start..<end], path: path, line: number)
      lines.append(Line(number: number, text: text))
      start = newline + 1
      number += 1
    }
    return lines
  }

  /// The text of one line, or `TextError.badRecord` at the first invalid byte.
  static func decode(_ bytes: ArraySlice<UInt8>, path: String, line: Int) throws -> String {
    if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
    if let offset = firstInvalidOffset(bytes) {
      let byte = bytes[bytes.startIndex + offset]
      throw TextError.badRecord(
        path: path, line: line,
        reason: "invalid UTF-8 at byte \(offset + 1) of the line (0x\(String(byte, radix: 16, uppercase: true)));"
          + " the file must be UTF-8 text (convert it, e.g. with iconv)")
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// The 0-based offset of the first byte of the first invalid UTF-8 sequence, or `nil` when
  /// `bytes` is valid UTF-8.
  static func firstInvalidOffset(_ bytes: ArraySlice<UInt8>) -> Int? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let encoded): offset += encoded.count
      case .error: return offset
      case .emptyInput: return nil
      }
    }
  }
}
