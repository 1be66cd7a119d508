/// The parts of a Hugging Face `tokenizers` file (`tokenizer.json`) that a GPT-2 tokenizer uses,
/// as written by `Tokenizer.save` (format "1.0").
///
/// Layout: `added_tokens` (list of `{id, content, single_word, lstrip, rstrip, normalized,
/// special}`), `normalizer`, `pre_tokenizer`, `post_processor`, `decoder` (each null or
/// `{type, …}`), `model` (`{type: "BPE", vocab: {spelling: id}, merges: ["a b", …] or
/// [["a", "b"], …], dropout, continuing_subword_prefix, end_of_word_suffix, ignore_merges, …}`).
/// Keys not listed here are ignored. Which values Tacit accepts is checked in
/// `GPT2Tokenizer+Loading.swift`.
struct TokenizerDescription: Decodable {
  struct AddedToken: Decodable {
    var id: Int
    var content: String
    var singleWord: Bool?
    var leftStrip: Bool?
    var rightStrip: Bool?
    enum CodingKeys: String, CodingKey {
      case id, content
      case singleWord = "single_word"
      case leftStrip = "lstrip"
      case rightStrip = "rstrip"
    }
  }

  /// A pipeline component: its `type` and the options GPT-2's byte-level components have.
  struct Component: Decodable {
    var type: String
    var addPrefixSpace: Bool?
    var useRegex: Bool?
    enum CodingKeys: String, CodingKey {
      case type
      case addPrefixSpace = "add_prefix_space"
      case useRegex = "use_regex"
    }
  }

  /// One merge, written `"a b"` or `["a", "b"]`.
  struct MergeEntry: Decodable {
    var left: String
    var right: String

    init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      if let text = try? container.decode(String.self) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
          throw DecodingError.dataCorruptedError(
            in: container, debugDescription: "a merge must be two tokens separated by one space, got '\(text)'")
        }
        (left, right) = (String(parts[0]), String(parts[1]))
      } else if let pair = try? container.decode([String].self), pair.count == 2 {
        (left, right) = (pair[0], pair[1])
      } else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "a merge must be \"a b\" or [\"a\", \"b\"]")
      }
    }
  }

  struct Model: Decodable {
    var type: String?
    var vocabulary: [String: Int]
    var merges: [MergeEntry]
    var dropout: Double?
    var continuingSubwordPrefix: String?
    var endOfWordSuffix: String?
    var ignoreMerges: Bool?
    enum CodingKeys: String, CodingKey {
      case type, merges, dropout
      case vocabulary = "vocab"
      case continuingSubwordPrefix = "continuing_subword_prefix"
      case endOfWordSuffix = "end_of_word_suffix"
      case ignoreMerges = "ignore_merges"
    }
  }

  var addedTokens: [AddedToken]?
  var normalizer: Component?
  var preTokenizer: Component?
  var postProcessor: Component?
  var decoder: Component?
  var model: Model

  enum CodingKeys: String, CodingKey {
    case normalizer, decoder, model
    case addedTokens = "added_tokens"
    case preTokenizer = "pre_tokenizer"
    case postProcessor = "post_processor"
  }
}
