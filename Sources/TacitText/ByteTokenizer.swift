/// Tacit's tokenizer for its own language models: one token per UTF-8 byte, plus BOS and EOS.
///
/// Ids 0…255 are the bytes, `beginningOfSequence` = 256 and `endOfSequence` = 257; the vocabulary
/// has 258 ids. A record is `[256, bytes…, 257]` (`encodeRecord`), so a model also learns where
/// texts begin and end, and its per-record loss counts every byte.
///
/// Privacy: this tokenizer is fitted on nothing, so it leaks nothing. A BPE vocabulary *fitted on
/// private text* is itself a release of that text: its merges are the text's frequent substrings
/// (names, numbers, phrases that occur often enough), published with the model and outside any
/// DP-SGD guarantee. Use a byte-level tokenizer, or a BPE fitted on public text only (as GPT-2's).
///
/// Decoding skips BOS and EOS and maps byte sequences that are not valid UTF-8 to U+FFFD, one per
/// maximal invalid subpart (Unicode 15, §3.9, "U+FFFD substitution of maximal subparts"), as a
/// model may generate any byte sequence.
///
/// Complexity: O(bytes) both ways.
public struct ByteTokenizer: Tokenizer, Equatable {
  /// BOS: the id before a record's bytes.
  public static let beginningOfSequence = 256
  /// EOS: the id after a record's bytes, and the one that ends generation.
  public static let endOfSequence = 257

  public init() {}

  /// 258: 256 bytes, BOS, EOS.
  public var vocabularySize: Int { 258 }
  /// 1 for each byte, 0 for BOS and EOS.
  public var tokenByteLengths: [Int] { [Int](repeating: 1, count: 256) + [0, 0] }

  /// The character GPT-2's byte-level alphabet writes `byte` as (`ByteLevelAlphabet`): a
  /// byte-level model's vocabulary exported for Hugging Face maps it to the byte's id.
  public static func huggingFaceSpelling(ofByte byte: UInt8) -> String {
    String(ByteLevelAlphabet.scalarForByte[Int(byte)])
  }
  public var recordStartID: Int? { Self.beginningOfSequence }
  public var recordEndID: Int? { Self.endOfSequence }
  public var endOfTextID: Int? { Self.endOfSequence }

  /// The UTF-8 bytes of `text`, as ids 0…255.
  public func encode(_ text: String) -> [Int] {
    text.utf8.map(Int.init)
  }

  /// The text of the byte ids in `ids`, skipping BOS and EOS.
  public func decode(_ ids: [Int]) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(ids.count)
    for id in ids {
      precondition((0..<vocabularySize).contains(id), "token id \(id) is outside the byte vocabulary 0..<258")
      if id < 256 { bytes.append(UInt8(id)) }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
