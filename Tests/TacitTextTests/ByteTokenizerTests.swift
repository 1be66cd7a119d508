import Testing

@testable import TacitText

@Suite struct ByteTokenizerTests {
  let tokenizer = ByteTokenizer()

  @Test func recordsAreBOSBytesEOS() {
    #expect(tokenizer.vocabularySize == 258)
    #expect(tokenizer.encode("Hi é") == [72, 105, 32, 0xC3, 0xA9])
    #expect(tokenizer.encodeRecord("Hi") == [256, 72, 105, 257])
    #expect(tokenizer.encodeRecord("") == [256, 257])
    #expect(tokenizer.endOfTextID == 257)
  }

  @Test func decodeInvertsEncodeAndSkipsMarkers() {
    for text in ["", "plain", "naïve café", "日本語", "👨‍👩‍👧 family", "tabs\tand\r\nlines", "\u{0}nul"] {
      #expect(tokenizer.decode(tokenizer.encode(text)) == text)
      #expect(tokenizer.decode(tokenizer.encodeRecord(text)) == text)
    }
  }

  @Test func invalidBytesDecodeToReplacementCharacters() {
    // A lone continuation byte, a truncated 3-byte sequence, then valid text.
    #expect(tokenizer.decode([0x61, 0x80, 0x62]) == "a\u{FFFD}b")
    #expect(tokenizer.decode([0xE2, 0x82, 0x41]) == "\u{FFFD}A")
    #expect(tokenizer.decode([0xFF, 0xFE]) == "\u{FFFD}\u{FFFD}")
  }
}
