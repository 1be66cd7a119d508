import Foundation
import Testing

/// `tacit compare`, end to end through the executable, on real run folders: a non-private model
/// that overfits (nine attacks, two reference models), its DP-SGD twin (four attacks) and a run
/// with the audit off that shares the first one's name. The oracle is the runs' own files: every
/// number the comparison shows must equal the one `tacit run` wrote.
@Suite(.serialized) struct CompareTests {
  static func recipe(name: String, extra: String) -> String {
    """
    version: 1
    name: \(name)
    seed: 4
    data:
      source: synthetic
      synthetic:
        classes: 3
        features: 8
        samples: 400
        separation: 1.0
    model:
      - type: dense
        units: 32
      - type: relu
      - type: dense
        units: 3
    \(extra)
    """
  }

  static let overfit = recipe(
    name: "overfit",
    extra: """
      training:
        epochs: 30
        batch_size: 16
        optimizer:
          type: adam
          learning_rate: 0.01
      audit: {reference_models: 2, bootstrap: 10, population_size: 50}

      """)

  static let privateRun = recipe(
    name: "private",
    extra: """
      training:
        epochs: 4
        batch_size: 32
        optimizer:
          type: sgd
          learning_rate: 0.5
      privacy: {noise_multiplier: 1.0, noise: seeded}
      audit: {bootstrap: 10}

      """)

  /// Named like the overfit run, so `compare` must fall back to folder names.
  static let auditOff = recipe(
    name: "overfit",
    extra: """
      training:
        epochs: 2
        batch_size: 16
        optimizer:
          type: adam
          learning_rate: 0.01
      audit: {enabled: false}

      """)

  func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  /// Trains `recipe` into `root/folder` and returns the run folder.
  func train(_ recipe: String, into folder: String, root: URL) throws -> URL {
    let recipePath = root.appendingPathComponent(folder + ".yaml")
    try Data(recipe.utf8).write(to: recipePath)
    let runFolder = root.appendingPathComponent(folder)
    let outcome = try CommandLineTool.run(["run", recipePath.path, "--output", runFolder.path, "--json"])
    try #require(outcome.status == 0, "tacit run \(folder): exit \(outcome.status): \(outcome.standardError)")
    return runFolder
  }

  @Test func everyNumberIsTheRunsOwnAndTheFilesAreWritten() throws {
    let root = try CommandLineTool.temporaryDirectory("compare")
    defer { try? FileManager.default.removeItem(at: root) }
    let overfit = try train(Self.overfit, into: "overfit-a", root: root)
    let dp = try train(Self.privateRun, into: "private-b", root: root)

    // --json: each figure equals summary.json's or audit.json's.
    let printed = try CommandLineTool.run(["compare", overfit.path, dp.path, "--json"])
    try #require(printed.status == 0, "exit \(printed.status): \(printed.standardError)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(printed.standardOutput.utf8)) as? [String: Any])
    let runs = try #require(object["runs"] as? [[String: Any]])
    try #require(runs.count == 2)
    for (run, folder) in zip(runs, [overfit, dp]) {
      let summary = try json(folder.appendingPathComponent("summary.json"))
      let audit = try json(folder.appendingPathComponent("audit.json"))
      #expect(run["name"] as? String == summary["name"] as? String)
      #expect(run["folder"] as? String == folder.standardizedFileURL.path)
      #expect(run["test_accuracy"] as? Double == summary["test_accuracy"] as? Double)
      #expect(run["verdict"] as? String == audit["verdict"] as? String)
      #expect(run["epsilon_lower_bound"] as? Double == audit["epsilon_lower_bound"] as? Double)
      #expect(run["confidence"] as? Double == audit["confidence"] as? Double)
      if let claimed = audit["epsilon_claimed"] as? Double {
        #expect(run["epsilon_claimed"] as? Double == claimed)
        #expect(claimed == (summary["privacy"] as? [String: Any])?["epsilon"] as? Double)
      } else {
        #expect(run["epsilon_claimed"] is NSNull && summary["privacy"] is NSNull)
      }
      let attacks = try #require(run["attacks"] as? [String: [String: Any]])
      let details = try #require(audit["attack_details"] as? [String: [String: Any]])
      #expect(Set(attacks.keys) == Set(details.keys))
      for (name, attack) in attacks {
        let detail = try #require(details[name])
        #expect(attack["auc"] as? Double == detail["auc"] as? Double, "\(name)")
        #expect(attack["advantage"] as? Double == detail["advantage"] as? Double, "\(name)")
        let rates = try #require(attack["tpr_at_fpr"] as? [String: Double])
        #expect(rates == (detail["tpr_at_fpr"] as? [String: Double])?.filter { $0.key != "0.1" }, "\(name)")
      }
    }
    #expect(runs[0]["epsilon_claimed"] is NSNull && runs[1]["epsilon_claimed"] is Double)
    let overfitAttacks = Set((runs[0]["attacks"] as? [String: Any] ?? [:]).keys)
    let privateAttacks = Set((runs[1]["attacks"] as? [String: Any] ?? [:]).keys)
    #expect(overfitAttacks.count == 9 && privateAttacks == ["loss", "confidence", "entropy", "modified_entropy"])

    // The table: both names, the claim, and "—" where the private run has no reference attack.
    let table = try CommandLineTool.run(["compare", overfit.path, dp.path])
    try #require(table.status == 0, "exit \(table.status): \(table.standardError)")
    let lines = table.standardOutput.split(separator: "\n").map(String.init)
    #expect(lines.first?.contains("overfit") == true && lines.first?.contains("private") == true)
    #expect(lines.contains { $0.hasPrefix("claimed ε") && $0.contains("none") })
    let sources = try [overfit, dp].map { (try json($0.appendingPathComponent("audit.json"))["bound_source"] as? String) ?? "—" }
    let fromLine = try #require(lines.first { $0.hasPrefix("  from") })
    #expect(fromLine.contains(sources[0]) && fromLine.hasSuffix(sources[1]), "\(fromLine) for \(sources)")
    let lira = try #require(lines.firstIndex { $0 == "lira_online" })
    #expect(lines[lira + 1].hasPrefix("  AUC") && lines[lira + 1].hasSuffix("—"), "\(lines[lira + 1])")
    let lossAUC = try #require(
      (((runs[0]["attacks"] as? [String: Any])?["loss"]) as? [String: Any])?["auc"] as? Double)
    let loss = try #require(lines.firstIndex { $0 == "loss" })
    #expect(lines[loss + 1].contains(String(format: "%.4f", lossAUC)))

    // --output into a folder that already holds a file: it is kept; the two files are written.
    let output = root.appendingPathComponent("comparison")
    try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
    try Data("mine".utf8).write(to: output.appendingPathComponent("keep.txt"))
    for _ in 0..<2 {  // the second time replaces the first's files
      let written = try CommandLineTool.run(["compare", overfit.path, dp.path, "--output", output.path, "--json"])
      try #require(written.status == 0, "exit \(written.status): \(written.standardError)")
      #expect(written.standardOutput == printed.standardOutput)
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
    #expect(files == ["comparison.html", "comparison.json", "keep.txt"])
    let saved = try String(contentsOf: output.appendingPathComponent("comparison.json"), encoding: .utf8)
    #expect(saved == printed.standardOutput)
    let html = try String(contentsOf: output.appendingPathComponent("comparison.html"), encoding: .utf8)
    // One chart per attack, the strongest attacks' chart and the ε bars.
    #expect(occurrences(of: "<svg", in: html) == overfitAttacks.count + 2)
    for name in overfitAttacks { #expect(html.contains(">attack \(name)</text>"), "\(name)") }
    #expect(html.contains("strongest attack of each run"))
    #expect(html.contains(">overfit</th>") && html.contains(">private</th>"))
    for forbidden in ["<script", "src=", "href=", "https:"] { #expect(!html.contains(forbidden), "\(forbidden)") }
  }

  @Test func auditOffAndSharedNamesAreSaidSo() throws {
    let root = try CommandLineTool.temporaryDirectory("compare")
    defer { try? FileManager.default.removeItem(at: root) }
    let first = try train(Self.auditOff, into: "first", root: root)
    let second = try train(Self.auditOff, into: "second", root: root)
    #expect(!FileManager.default.fileExists(atPath: first.appendingPathComponent("audit.json").path))
    let printed = try CommandLineTool.run(["compare", first.path, second.path, "--json"])
    try #require(printed.status == 0, "exit \(printed.status): \(printed.standardError)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(printed.standardOutput.utf8)) as? [String: Any])
    let runs = try #require(object["runs"] as? [[String: Any]])
    #expect(runs.map { $0["name"] as? String } == ["first", "second"])
    for run in runs {
      #expect(run["verdict"] is NSNull && run["epsilon_lower_bound"] is NSNull)
      #expect((run["attacks"] as? [String: Any])?.isEmpty == true)
    }
    // The same folder twice: folder names collide too, so each is shown by its path.
    let twice = try CommandLineTool.run(["compare", first.path, first.path, "--json"])
    let twiceRuns = try #require(
      (try JSONSerialization.jsonObject(with: Data(twice.standardOutput.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])
    #expect(twiceRuns.map { $0["name"] as? String } == [first.standardizedFileURL.path, first.standardizedFileURL.path])
    // --output naming a file is refused before anything is written.
    let file = root.appendingPathComponent("first.yaml").path
    let refused = try CommandLineTool.run(["compare", first.path, second.path, "--output", file])
    #expect(refused.status == 65 && refused.standardError.contains("\(file): exists and is not a folder"))
    #expect(try String(contentsOfFile: file, encoding: .utf8) == Self.auditOff)
    let table = try CommandLineTool.run(["compare", first.path, second.path])
    #expect(table.standardOutput.contains("first: audit off"))
    #expect(table.standardOutput.split(separator: "\n").contains { $0.hasPrefix("verdict") && $0.hasSuffix("audit off") })
  }

  @Test func badInputsExit65NamingThePath() throws {
    let root = try CommandLineTool.temporaryDirectory("compare")
    defer { try? FileManager.default.removeItem(at: root) }
    let empty = root.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    let broken = root.appendingPathComponent("broken")
    try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
    try Data("{\"name\": \"broken\", \"test_accuracy\": ".utf8).write(to: broken.appendingPathComponent("summary.json"))
    let wrongType = root.appendingPathComponent("wrong-type")
    try FileManager.default.createDirectory(at: wrongType, withIntermediateDirectories: true)
    try Data("{\"name\": \"w\", \"test_accuracy\": \"high\", \"privacy\": null, \"audit\": null}".utf8)
      .write(to: wrongType.appendingPathComponent("summary.json"))
    let missing = root.appendingPathComponent("missing").path
    let cases: [(folder: String, message: String)] = [
      (missing, "\(missing): no such run folder"),
      (empty.path, "\(empty.path): not a tacit run folder (no summary.json)"),
      (broken.path, "\(broken.path)/summary.json: malformed JSON"),
      (wrongType.path, "\(wrongType.path)/summary.json: `test_accuracy` is not a number"),
    ]
    for (folder, message) in cases {  // the first folder fails first
      let outcome = try CommandLineTool.run(["compare", folder, empty.path, "--output", root.appendingPathComponent("out").path])
      #expect(outcome.status == 65, "\(folder): exit \(outcome.status): \(outcome.standardError)")
      #expect(occurrences(of: message, in: outcome.standardError) == 1, "stderr: \(outcome.standardError)")
      #expect(outcome.standardOutput.isEmpty)
    }
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("out").path))
    let one = try CommandLineTool.run(["compare", empty.path])
    #expect(one.status == 64, "exit \(one.status): \(one.standardError)")
  }
}
