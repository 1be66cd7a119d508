import Foundation
import Testing

/// The language-model recipes (Recipes/fortunes-lm*.yaml) run end to end through the real
/// executable, shrunk by overrides (one small fortune file, a tiny GPT-2, one epoch), and the
/// LM commands (`score`, `generate`) work on the run folders they write.
@Suite(.serialized) struct LanguageModelRecipesTests {
  static let fortunesAvailable = FileManager.default.fileExists(atPath: "/usr/share/games/fortunes/wisdom")

  /// Overrides that make any fortunes-lm recipe train in about a second.
  static let shrink = [
    "--set", "data.files=[wisdom]", "--set", "training.epochs=1", "--set", "training.batch_size=32",
  ]
  static let tinyModel = [
    "--set", "model.width=32", "--set", "model.layers=1", "--set", "model.heads=2", "--set", "model.context=64",
  ]
  /// DP recipes: seeded noise (deterministic), 1,000 canaries (auto would ask for more canaries
  /// than the tiny model has coordinates).
  static let privateOverrides = ["--set", "privacy.noise=seeded", "--set", "audit.canaries.count=1000"]

  /// Runs `recipe` shrunk into `folder`; returns summary.json.
  static func run(_ recipe: String, into folder: URL, extra: [String]) throws -> [String: Any] {
    let outcome = try CommandLineTool.run(["run", recipe, "--output", folder.path, "--json"] + shrink + extra)
    #expect(outcome.status == 0, "\(recipe) failed: \(outcome.standardError)")
    for file in [
      "recipe.yaml", "summary.json", "log.txt", "model.safetensors", "report.html", "hf/config.json", "hf/model.safetensors",
    ] {
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(recipe): missing \(file)")
    }
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    let bitsPerByte = try #require(summary["test_bits_per_byte"] as? Double, "\(recipe): no bits per byte")
    // One epoch of a tiny model: better than the 8 bits of a uniform byte, far from perfect.
    #expect(bitsPerByte > 1 && bitsPerByte < 8, "\(recipe): \(bitsPerByte) bits per byte")
    #expect((summary["test_compressor_bits_per_byte"] as? [String: Double])?["zlib -9"] != nil)
    return summary
  }

  @Test(.enabled(if: fortunesAvailable)) func fromScratchRecipesRun() throws {
    let output = try CommandLineTool.temporaryDirectory("lm-recipes")
    defer { try? FileManager.default.removeItem(at: output) }
    let plainFolder = output.appendingPathComponent("plain")
    let plain = try Self.run(
      "Recipes/fortunes-lm.yaml", into: plainFolder,
      extra: Self.tinyModel + [
        "--set", "audit.secrets={format: \"my PIN is {digits:2}\", insertions: [0, 1, 16], per_insertion: 2}",
      ])
    #expect((plain["audit"] as? [String: Any])?["verdict"] as? String == "MEASURED")
    // The IID split passes the validity gate.
    let gate = try #require((plain["audit"] as? [String: Any])?["blind_baseline"] as? [String: Any])
    #expect(gate["verdict"] as? String == "VALID", "\(gate)")
    // Secret canaries: exposure of each, exact over the 100 candidates, in audit.json and the report.
    let audit = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: plainFolder.appendingPathComponent("audit.json"))) as? [String: Any]
    )
    let secrets = try #require(audit["secrets"] as? [[String: Any]])
    #expect(secrets.count == 6 && secrets.allSatisfy { ($0["method"] as? String) == "exact" })
    #expect(secrets.filter { $0["insertions"] as? Int == 0 }.count == 2)  // control canaries, never trained on
    #expect(secrets.allSatisfy { (0...log2(100.0) + 1e-9).contains($0["exposure"] as? Double ?? -1) })
    let report = try String(contentsOf: plainFolder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(report.contains("Secret-sharer canaries") && report.contains("Validity gate: the blind baseline"))
    #expect(report.contains("log perplexity of member and non-member texts"))
    // The audit's texts, one JSON object per line, as many as the audit's members and non-members.
    let population = try #require(audit["population"] as? [String: Any])
    for (file, key) in [("members.jsonl", "members"), ("non-members.jsonl", "non_members")] {
      let lines = try String(contentsOf: plainFolder.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
      #expect(lines.count == population[key] as? Int, "\(file)")
      #expect(
        lines.allSatisfy { line in
          ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String])?["text"]?.isEmpty == false
        })
    }
    // A DP claim states the AUC it allows.
    let dp = try Self.run(
      "Recipes/fortunes-lm-dp-eps8.yaml", into: output.appendingPathComponent("dp"), extra: Self.tinyModel + Self.privateOverrides
    )
    let privacy = try #require(dp["privacy"] as? [String: Any])
    #expect(abs((privacy["epsilon"] as? Double ?? 0) - 8) < 0.01)
    // 1,000 canaries cannot test ε = 8: UNTESTABLE, and no mechanism check failed (else VIOLATION).
    #expect((dp["audit"] as? [String: Any])?["verdict"] as? String == "UNTESTABLE")
    let allowed = try #require((dp["audit"] as? [String: Any])?["auc_allowed"] as? [String: Any])
    #expect(abs((allowed["maximum"] as? Double ?? 0) - 0.99967) < 1e-4 && allowed["exceeded_by"] as? [String] == [])
  }

  @Test(.enabled(if: fortunesAvailable)) func fineTuningStartsFromThePublicRun() throws {
    let output = try CommandLineTool.temporaryDirectory("lm-finetune")
    defer { try? FileManager.default.removeItem(at: output) }
    let publicRun = output.appendingPathComponent("public")
    let pretrained = try Self.run("Recipes/fortunes-lm-public.yaml", into: publicRun, extra: Self.tinyModel)
    #expect(pretrained["audit"] is NSNull)
    let tuned = try Self.run(
      "Recipes/fortunes-lm-finetune-dp.yaml", into: output.appendingPathComponent("tuned"),
      extra: ["--set", "model.from=\(publicRun.path)"] + Self.privateOverrides)
    #expect(tuned["parameter_count"] as? Int == pretrained["parameter_count"] as? Int)
    // The text attacks ran, the reference attack against the pre-trained model (model.from).
    let attacks = try #require((tuned["audit"] as? [String: Any])?["attacks"] as? [String: Any])
    #expect(Set(attacks.keys) == ["loss", "min_k", "min_k_plus_plus", "zlib_ratio", "lowercase_ratio", "reference_ratio"])
    // The commands read the run folder (its hf/ export) and an HF folder alike.
    let texts = output.appendingPathComponent("texts.txt")
    try "A fool and his money are soon parted.\nHello\n".write(to: texts, atomically: true, encoding: .utf8)
    for model in [publicRun.path, publicRun.appendingPathComponent("hf").path] {
      let score = try CommandLineTool.run(["score", model, texts.path, "--json"])
      #expect(score.status == 0, "\(score.standardError)")
      let lines = score.standardOutput.split(separator: "\n")
      #expect(lines.count == 2)
      let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
      let tokens = try #require(first["tokens"] as? [Int])
      #expect(tokens.first == 256 && tokens.last == 257 && tokens.count == 39)  // [BOS, 37 bytes, EOS]
      #expect((first["token_log_probs"] as? [Double])?.count == 38)
    }
    let generated = try CommandLineTool.run(["generate", publicRun.path, "--prompt", "A fool", "--tokens", "20", "--seed", "4"])
    #expect(generated.status == 0 && generated.standardOutput.hasPrefix("A fool"), "\(generated.standardError)")
    let again = try CommandLineTool.run(["generate", publicRun.path, "--prompt", "A fool", "--tokens", "20", "--seed", "4"])
    #expect(again.standardOutput == generated.standardOutput)
  }

  /// `privacy.unit: user` (Recipes/fortunes-lm-dp-eps8-users.yaml): each secret canary's copies
  /// are one user, sampled and counted as one (U = the data records + the inserted canaries), and the exposure the claim allows a
  /// 16-times canary is the single-insertion one; a classifier recipe is refused.
  @Test(.enabled(if: fortunesAvailable)) func userLevelPrivacyCountsEachSecretOnce() throws {
    let output = try CommandLineTool.temporaryDirectory("lm-user-unit")
    defer { try? FileManager.default.removeItem(at: output) }
    let folder = output.appendingPathComponent("user")
    let summary = try Self.run(
      "Recipes/fortunes-lm-dp-eps8-users.yaml", into: folder,
      extra: Self.tinyModel + Self.privateOverrides + [
        "--set", "audit.secrets={format: \"my PIN is {digits:2}\", insertions: [0, 1, 16], per_insertion: 2}",
      ])
    #expect(abs(((summary["privacy"] as? [String: Any])?["epsilon"] as? Double ?? 0) - 8) < 0.01)
    let privacy = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("privacy.json"))) as? [String: Any])
    #expect(privacy["privacy_unit"] as? String == "user")
    let records = try #require(privacy["training_records"] as? Int)
    let users = try #require(privacy["users"] as? Int)
    // 2 canaries once and 2 sixteen times: 34 records, 4 users.
    #expect(records - users == 30, "\(records) records, \(users) users")
    #expect(abs((privacy["sample_rate"] as? Double ?? 0) - 32 / Double(users)) < 1e-12)
    let audit = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("audit.json"))) as? [String: Any])
    #expect(audit["secret_copies_are_one_user"] as? Bool == true)
    let secrets = try #require(audit["secrets"] as? [[String: Any]])
    let allowed = { (k: Int) in
      Set(secrets.filter { $0["insertions"] as? Int == k }.compactMap { $0["dp_allowed_exposure_95"] as? Double })
    }
    #expect(allowed(16) == allowed(1) && allowed(1).count == 1, "\(secrets)")
    let log = try String(contentsOf: folder.appendingPathComponent("log.txt"), encoding: .utf8)
    #expect(log.contains("privacy unit: user. \(users) users"), "\(log)")
    let report = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(report.contains("<th>privacy unit</th>"))
    // A classifier has no users to group.
    let refused = try CommandLineTool.run([
      "run", "Recipes/quickstart.yaml", "--output", output.appendingPathComponent("classifier").path,
      "--set", "privacy={target_epsilon: 3, unit: user}",
    ])
    #expect(refused.status != 0 && refused.standardError.contains("privacy.unit: user"), "\(refused.standardError)")
  }
}
