import Foundation
import TacitNN
import TacitText
import Testing

@testable import TacitPipeline

/// Hugging Face GPT-2 folders: Tacit's import reproduces `transformers` on the committed fixture
/// (`Scripts/check_hf_gpt2.py make-fixture`), the export loads back identically, and malformed
/// folders are refused with the file named.
@Suite struct HuggingFaceGPT2Tests {
  static var fixture: String {
    Bundle.module.url(forResource: "hf-gpt2-tiny", withExtension: nil, subdirectory: "Fixtures")!.path
  }

  /// The fixture's expected rows: text, token ids and log-probs from `transformers`.
  static func expected() throws -> [(text: String, tokens: [Int], logProbabilities: [Double])] {
    let text = try String(contentsOfFile: fixture + "/expected.jsonl", encoding: .utf8)
    return try text.split(separator: "\n").map { line in
      let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
      return (
        try #require(object["text"] as? String), try #require(object["tokens"] as? [Int]),
        try #require(object["token_log_probs"] as? [Double])
      )
    }
  }

  @Test func importedModelScoresAsTransformers() throws {
    let scores = try TextScoring.score(modelPath: Self.fixture, textsPath: Self.fixture + "/expected.jsonl")
    let expected = try Self.expected()
    #expect(scores.count == expected.count && expected.count >= 10)
    var largest = 0.0
    for (score, row) in zip(scores, expected) {
      #expect(score.tokens == row.tokens, "ids of \(row.text.debugDescription)")
      #expect(score.tokenLogProbabilities.count == row.logProbabilities.count)
      for (mine, theirs) in zip(score.tokenLogProbabilities, row.logProbabilities) { largest = max(largest, abs(mine - theirs)) }
    }
    #expect(largest <= 1e-4, "largest |Δ log p| = \(largest)")
  }

  @Test func exportLoadsBackWithTheSameParametersAndScores() throws {
    let loaded = try LanguageModelFolder.load(Self.fixture)
    let output = FileManager.default.temporaryDirectory.appendingPathComponent("tacit-hf-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: output) }
    let folder = try RunFolder(path: output, kind: .run, recipePath: nil)
    try LanguageModelExport.write(loaded.gpt2, tokenizer: loaded.tokenizer, tokenizerFolder: Self.fixture, into: folder)
    try folder.commit()
    let again = try LanguageModelFolder.load(output + "/hf")
    #expect(again.gpt2.configuration == loaded.gpt2.configuration)
    for ((name, parameter), (otherName, other)) in zip(loaded.gpt2.namedParameters, again.gpt2.namedParameters) {
      #expect(name == otherName && parameter.value == other.value, "\(name)")
    }
    let texts = try Self.expected().map(\.text)
    let before = TextScoring.score(texts, model: loaded.model, tokenizer: loaded.tokenizer)
    let after = TextScoring.score(texts, model: again.model, tokenizer: again.tokenizer)
    #expect(before.map(\.tokens) == after.map(\.tokens))
    #expect(before.map(\.tokenLogProbabilities) == after.map(\.tokenLogProbabilities))
    let stored = try Safetensors.read(from: output + "/hf/model.safetensors")
    #expect(stored.tensors["transformer.h.0.attn.c_attn.weight"]?.shape == [32, 96])  // Conv1D [in, out]
    #expect(stored.tensors["lm_head.weight"] == nil)  // tied: not stored, as transformers saves it
    #expect(stored.metadata["format"] == "pt")
  }

  /// A copy of the fixture with `config.json` edited by `edit` (or a file removed).
  static func brokenCopy(_ edit: (inout [String: Any]) -> Void, removing: String? = nil) throws -> String {
    let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tacit-hf-bad-\(UUID().uuidString)").path
    try FileManager.default.copyItem(atPath: fixture, toPath: copy)
    var config = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: copy + "/config.json"))) as? [String: Any])
    edit(&config)
    try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: copy + "/config.json"))
    if let removing { try FileManager.default.removeItem(atPath: copy + "/" + removing) }
    return copy
  }

  @Test(arguments: [
    ("activation", "activation_function 'gelu' is not supported"),
    ("architecture", "model_type 'llama' is not supported"),
    ("vocabulary", "the tokenizer has 500 tokens but config.json's vocab_size is 400"),
    ("inner", "n_inner 100 is not supported"),
  ])
  func malformedFoldersAreRefused(case name: String, message: String) throws {
    let copy = try Self.brokenCopy { config in
      switch name {
      case "activation": config["activation_function"] = "gelu"
      case "architecture": config["model_type"] = "llama"
      case "vocabulary": config["vocab_size"] = 400
      default: config["n_inner"] = 100
      }
    }
    defer { try? FileManager.default.removeItem(atPath: copy) }
    let error = try #require(throws: PipelineError.self) { try LanguageModelFolder.load(copy) }
    #expect(error.description.contains(message), "\(error.description)")
    #expect(error.description.contains(copy))
    #expect(error.isInputError)
  }

  @Test func aMissingWeightsFileOrTensorIsNamed() throws {
    let copy = try Self.brokenCopy({ _ in }, removing: "model.safetensors")
    defer { try? FileManager.default.removeItem(atPath: copy) }
    let error = try #require(throws: PipelineError.self) { try LanguageModelFolder.load(copy) }
    #expect(error.description.contains("model.safetensors"), "\(error.description)")
    let deeper = try Self.brokenCopy { $0["n_layer"] = 3 }
    defer { try? FileManager.default.removeItem(atPath: deeper) }
    let missing = try #require(throws: PipelineError.self) { try LanguageModelFolder.load(deeper) }
    #expect(missing.description.contains("transformer.h.2."), "\(missing.description)")
  }
}
