import Foundation
import Testing

@testable import TacitText

/// Tacit's GPT-2 tokenizer against the ids Hugging Face `tokenizers` gave for the committed
/// fixture (Scripts/make_tokenizer_fixture.py), in every file format.
@Suite struct GPT2TokenizerTests {
  struct Case {
    var text: String
    var ids: [Int]
  }

  /// The cases of expected.json and the vocabulary size `tokenizers` reported.
  func expected() throws -> (cases: [Case], vocabularySize: Int) {
    let path = try fixtureFolder() + "/expected.json"
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    let cases = try #require(json["cases"] as? [[String: Any]]).map { item in
      Case(text: item["text"] as! String, ids: (item["ids"] as! [NSNumber]).map(\.intValue))
    }
    return (cases, try #require(json["vocabulary_size"] as? Int))
  }

  /// Checks `tokenizer` against every case, and that decoding gives the text back.
  func check(_ tokenizer: GPT2Tokenizer, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (cases, vocabularySize) = try expected()
    #expect(cases.count >= 60, sourceLocation: sourceLocation)
    #expect(tokenizer.vocabularySize == vocabularySize, sourceLocation: sourceLocation)
    var mismatches = 0
    for item in cases {
      let ids = tokenizer.encode(item.text)
      if ids != item.ids { mismatches += 1 }
      #expect(ids == item.ids, "text \(item.text.debugDescription)", sourceLocation: sourceLocation)
      #expect(tokenizer.decode(ids) == item.text, sourceLocation: sourceLocation)
      #expect(tokenizer.encodeRecord(item.text) == ids, sourceLocation: sourceLocation)
    }
    #expect(mismatches == 0, sourceLocation: sourceLocation)
    // The fixture exercises merges, not only single bytes.
    #expect(cases.flatMap(\.ids).contains { $0 > 600 }, sourceLocation: sourceLocation)
  }

  @Test func tokenizerJSONGivesHuggingFacesIDs() throws {
    let tokenizer = try GPT2Tokenizer(tokenizerJSONAt: try fixtureFolder() + "/tokenizer.json")
    try check(tokenizer)
    #expect(tokenizer.endOfTextID == 0)
    #expect(tokenizer.recordStartID == nil && tokenizer.recordEndID == nil)
    #expect(try GPT2Tokenizer(directory: try fixtureFolder()).encode("Hello world") == tokenizer.encode("Hello world"))
  }

  @Test func vocabularyAndMergesGiveHuggingFacesIDs() throws {
    let folder = try fixtureFolder()
    try check(try GPT2Tokenizer(vocabularyAt: folder + "/vocab.json", mergesAt: folder + "/merges.txt"))
  }

  @Test func mergesWrittenAsStringsGiveTheSameIDs() throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: try fixtureFolder() + "/tokenizer.json"))
    var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    var model = try #require(json["model"] as? [String: Any])
    let pairs = try #require(model["merges"] as? [[String]])
    model["merges"] = pairs.map { $0.joined(separator: " ") }
    json["model"] = model
    let folder = try TemporaryFolder()
    defer { withExtendedLifetime(folder) {} }
    let path = try folder.write("tokenizer.json", bytes: Array(try JSONSerialization.data(withJSONObject: json)))
    try check(try GPT2Tokenizer(tokenizerJSONAt: path))
  }

  @Test func concurrentEncodingAgrees() async throws {
    let tokenizer = try GPT2Tokenizer(tokenizerJSONAt: try fixtureFolder() + "/tokenizer.json")
    let cases = try expected().cases
    let agree = await withTaskGroup(of: Bool.self) { group in
      for _ in 0..<4 { group.addTask { cases.allSatisfy { tokenizer.encode($0.text) == $0.ids } } }
      return await group.reduce(true) { $0 && $1 }
    }
    #expect(agree)
  }
}
