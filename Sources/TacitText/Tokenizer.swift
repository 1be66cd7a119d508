/// Turns text into token ids and back.
///
/// Ids are in `0..<vocabularySize`. `encode` maps text to the ids of its content only;
/// `encodeRecord` gives the ids of one training or scoring record: the content framed by
/// `recordStartID` and `recordEndID` when the tokenizer has them (Tacit's byte-level records are
/// `[BOS, bytes…, EOS]`; an imported GPT-2 model's records are its BPE ids with nothing added).
/// `decode` is the inverse of `encode` on valid text: `decode(encode(s)) == s`.
///
/// Tokenizers are values (`Sendable`), safe to share across threads.
public protocol Tokenizer: Sendable {
  /// The number of token ids, including special ones.
  var vocabularySize: Int { get }
  /// The id `encodeRecord` puts before a record's content, if any.
  var recordStartID: Int? { get }
  /// The id `encodeRecord` puts after a record's content, if any.
  var recordEndID: Int? { get }
  /// The id that ends a text when generating (GPT-2's `<|endoftext|>`, Tacit's EOS), if any.
  var endOfTextID: Int? { get }
  /// The number of bytes of text each id stands for, indexed by id: 1 for a byte token, the
  /// length of its bytes for a BPE token, 0 for special tokens (BOS, EOS, `<|endoftext|>`), which
  /// are markers, not text. A record's text has `Σ tokenByteLengths[x_i]` bytes (bits per byte).
  var tokenByteLengths: [Int] { get }
  /// The ids of `text`'s content.
  func encode(_ text: String) -> [Int]
  /// The text of `ids`; byte sequences that are not valid UTF-8 become U+FFFD.
  /// - Precondition: every id is in `0..<vocabularySize`.
  func decode(_ ids: [Int]) -> String
}

extension Tokenizer {
  /// The ids of one record: `[recordStartID] + encode(text) + [recordEndID]`, each marker only
  /// when the tokenizer has it.
  public func encodeRecord(_ text: String) -> [Int] {
    var ids: [Int] = []
    if let recordStartID { ids.append(recordStartID) }
    ids += encode(text)
    if let recordEndID { ids.append(recordEndID) }
    return ids
  }
}
