import Testing

@testable import TacitText

/// GPT-2's pattern on hand-worked cases; each expected split follows from the regex's rules
/// (leftmost alternative, greedy runs, `\s+(?!\S)` leaving a run's last character).
@Suite struct GPT2PreTokenizerTests {
  func split(_ text: String) -> [String] {
    let scalars = Array(text.unicodeScalars)
    return GPT2PreTokenizer.pieces(scalars).map { range in
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[range])
      return String(view)
    }
  }

  @Test func wordsTakeOneLeadingSpace() {
    #expect(split("Hello world") == ["Hello", " world"])
    #expect(split("") == [])
    #expect(split(" ") == [" "])
    #expect(split("123abc 45 ½²") == ["123", "abc", " 45", " ½²"])
    #expect(split("Hello, world!!") == ["Hello", ",", " world", "!!"])
    #expect(split(" !x") == [" !", "x"])
  }

  @Test func whitespaceRunsLeaveTheirLastCharacterToTheNextWord() {
    #expect(split("a  b") == ["a", " ", " b"])
    #expect(split("a   ") == ["a", "   "])
    #expect(split("x\n\ny") == ["x", "\n", "\n", "y"])
    #expect(split("a \tb") == ["a", " ", "\t", "b"])
    #expect(split("a\t b") == ["a", "\t", " b"])
    #expect(split("\u{00A0}x") == ["\u{00A0}", "x"])
    #expect(split("a \n") == ["a", " \n"])
  }

  @Test func contractionsAreLowerCaseOnly() {
    #expect(split("don't") == ["don", "'t"])
    #expect(split("they're we'll I'd") == ["they", "'re", " we", "'ll", " I", "'d"])
    #expect(split("I'M") == ["I", "'", "M"])
    #expect(split("?!'s") == ["?!'", "s"])
    #expect(split(" 's") == [" '", "s"])
    #expect(split("'x") == ["'", "x"])
    #expect(split("'") == ["'"])
    #expect(split("'l") == ["'", "l"])
  }

  @Test func categoriesFollowUnicode() {
    #expect(GPT2PreTokenizer.category(of: "é") == .letter)
    #expect(GPT2PreTokenizer.category(of: "日") == .letter)
    #expect(GPT2PreTokenizer.category(of: "ʰ") == .letter)
    #expect(GPT2PreTokenizer.category(of: "Ⅻ") == .number)
    #expect(GPT2PreTokenizer.category(of: "٣") == .number)
    #expect(GPT2PreTokenizer.category(of: "\u{3000}") == .whitespace)
    #expect(GPT2PreTokenizer.category(of: "\u{85}") == .whitespace)
    #expect(GPT2PreTokenizer.category(of: "\u{1F}") == .other)
    #expect(GPT2PreTokenizer.category(of: "\u{200B}") == .other)
    #expect(GPT2PreTokenizer.category(of: "\u{301}") == .other)
    #expect(GPT2PreTokenizer.category(of: "🙂") == .other)
  }

  @Test func byteAlphabetIsGPT2s() {
    #expect(ByteLevelAlphabet.scalarForByte[0x20] == "\u{120}")  // Ġ
    #expect(ByteLevelAlphabet.scalarForByte[0x0A] == "\u{10A}")  // Ċ
    #expect(ByteLevelAlphabet.scalarForByte[0x00] == "\u{100}")
    #expect(ByteLevelAlphabet.scalarForByte[0x41] == "A")
    #expect(ByteLevelAlphabet.scalarForByte[0xAD] == "\u{143}")
    #expect(Set(ByteLevelAlphabet.scalarForByte).count == 256)
    #expect(ByteLevelAlphabet.bytes(ofSpelling: ByteLevelAlphabet.spelling(of: 0...255)) == Array(0...255))
  }
}
