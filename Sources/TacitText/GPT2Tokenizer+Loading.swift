import Foundation

/// Reading GPT-2 tokenizers from Hugging Face's files.
///
/// Two formats:
/// - `tokenizer.json` (Hugging Face `tokenizers`, see `TokenizerDescription`): accepted when it
///   describes GPT-2's pipeline: no normaliser; pre-tokenizer `ByteLevel` with
///   `add_prefix_space: false` and `use_regex: true` (the defaults of an absent key are
///   `tokenizers`' own: true and true); decoder and post-processor absent or `ByteLevel`; model
///   `BPE` without dropout, subword prefix or word suffix; added tokens without `lstrip`,
///   `rstrip` or `single_word`. Anything else is refused with a message naming the key, rather
///   than encoded differently from Hugging Face.
/// - `vocab.json` (`{spelling: id}`) + `merges.txt` (one merge `a b` per line in rank order; lines
///   starting with `#version` and blank lines skipped, as `tokenizers` reads them). The file pair
///   carries no added tokens, so `<|endoftext|>`, when in the vocabulary, is treated as one (as
///   `transformers`' `GPT2Tokenizer` does: it is GPT-2's special token).
///
/// Every file is at most `TacitText.maximumFileBytes` (1 GiB). Errors are
/// `TextError.malformedTokenizer` with the file and the JSON key path or line.
extension GPT2Tokenizer {
  /// GPT-2's special token, added by default to the `vocab.json` + `merges.txt` format.
  public static let endOfTextToken = "<|endoftext|>"

  /// Reads `tokenizer.json` from `directory` when there is one, else `vocab.json` + `merges.txt`.
  public init(directory: String) throws {
    let folder = directory as NSString
    let json = folder.appendingPathComponent("tokenizer.json")
    if FileManager.default.fileExists(atPath: json) {
      try self.init(tokenizerJSONAt: json)
      return
    }
    let vocabulary = folder.appendingPathComponent("vocab.json")
    let merges = folder.appendingPathComponent("merges.txt")
    guard FileManager.default.fileExists(atPath: vocabulary), FileManager.default.fileExists(atPath: merges) else {
      throw TextError.missingFile(path: json, hint: "a tokenizer folder needs tokenizer.json, or vocab.json and merges.txt")
    }
    try self.init(vocabularyAt: vocabulary, mergesAt: merges)
  }

  /// Reads a Hugging Face `tokenizer.json`.
  public init(tokenizerJSONAt path: String) throws {
    let bytes = try TextFile.bytes(at: path, limit: TacitText.maximumFileBytes)
    let description = try Self.decodeJSON(TokenizerDescription.self, from: bytes, path: path)
    try Self.checkPipeline(description, path: path)
    var added: [String: Int] = [:]
    for (index, token) in (description.addedTokens ?? []).enumerated() {
      for (flag, name) in [(token.leftStrip, "lstrip"), (token.rightStrip, "rstrip"), (token.singleWord, "single_word")]
      where flag == true {
        throw TextError.malformedTokenizer(
          path: path, location: "added_tokens[\(index)].\(name)", reason: "true is not supported (GPT-2 uses false)")
      }
      if let other = added[token.content], other != token.id {
        throw TextError.malformedTokenizer(
          path: path, location: "added_tokens[\(index)]", reason: "'\(token.content)' is listed with ids \(other) and \(token.id)"
        )
      }
      added[token.content] = token.id
    }
    try self.init(
      vocabulary: description.model.vocabulary, merges: description.model.merges.map { ($0.left, $0.right) },
      addedTokens: added, ignoreMerges: description.model.ignoreMerges ?? false, path: path,
      mergeLocation: { "model.merges[\($0)]" })
  }

  /// Reads a `vocab.json` + `merges.txt` pair.
  public init(vocabularyAt vocabularyPath: String, mergesAt mergesPath: String) throws {
    let vocabularyBytes = try TextFile.bytes(at: vocabularyPath, limit: TacitText.maximumFileBytes)
    let vocabulary = try Self.decodeJSON([String: Int].self, from: vocabularyBytes, path: vocabularyPath)
    let mergeBytes = try TextFile.bytes(at: mergesPath, limit: TacitText.maximumFileBytes)
    var merges: [(String, String)] = []
    var lineNumbers: [Int] = []
    for line in try TextLines.split(mergeBytes, path: mergesPath) {
      if line.text.hasPrefix("#version") || line.text.isEmpty { continue }
      let parts = line.text.split(separator: " ", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw TextError.malformedTokenizer(
          path: mergesPath, location: "line \(line.number)",
          reason: "a merge must be two tokens separated by one space, got '\(line.text)'")
      }
      merges.append((String(parts[0]), String(parts[1])))
      lineNumbers.append(line.number)
    }
    let added = vocabulary[Self.endOfTextToken].map { [Self.endOfTextToken: $0] } ?? [:]
    try self.init(
      vocabulary: vocabulary, merges: merges, addedTokens: added, ignoreMerges: false, path: mergesPath,
      mergeLocation: { "line \(lineNumbers[$0])" })
  }

  /// Refuses the `tokenizer.json` pipelines that are not GPT-2's (see the extension's comment).
  static func checkPipeline(_ description: TokenizerDescription, path: String) throws {
    let fail = { (location: String, reason: String) in
      TextError.malformedTokenizer(path: path, location: location, reason: reason)
    }
    if let normalizer = description.normalizer {
      throw fail("normalizer", "type \(normalizer.type) is not supported; GPT-2's tokenizer has no normalizer (null)")
    }
    guard let preTokenizer = description.preTokenizer, preTokenizer.type == "ByteLevel" else {
      let found = description.preTokenizer.map { "type \($0.type)" } ?? "null"
      throw fail("pre_tokenizer", "\(found) is not supported; GPT-2's is ByteLevel")
    }
    if preTokenizer.addPrefixSpace ?? true {
      throw fail("pre_tokenizer.add_prefix_space", "true is not supported; GPT-2 uses false")
    }
    if !(preTokenizer.useRegex ?? true) {
      throw fail("pre_tokenizer.use_regex", "false is not supported; GPT-2 splits with its pattern (true)")
    }
    for (component, key) in [(description.decoder, "decoder"), (description.postProcessor, "post_processor")] {
      if let component, component.type != "ByteLevel" {
        throw fail(key, "type \(component.type) is not supported; GPT-2's is ByteLevel or null")
      }
    }
    let model = description.model
    if let type = model.type, type != "BPE" { throw fail("model.type", "\(type) is not supported; GPT-2's model is BPE") }
    if let dropout = model.dropout, dropout != 0 { throw fail("model.dropout", "\(dropout) is not supported; use null") }
    for (value, key) in [
      (model.continuingSubwordPrefix, "continuing_subword_prefix"), (model.endOfWordSuffix, "end_of_word_suffix"),
    ]
    where !(value ?? "").isEmpty {
      throw fail("model.\(key)", "'\(value!)' is not supported; GPT-2 has none (null)")
    }
  }

  /// `Value` decoded from the JSON in `bytes`, or `TextError.malformedTokenizer` with the key path.
  static func decodeJSON<Value: Decodable>(_: Value.Type, from bytes: [UInt8], path: String) throws -> Value {
    do {
      return try JSONDecoder().decode(Value.self, from: Data(bytes))
    } catch let error as DecodingError {
      let (location, reason) = describe(error)
      throw TextError.malformedTokenizer(path: path, location: location, reason: reason)
    } catch {
      throw TextError.malformedTokenizer(path: path, location: nil, reason: "\(error)")
    }
  }

  /// A JSON key path (`model.merges[3]`) and a reason for a decoding error.
  static func describe(_ error: DecodingError) -> (location: String?, reason: String) {
    func render(_ path: [any CodingKey]) -> String? {
      var text = ""
      for key in path {
        if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
      }
      return text.isEmpty ? nil : text
    }
    switch error {
    case .typeMismatch(let type, let context):
      return (render(context.codingPath), "expected \(describe(type))")
    case .valueNotFound(let type, let context):
      return (render(context.codingPath), "expected \(describe(type)), got null")
    case .keyNotFound(let key, let context):
      return (render(context.codingPath + [key]), "missing key")
    case .dataCorrupted(let context):
      let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
      return (render(context.codingPath), context.debugDescription + underlying)
    @unknown default:
      return (nil, "\(error)")
    }
  }

  /// `an integer`, `a string`, … for a Swift type in a decoding error.
  static func describe(_ type: Any.Type) -> String {
    switch type {
    case is Int.Type: "an integer"
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Double.Type: "a number"
    case is [String: Int].Type: "an object of token ids"
    default: type is any Collection.Type ? "a list" : "an object"
    }
  }
}
