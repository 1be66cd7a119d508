import Foundation
import Testing

@testable import TacitText

@Suite struct TextRecordReaderTests {
  @Test func fortuneRecordsAreTheLinesBetweenPercentLines() throws {
    let text = "first line\nsecond line\n%\nthird\n\tindented\n%\n%\n  \n%\nlast, no separator after"
    let found = try records(text, format: .fortune)
    #expect(found.map(\.text) == ["first line\nsecond line", "third\n\tindented", "last, no separator after"])
    #expect(found.map(\.line) == [1, 4, 10])
    #expect(found.allSatisfy { $0.file == "data.txt" })
  }

  @Test func fortuneTrailingPercentAndCRLFAddNothing() throws {
    let unix = try records("a\nb\n%\nc\n%\n", format: .fortune)
    let windows = try records("a\r\nb\r\n%\r\nc\r\n%\r\n", format: .fortune)
    #expect(unix.map(\.text) == ["a\nb", "c"])
    #expect(windows == unix)
    // A separator is a line holding only %: "%%", " %" and "% " are text.
    #expect(try records("x\n%%\n %\n% \n%\ny", format: .fortune).map(\.text) == ["x\n%%\n %\n% ", "y"])
    // A line break inside a record is kept as \n, a lone \r inside a line is kept as is.
    #expect(try records("a\rb\n%", format: .fortune).map(\.text) == ["a\rb"])
  }

  @Test func byteOrderMarkIsSkipped() throws {
    let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("hello\n%\nworld".utf8)
    let found = try TextRecordReader(format: .fortune).records(in: bytes, file: "f", path: "/f")
    #expect(found.map(\.text) == ["hello", "world"])
  }

  @Test func linesFormatSkipsBlankLines() throws {
    let found = try records("one\r\n\n   \ntwo  \n\tthree\n", format: .lines)
    #expect(found.map(\.text) == ["one", "two  ", "\tthree"])
    #expect(found.map(\.line) == [1, 4, 5])
  }

  @Test func jsonLinesReadTheNamedField() throws {
    let text = """
      {"text": "caf\\u00e9 au lait", "id": 1}

      {"id": 2, "text": "line\\nbreak"}
      {"body": "x", "text": "  "}
      """
    let found = try records(text, format: .jsonl(field: "text"), name: "data.jsonl")
    #expect(found.map(\.text) == ["café au lait", "line\nbreak"])
    #expect(found.map(\.line) == [1, 3])
    #expect(try records("{\"body\": \"b\"}", format: .jsonl(field: "body")).map(\.text) == ["b"])
  }

  @Test func badJSONLinesNameFileAndLine() {
    let jsonl = TextFormat.jsonl(field: "text")
    #expect(
      textError { _ = try records("{\"text\": \"a\"}\n{\"text\": 3}", format: jsonl) }?.description
        == "/data/data.txt:2: field 'text' must be a string, got a number")
    #expect(
      textError { _ = try records("{\"text\": \"a\"}\n\n{\"body\": \"b\", \"id\": 1}", format: jsonl) }?.description
        == "/data/data.txt:3: no field 'text' (the object has 'body', 'id'); set data.field")
    #expect(
      textError { _ = try records("{\"text\": \"a\"\n", format: jsonl) }?.description
        == "/data/data.txt:1: invalid JSON; JSON Lines needs one JSON object per line")
    #expect(
      textError { _ = try records("[\"text\"]", format: jsonl) }?.description
        == "/data/data.txt:1: expected a JSON object with a string field 'text', got a list")
    #expect(
      textError { _ = try records("{\"text\": null}", format: jsonl) }?.description
        == "/data/data.txt:1: field 'text' must be a string, got null")
    #expect(
      textError { _ = try records("{\"text\": true}", format: jsonl) }?.description
        == "/data/data.txt:1: field 'text' must be a string, got true or false")
    #expect(
      textError { _ = try records("{\"text\": {\"a\": 1}}", format: jsonl) }?.description
        == "/data/data.txt:1: field 'text' must be a string, got an object")
  }

  @Test func invalidUTF8NamesFileLineAndByte() {
    // Line 3 holds a Latin-1 é (0xE9) after "caf".
    let bytes = Array("ok\n%\n".utf8) + [0x63, 0x61, 0x66, 0xE9, 0x0A] + Array("%\n".utf8)
    let error = textError { _ = try TextRecordReader(format: .fortune).records(in: bytes, file: "f", path: "/x/f") }
    #expect(
      error?.description
        == "/x/f:3: invalid UTF-8 at byte 4 of the line (0xE9); the file must be UTF-8 text (convert it, e.g. with iconv)")
    // Truncated sequence at the end, overlong form, surrogate: all refused.
    for invalid: [UInt8] in [[0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
      let found = textError {
        _ = try TextRecordReader(format: .lines).records(in: [0x61, 0x0A] + invalid, file: "f", path: "/f")
      }
      #expect(
        found?.description.hasPrefix(
          "/f:2: invalid UTF-8 at byte 1 of the line (0x\(String(invalid[0], radix: 16, uppercase: true)))") == true)
    }
    #expect(TextLines.firstInvalidOffset(ArraySlice(Array("añb€😀".utf8))) == nil)
  }

  @Test func emptyFilesAreRefused() {
    #expect(
      textError { _ = try records("", format: .fortune) } == .noRecords(path: "/data/data.txt", reason: "the file is empty"))
    #expect(
      textError { _ = try records("%\n\n%\n  \n", format: .fortune) }
        == .noRecords(path: "/data/data.txt", reason: "it holds only % separators and blank lines"))
    #expect(
      textError { _ = try records("\n\n \t\n", format: .lines) }
        == .noRecords(path: "/data/data.txt", reason: "it holds only blank lines"))
    #expect(textError { _ = try records("\n", format: .jsonl(field: "text")) } != nil)
  }

  @Test func filesAreNamedByFortuneNameOrPath() throws {
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    try folder.write("wisdom", "w1\n%\nw2\n%\n")
    let lore = try folder.write("lore.txt", "l1\n%\n")
    let reader = TextRecordReader(format: .fortune, fortunesDirectory: folder.path)
    #expect(reader.isFortuneName("wisdom") && !reader.isFortuneName(lore) && !reader.isFortuneName("./wisdom"))
    let found = try reader.read(files: ["wisdom", lore])
    #expect(found.map(\.text) == ["w1", "w2", "l1"])
    #expect(found.map(\.file) == ["wisdom", "wisdom", lore])
    try folder.write("wisdom.dat", bytes: [0, 0, 0, 2])
    try FileManager.default.createSymbolicLink(atPath: folder.path + "/wisdom.u8", withDestinationPath: "wisdom")
    try FileManager.default.createDirectory(atPath: folder.path + "/off", withIntermediateDirectories: false)
    #expect(try TextRecordReader.fortuneNames(in: folder.path) == ["lore.txt", "wisdom"])
    #expect(textError { _ = try TextRecordReader.fortuneNames(in: folder.path + "/none") } != nil)
    // In the other formats every name is a path.
    #expect(!TextRecordReader(format: .lines, fortunesDirectory: folder.path).isFortuneName("wisdom"))
  }

  @Test func missingFoldersAndOversizedFilesAreRefused() throws {
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    let reader = TextRecordReader(format: .fortune, fortunesDirectory: folder.path)
    #expect(
      textError { _ = try reader.read(file: "nosuch") }?.description
        == "no such file: \(folder.path)/nosuch (install the Debian packages fortunes and fortunes-min, or set data.fortunes_directory)"
    )
    #expect(
      textError { _ = try reader.read(file: folder.path + "/nosuch.txt") }
        == .missingFile(path: folder.path + "/nosuch.txt", hint: nil))
    #expect(
      textError { _ = try reader.read(file: folder.path) } == .unreadable(path: folder.path, reason: "it is a folder, not a file")
    )
    let big = try folder.write("big", String(repeating: "x\n%\n", count: 30))
    let small = TextRecordReader(format: .fortune, maximumFileBytes: 100)
    #expect(textError { _ = try small.read(file: big) } == .tooLarge(path: big, bytes: 120, limit: 100))
    #expect(try TextRecordReader(format: .fortune, maximumFileBytes: 120).read(file: big).count == 30)
    #expect(TacitText.maximumFileBytes == 1 << 30)
  }
}
