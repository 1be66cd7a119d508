import Foundation
import Testing

/// `data.long_records: windows` end to end: a fortune file whose records are longer than a tiny
/// model's context trains (non-private with LiRA's reference models, and DP-SGD), evaluates and
/// is audited with each record's windows as one record; the log says how many were windowed.
@Suite(.serialized) struct LanguageModelWindowsTests {
  static let windowed = [
    "--set", "data.long_records=windows", "--set", "data.max_bytes=400", "--set", "audit.bootstrap=20",
  ]

  /// The log line of the windowing, e.g. "text: 150 of 378 records (39.7%) longer than …".
  static func windowLine(_ folder: URL) throws -> String {
    let log = try String(contentsOf: folder.appendingPathComponent("log.txt"), encoding: .utf8)
    return try #require(log.split(separator: "\n").first { $0.contains("cut into windows") }.map(String.init), "\(log)")
  }

  @Test(.enabled(if: LanguageModelRecipesTests.fortunesAvailable)) func windowedRecordsTrainEvaluateAndAudit() throws {
    let output = try CommandLineTool.temporaryDirectory("lm-windows")
    defer { try? FileManager.default.removeItem(at: output) }
    let plainFolder = output.appendingPathComponent("plain")
    let plain = try LanguageModelRecipesTests.run(
      "Recipes/fortunes-lm.yaml", into: plainFolder,
      extra: LanguageModelRecipesTests.tinyModel + Self.windowed + [
        "--set", "audit.reference_models=2", "--set", "audit.attacks=[loss, lira_offline]",
      ])
    #expect((plain["audit"] as? [String: Any])?["verdict"] as? String == "MEASURED")
    let line = try Self.windowLine(plainFolder)
    // wisdom within 400 bytes has records of up to 402 tokens: ⌈401/63⌉ = 7 windows of 64.
    #expect(line.contains("at most 7 per record") && !line.hasPrefix("text: 0 of"), "\(line)")
    let recipe = try String(contentsOf: plainFolder.appendingPathComponent("recipe.yaml"), encoding: .utf8)
    #expect(recipe.contains("long_records: windows"))

    let dpFolder = output.appendingPathComponent("dp")
    let dp = try LanguageModelRecipesTests.run(
      "Recipes/fortunes-lm-dp-eps8.yaml", into: dpFolder,
      extra: LanguageModelRecipesTests.tinyModel + LanguageModelRecipesTests.privateOverrides + Self.windowed)
    let privacy = try #require(dp["privacy"] as? [String: Any])
    #expect(abs((privacy["epsilon"] as? Double ?? 0) - 8) < 0.01)
    #expect((dp["audit"] as? [String: Any])?["verdict"] as? String == "UNTESTABLE")
    #expect(try Self.windowLine(dpFolder) == line, "the same records are windowed")
  }

  /// Records needing more than 64 windows are refused, naming data.max_bytes; nothing is written.
  @Test(.enabled(if: LanguageModelRecipesTests.fortunesAvailable)) func tooManyWindowsAreRefused() throws {
    let output = try CommandLineTool.temporaryDirectory("lm-windows-refused")
    defer { try? FileManager.default.removeItem(at: output) }
    let folder = output.appendingPathComponent("run")
    let outcome = try CommandLineTool.run(
      ["run", "Recipes/fortunes-lm.yaml", "--output", folder.path] + LanguageModelRecipesTests.shrink
        + LanguageModelRecipesTests.tinyModel + [
          "--set", "data.long_records=windows", "--set", "data.max_bytes=null", "--set", "model.context=4",
        ])
    #expect(outcome.status == 65, "\(outcome.standardError)")
    #expect(outcome.standardError.contains("more than 64; lower data.max_bytes"), "\(outcome.standardError)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("summary.json").path))
  }
}
