import Foundation
import Testing

/// Bad input to the language-model commands: clear errors naming the file (and line), exit 65,
/// and nothing written.
@Suite struct LanguageModelBadInputTests {
  static var fixture: String {
    Bundle.module.url(forResource: "hf-gpt2-tiny", withExtension: nil, subdirectory: "Fixtures")!.path
  }

  /// A text recipe over `file` (format lines) with a tiny model.
  static func recipe(file: String) -> String {
    """
    version: 1
    name: bad-text
    data: {source: text, format: lines, files: [\(file)]}
    model: {type: gpt2, width: 16, layers: 1, heads: 2, context: 32}
    training: {epochs: 1, batch_size: 8}
    """
  }

  @Test func emptyAndInvalidTextFilesStopTheRunWithNothingWritten() throws {
    let folder = try CommandLineTool.temporaryDirectory("lm-bad")
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data().write(to: folder.appendingPathComponent("empty.txt"))
    try Data("fine line\nbad \u{1}".utf8 + [0xC3, 0x28] + Data("\n".utf8)).write(to: folder.appendingPathComponent("invalid.txt"))
    for (file, message) in [("empty.txt", "empty.txt"), ("invalid.txt", "invalid.txt:2: invalid UTF-8")] {
      let recipe = folder.appendingPathComponent("recipe-\(file).yaml")
      try Self.recipe(file: file).write(to: recipe, atomically: true, encoding: .utf8)
      let output = folder.appendingPathComponent("run-\(file)")
      let outcome = try CommandLineTool.run(["run", recipe.path, "--output", output.path])
      #expect(outcome.status == 65, "\(file): \(outcome.standardError)")
      #expect(outcome.standardError.contains(message), "\(file): \(outcome.standardError)")
      #expect(!FileManager.default.fileExists(atPath: output.path), "\(file): the failed run wrote \(output.path)")
      let score = try CommandLineTool.run(["score", Self.fixture, folder.appendingPathComponent(file).path])
      #expect(score.status == 65 && score.standardError.contains(message), "\(file): \(score.standardError)")
      #expect(score.standardOutput.isEmpty)
    }
  }

  @Test func mismatchedOrUnsupportedModelFoldersExit65() throws {
    let folder = try CommandLineTool.temporaryDirectory("lm-bad-model")
    defer { try? FileManager.default.removeItem(at: folder) }
    let texts = folder.appendingPathComponent("texts.txt")
    try "hello\n".write(to: texts, atomically: true, encoding: .utf8)
    for (key, value, message) in [
      ("vocab_size", 400 as Any, "the tokenizer has 500 tokens but config.json's vocab_size is 400"),
      ("activation_function", "relu", "activation_function 'relu' is not supported"),
      ("model_type", "gpt_neox", "model_type 'gpt_neox' is not supported"),
    ] {
      let copy = folder.appendingPathComponent(key)
      try FileManager.default.copyItem(atPath: Self.fixture, toPath: copy.path)
      let configURL = copy.appendingPathComponent("config.json")
      var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
      config[key] = value
      try JSONSerialization.data(withJSONObject: config).write(to: configURL)
      let outcome = try CommandLineTool.run(["score", copy.path, texts.path])
      #expect(outcome.status == 65, "\(key): \(outcome.standardError)")
      #expect(outcome.standardError.contains(message) && outcome.standardError.contains("config.json"), "\(outcome.standardError)")
      let generate = try CommandLineTool.run(["generate", copy.path, "--prompt", "hi"])
      #expect(generate.status == 65 && generate.standardOutput.isEmpty)
    }
    let missing = try CommandLineTool.run(["score", folder.appendingPathComponent("nowhere").path, texts.path])
    #expect(missing.status == 65 && missing.standardError.contains("no such folder"))
  }

  @Test func aLanguageModelNeedsTextAndTextNeedsALanguageModel() throws {
    let folder = try CommandLineTool.temporaryDirectory("lm-mismatch")
    defer { try? FileManager.default.removeItem(at: folder) }
    let imageLM = folder.appendingPathComponent("image-lm.yaml")
    try "version: 1\nname: x\ndata: {source: synthetic}\nmodel: {type: gpt2}\n".write(to: imageLM, atomically: true, encoding: .utf8)
    let first = try CommandLineTool.run(["run", imageLM.path, "--output", folder.appendingPathComponent("a").path])
    #expect(first.status == 65 && first.standardError.contains("use data.source: text"), "\(first.standardError)")
    let textDense = folder.appendingPathComponent("text-dense.yaml")
    try "version: 1\nname: x\ndata: {source: text, format: fortune, files: [wisdom]}\nmodel: [{type: dense, units: 3}]\n"
      .write(to: textDense, atomically: true, encoding: .utf8)
    let second = try CommandLineTool.run(["run", textDense.path, "--output", folder.appendingPathComponent("b").path])
    #expect(second.status == 65 && second.standardError.contains("text records train a language model"), "\(second.standardError)")
  }
}
