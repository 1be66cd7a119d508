import Foundation
import Testing

@testable import TacitText

/// Malformed or unsupported tokenizer files: clear errors naming the file and the key or line.
@Suite struct GPT2TokenizerErrorTests {
  /// A `tokenizer.json` with the 256 byte symbols (ids 0…255), `extra` tokens after them, and
  /// `merges`; `edit` changes the JSON object before it is written.
  func tokenizerJSON(
    in folder: TemporaryFolder, _ name: String, extra: [String] = ["ab"], merges: [Any] = [["a", "b"]],
    edit: (inout [String: Any]) -> Void = { _ in }
  ) throws -> String {
    var vocabulary: [String: Int] = [:]
    for (id, scalar) in ByteLevelAlphabet.scalarForByte.enumerated() { vocabulary[String(scalar)] = id }
    for (offset, token) in extra.enumerated() { vocabulary[token] = 256 + offset }
    var json: [String: Any] = [
      "version": "1.0", "added_tokens": [] as [Any], "normalizer": NSNull(),
      "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
      "post_processor": NSNull(), "decoder": ["type": "ByteLevel"],
      "model": ["type": "BPE", "dropout": NSNull(), "vocab": vocabulary, "merges": merges] as [String: Any],
    ]
    edit(&json)
    return try folder.write(name, bytes: Array(try JSONSerialization.data(withJSONObject: json)))
  }

  /// The description of the error loading `path` throws.
  func loadError(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
    textError(sourceLocation: sourceLocation) { _ = try GPT2Tokenizer(tokenizerJSONAt: path) }?.description ?? ""
  }

  @Test func aMinimalTokenizerLoadsAndMerges() throws {
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    let tokenizer = try GPT2Tokenizer(tokenizerJSONAt: try tokenizerJSON(in: folder, "tokenizer.json"))
    // Byte symbols have the byte's value as id here; "ab" is 256.
    #expect(tokenizer.encode("abab a") == [256, 256, 32, 97])
    #expect(tokenizer.decode([256, 32, 97]) == "ab a")
    #expect(tokenizer.endOfTextID == nil)
  }

  @Test func brokenJSONNamesTheKeyPath() throws {
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    let broken = try folder.write("tokenizer.json", "{\"model\": ")
    #expect(loadError(broken).hasPrefix("\(broken): "))
    let noModel = try folder.write("no-model.json", "{}")
    #expect(loadError(noModel) == "\(noModel): model: missing key")
    let textID = try tokenizerJSON(in: folder, "textID.json") { json in
      var model = json["model"] as! [String: Any]
      model["vocab"] = ["a": "1"]
      json["model"] = model
    }
    #expect(loadError(textID) == "\(textID): model.vocab.a: expected an integer")
    let badMerge = try tokenizerJSON(in: folder, "badMerge.json", merges: [["a", "b"], "ab"])
    #expect(loadError(badMerge).hasPrefix("\(badMerge): model.merges[1]: a merge must be two tokens separated by one space"))
  }

  @Test func tablesThatBreakTheRulesAreRefused() throws {
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    let unknownPart = try tokenizerJSON(in: folder, "unknownPart.json", merges: [["a", "b"], ["ab", "c"]])
    #expect(loadError(unknownPart) == "\(unknownPart): model.merges[1]: merge 'ab c': 'abc' is not in the vocabulary")
    let gap = try tokenizerJSON(in: folder, "gap.json") { json in
      var model = json["model"] as! [String: Any]
      var vocabulary = model["vocab"] as! [String: Int]
      vocabulary["ab"] = 300
      model["vocab"] = vocabulary
      json["model"] = model
    }
    #expect(loadError(gap) == "\(gap): token 'ab' has id 300; ids must be 0..<257, one per token, without gaps")
    let missingByte = try tokenizerJSON(in: folder, "missingByte.json") { json in
      var model = json["model"] as! [String: Any]
      var vocabulary = model["vocab"] as! [String: Int]
      vocabulary["Ġ"] = nil
      vocabulary["ab"] = 0x20
      model["vocab"] = vocabulary
      json["model"] = model
    }
    #expect(
      loadError(missingByte) == "\(missingByte): the vocabulary lacks the symbol 'Ġ' of byte 32; a byte-level BPE needs all 256")
    let clash = try tokenizerJSON(in: folder, "clash.json") { json in
      json["added_tokens"] = [["id": 3, "content": "<|endoftext|>", "special": true]]
    }
    #expect(loadError(clash) == "\(clash): tokens '<|endoftext|>' and 'ă' share id 3")
  }

  @Test func pipelinesOtherThanGPT2sAreRefused() throws {
    let cases: [(String, (inout [String: Any]) -> Void)] = [
      (
        "normalizer: type NFC is not supported; GPT-2's tokenizer has no normalizer (null)",
        { $0["normalizer"] = ["type": "NFC"] }
      ),
      ("pre_tokenizer: type Whitespace is not supported; GPT-2's is ByteLevel", { $0["pre_tokenizer"] = ["type": "Whitespace"] }),
      ("pre_tokenizer: null is not supported; GPT-2's is ByteLevel", { $0["pre_tokenizer"] = NSNull() }),
      (
        "pre_tokenizer.add_prefix_space: true is not supported; GPT-2 uses false",
        { $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": true] }
      ),
      (
        "post_processor: type TemplateProcessing is not supported; GPT-2's is ByteLevel or null",
        { $0["post_processor"] = ["type": "TemplateProcessing"] }
      ),
      (
        "added_tokens[0].lstrip: true is not supported (GPT-2 uses false)",
        { $0["added_tokens"] = [["id": 257, "content": "<|x|>", "lstrip": true]] }
      ),
    ]
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    for (index, (message, edit)) in cases.enumerated() {
      let path = try tokenizerJSON(in: folder, "tokenizer\(index).json", edit: edit)
      #expect(loadError(path) == "\(path): \(message)")
    }
  }

  @Test func mergesFileErrorsNameTheLine() throws {
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    var vocabulary: [String: Int] = [:]
    for (id, scalar) in ByteLevelAlphabet.scalarForByte.enumerated() { vocabulary[String(scalar)] = id }
    vocabulary["ab"] = 256
    let vocabularyPath = try folder.write("vocab.json", bytes: Array(try JSONSerialization.data(withJSONObject: vocabulary)))
    let good = try folder.write("merges.txt", "#version: 0.2\na b\n")
    #expect(try GPT2Tokenizer(vocabularyAt: vocabularyPath, mergesAt: good).encode("ab") == [256])
    let bad = try folder.write("bad.txt", "#version: 0.2\na b\na  b\n")
    #expect(
      textError { _ = try GPT2Tokenizer(vocabularyAt: vocabularyPath, mergesAt: bad) }?.description
        == "\(bad): line 3: a merge must be two tokens separated by one space, got 'a  b'")
    let unknown = try folder.write("unknown.txt", "a b\nb c\n")
    #expect(
      textError { _ = try GPT2Tokenizer(vocabularyAt: vocabularyPath, mergesAt: unknown) }?.description
        == "\(unknown): line 2: merge 'b c': 'bc' is not in the vocabulary")
    #expect(
      textError { _ = try GPT2Tokenizer(directory: folder.path + "/none") }?.description
        == "no such file: \(folder.path)/none/tokenizer.json (a tokenizer folder needs tokenizer.json, or vocab.json and merges.txt)"
    )
  }
}
