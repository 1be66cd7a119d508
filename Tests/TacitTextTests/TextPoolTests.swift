import Testing

@testable import TacitText

@Suite struct TextPoolTests {
  func record(_ text: String, line: Int, file: String = "a") -> TextRecord {
    TextRecord(text: text, file: file, line: line)
  }

  @Test func comparisonKeyTrimsAndCollapsesWhitespace() {
    #expect(TextPool.comparisonKey("  Hello,\t\n  world!  \n") == "Hello, world!")
    #expect(TextPool.comparisonKey("a\u{00A0}\u{3000}b\r\nc") == "a b c")
    #expect(TextPool.comparisonKey(" \n\t ") == "")
    #expect(TextPool.comparisonKey("no-change") == "no-change")
  }

  @Test func duplicatesAfterNormalisationAreDroppedKeepingTheFirstOriginal() {
    let input = [
      record("Hello  world", line: 1), record("other", line: 2), record(" Hello\nworld\n", line: 3, file: "b"),
      record("hello world", line: 4), record("caf\u{E9}", line: 5), record("cafe\u{301}", line: 6), record("other", line: 7),
    ]
    let pool = TextPool(input)
    // The first spelling is kept as stored; case matters; canonically equivalent accents are equal.
    #expect(pool.records == [input[0], input[1], input[3], input[4]])
    #expect(pool.inputCount == 7 && pool.duplicateCount == 3 && pool.tooLongCount == 0)
    #expect(pool.summary == "7 records read; 3 duplicates dropped; 4 kept")
  }

  @Test func maxBytesCountsUTF8BytesAndFiltersBeforeDeduplication() {
    // "é" is 2 bytes: "aé" is 3 bytes.
    let input = [record("aé", line: 1), record("abcd", line: 2), record("a  b", line: 3), record("a b", line: 4)]
    let pool = TextPool(input, maxBytes: 3)
    #expect(pool.records.map(\.text) == ["aé", "a b"])
    #expect(pool.tooLongCount == 2 && pool.duplicateCount == 0)
    #expect(pool.summary == "4 records read; 2 over 3 bytes dropped; 0 duplicates dropped; 2 kept")
    // Without the filter, "a b" is a duplicate of "a  b".
    #expect(TextPool(input).records.map(\.text) == ["aé", "abcd", "a  b"])
  }

  @Test func orderIsTheInputOrder() {
    let input = (0..<200).map { record("text \($0 % 50)", line: $0) }
    let pool = TextPool(input)
    #expect(pool.records.map(\.line) == Array(0..<50))
    #expect(TextPool(input.reversed()).records.map(\.line) == Array((150..<200).reversed()))
  }
}
