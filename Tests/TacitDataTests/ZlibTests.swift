import Testing

@testable import TacitData

/// zlib sizes equal Python's `len(zlib.compress(text.encode(), level))` (Python 3.11, zlib 1.2.13;
/// computed by `python3 -c "import zlib; print(len(zlib.compress(s.encode(), 6)))"`): the
/// denominator of the zlib-ratio attack (MIMIR's form) must be the one other tools use.
@Suite struct ZlibTests {
  static let cases: [(text: String, level6: Int, level9: Int)] = [
    ("", 8, 8),
    ("a", 9, 9),
    ("hello world", 19, 19),
    ("The quick brown fox jumps over the lazy dog.", 51, 51),
    (String(repeating: "abc", count: 200), 17, 17),
    ("Ünïcödé ✓ 日本語 text", 41, 41),
    (String(repeating: "A fool and his money are soon parted.\n", count: 3), 49, 49),
  ]

  @Test func sizesMatchPythonsZlib() {
    for example in Self.cases {
      let bytes = Array(example.text.utf8)
      #expect(Zlib.compressedSize(bytes, level: 6) == example.level6, "\(example.text.prefix(20))")
      #expect(Zlib.compressedSize(bytes, level: 9) == example.level9, "\(example.text.prefix(20))")
    }
  }
}
