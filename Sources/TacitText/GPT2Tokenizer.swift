/// GPT-2's byte-level BPE tokenizer, for imported GPT-2 models: the same ids as Hugging Face
/// `tokenizers` (and `transformers`' GPT-2 tokenizers) give.
///
/// Encoding (Radford et al. 2019, §2.2; Hugging Face `ByteLevel` + `BPE`):
/// 1. Added tokens (`<|endoftext|>`) are cut out of the text first, leftmost and longest match
///    first, and become their ids.
/// 2. The rest is split by GPT-2's pre-tokenizer pattern (`GPT2PreTokenizer`).
/// 3. Each piece's UTF-8 bytes start as one symbol per byte (`ByteLevelAlphabet`), and merges join
///    adjacent symbols by rank (`BytePairMerges`). With `ignoreMerges` (a `tokenizers` option), a
///    piece that is itself in the vocabulary is that one token.
///
/// No normalisation, prefix space, or markers are added: an imported model's record is its BPE
/// ids (`recordStartID` and `recordEndID` are nil); `endOfTextID` is `<|endoftext|>`'s id when the
/// vocabulary has it, for generation. Decoding concatenates the tokens' bytes (added tokens as
/// their text) and replaces invalid UTF-8 with U+FFFD.
///
/// Loading (`GPT2Tokenizer+Loading.swift`) checks the tables: ids 0..<n without gaps or repeats,
/// all 256 byte symbols present (so every text encodes), every merge's parts and result in the
/// vocabulary, and at most 2²⁴ ids (token ids travel as exact `Float`s).
///
/// Repeated pieces are cached (`WordCache`). Complexity: O(n log n) in the text's bytes.
public struct GPT2Tokenizer: Tokenizer {
  /// The most ids a vocabulary may have: 2²⁴, the integers a `Float` holds exactly.
  public static let maximumVocabularySize = 1 << 24

  /// Each id's bytes (added tokens: their text's UTF-8).
  let tokenBytes: [[UInt8]]
  /// Vocabulary spelling → id.
  let idsBySpelling: [String: Int]
  /// The id of each byte's one-byte symbol.
  let byteIDs: [Int]
  let merges: BytePairMerges
  /// Added tokens as scalars with their ids, longest first.
  let addedTokens: [(scalars: [Unicode.Scalar], id: Int)]
  let ignoreMerges: Bool
  let cache = WordCache()

  public let vocabularySize: Int
  public let endOfTextID: Int?
  public var recordStartID: Int? { nil }
  public var recordEndID: Int? { nil }
  /// Each token's byte count; added tokens (`<|endoftext|>`) count 0: they are markers.
  public var tokenByteLengths: [Int] {
    let added = Set(addedTokens.map(\.id))
    return tokenBytes.indices.map { added.contains($0) ? 0 : tokenBytes[$0].count }
  }

  /// The tokenizer with `vocabulary` (spelling in `ByteLevelAlphabet` → id), `merges` (pairs of
  /// spellings, in rank order) and `addedTokens` (text → id; may repeat vocabulary entries).
  ///
  /// - Parameters:
  ///   - path: the file the tables come from, for errors.
  ///   - mergeLocation: names merge i's place in the file (`model.merges[i]`, `line i + 2`).
  /// - Throws: `TextError.malformedTokenizer` when the tables break a rule above.
  init(
    vocabulary: [String: Int], merges mergeList: [(String, String)], addedTokens added: [String: Int],
    ignoreMerges: Bool, path: String, mergeLocation: (Int) -> String
  ) throws {
    let fail = { (location: String?, reason: String) in
      TextError.malformedTokenizer(path: path, location: location, reason: reason)
    }
    let spellings = try Self.spellingsByID(vocabulary: vocabulary, addedTokens: added, path: path)
    var idsBySpelling = vocabulary
    for (content, id) in added { idsBySpelling[content] = id }
    byteIDs = try (0..<256).map { byte in
      let spelling = String(ByteLevelAlphabet.scalarForByte[byte])
      guard let id = vocabulary[spelling] else {
        throw fail(nil, "the vocabulary lacks the symbol '\(spelling)' of byte \(byte); a byte-level BPE needs all 256")
      }
      return id
    }
    var table = BytePairMerges()
    for (rank, (left, right)) in mergeList.enumerated() {
      for part in [left, right, left + right] where vocabulary[part] == nil {
        throw fail(mergeLocation(rank), "merge '\(left) \(right)': '\(part)' is not in the vocabulary")
      }
      table.add(left: vocabulary[left]!, right: vocabulary[right]!, result: vocabulary[left + right]!, rank: rank)
    }
    let addedIDs = Set(added.values)
    tokenBytes = spellings.indices.map { id in
      addedIDs.contains(id) ? Array(spellings[id].utf8) : ByteLevelAlphabet.bytes(ofSpelling: spellings[id])
    }
    self.idsBySpelling = idsBySpelling
    self.merges = table
    self.addedTokens = added.map { (Array($0.key.unicodeScalars), $0.value) }
      .sorted { ($0.scalars.count, $1.id) > ($1.scalars.count, $0.id) }
    self.ignoreMerges = ignoreMerges
    self.vocabularySize = tokenBytes.count
    self.endOfTextID = idsBySpelling["<|endoftext|>"]
  }

  /// Each id's spelling, checking that the ids of `vocabulary` and `addedTokens` are 0..<n, each
  /// used once (an added token may repeat its own vocabulary entry), n ≤ 2²⁴.
  static func spellingsByID(vocabulary: [String: Int], addedTokens: [String: Int], path: String) throws -> [String] {
    let fail = { (reason: String) in TextError.malformedTokenizer(path: path, location: nil, reason: reason) }
    var all = vocabulary
    for (content, id) in addedTokens {
      if content.isEmpty { throw fail("an added token (id \(id)) is empty") }
      if let existing = vocabulary[content], existing != id {
        throw fail("added token '\(content)' has id \(id), but the vocabulary gives it id \(existing)")
      }
      all[content] = id
    }
    guard all.count <= maximumVocabularySize else {
      throw fail("\(all.count) tokens are more than Tacit supports (\(maximumVocabularySize), ids travel as Float)")
    }
    var spellings = [String?](repeating: nil, count: all.count)
    for (spelling, id) in all.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
      guard id >= 0, id < all.count else {
        throw fail("token '\(spelling)' has id \(id); ids must be 0..<\(all.count), one per token, without gaps")
      }
      if let other = spellings[id] { throw fail("tokens '\(other)' and '\(spelling)' share id \(id)") }
      spellings[id] = spelling
    }
    return spellings.map { $0! }
  }
}
