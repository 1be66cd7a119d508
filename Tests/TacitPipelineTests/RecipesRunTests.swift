import Foundation
import Testing

/// Every recipe in Recipes/ runs end to end through the real executable, shrunk by overrides.
@Suite(.serialized) struct RecipesRunTests {
  static let fashionMNISTAvailable = FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

  static var recipes: [String] {
    let folder = CommandLineTool.packageRoot.appendingPathComponent("Recipes")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    // The language-model recipes (fortunes-lm*) have their own test: LanguageModelRecipesTests.
    return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("fortunes-lm") }.sorted().map { "Recipes/" + $0 }
  }

  /// Overrides that make any Fashion-MNIST recipe train in about a second.
  static let shrink = [
    "--set", "data.train_size=2000", "--set", "data.test_size=500", "--set", "training.epochs=2",
    "--set", "training.batch_size=128",
  ]

  /// The defenses table's recipes (too slow to run here: 16 reference models each) all validate,
  /// distillation teachers included, and share one seed and data section.
  @Test func defenseRecipesValidate() throws {
    let folder = CommandLineTool.packageRoot.appendingPathComponent("Recipes/defenses")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(names.count == 13, "\(names)")
    var dataSections = Set<String>()
    for name in names {
      let outcome = try CommandLineTool.run(["validate", "Recipes/defenses/" + name])
      #expect(outcome.status == 0, "\(name): \(outcome.standardError)")
      let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
      let start = try #require(lines.firstIndex(of: "data:"))
      let seed = try #require(lines.first { $0.hasPrefix("seed:") })
      dataSections.insert(([seed] + lines[(start + 1)...].prefix { $0.hasPrefix(" ") }).joined(separator: "\n"))
    }
    #expect(dataSections.count == 1, "the defenses recipes disagree on seed or data: \(dataSections)")
  }

  @Test func recipesFolderIsNotEmpty() {
    #expect(Self.recipes.contains("Recipes/quickstart.yaml"))
    #expect(Self.recipes.contains("Recipes/fmnist-mlp.yaml"))
    #expect(Self.recipes.contains("Recipes/fmnist-cnn.yaml"))
  }

  @Test(.enabled(if: fashionMNISTAvailable), arguments: recipes)
  func recipeRunsEndToEnd(recipe: String) throws {
    let output = try CommandLineTool.temporaryDirectory("recipe")
    defer { try? FileManager.default.removeItem(at: output) }
    let runFolder = output.appendingPathComponent("run")
    let text = try String(contentsOfFile: CommandLineTool.packageRoot.appendingPathComponent(recipe).path, encoding: .utf8)
    let isPrivate = text.contains("\nprivacy:")
    // A distillation run writes its models into teacher/ and student/; its teacher's recipe gets
    // the data overrides too, and may make a claim for a non-private student.
    let isDistillation = text.contains("\ndistillation:")
    var arguments = ["run", recipe, "--output", runFolder.path, "--json"] + Self.shrink
    // Seeded noise makes a DP recipe's shrunk run deterministic, so its checks cannot flake.
    if isPrivate { arguments += ["--set", "privacy.noise=seeded"] }
    // Recipes with early stopping need a validation split; the shrunk pool keeps one.
    arguments += ["--set", "data.validation_size=200"]
    // The teacher trains unshrunk (only data and seed overrides reach it): give its batch of
    // 1,024 enough members.
    if isDistillation { arguments += ["--set", "audit.reference_models=2", "--set", "data.train_size=4000"] }
    let outcome = try CommandLineTool.run(arguments)
    #expect(outcome.status == 0, "\(recipe) failed: \(outcome.standardError)")
    let modelFiles = ["model.safetensors", "metrics.json", "report.html", "audit.json"]
    let files =
      isDistillation
      ? ["recipe.yaml", "summary.json", "log.txt", "comparison.html"] + modelFiles.flatMap { ["teacher/" + $0, "student/" + $0] }
      : ["recipe.yaml", "summary.json", "log.txt", "audit.json"] + modelFiles
    for file in files {
      #expect(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(file).path), "\(recipe): missing \(file)")
    }
    let summary = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
    let accuracy = try #require(summary?["test_accuracy"] as? Double)
    #expect(summary?["epochs_run"] as? Int == 2)
    if isPrivate {
      // Two noisy epochs on 2,000 images: better than the 10% of guessing.
      #expect(accuracy > 0.15 && accuracy <= 1, "\(recipe): test accuracy \(accuracy)")
      let privacy = try #require(summary?["privacy"] as? [String: Any], "\(recipe): no privacy in summary.json")
      let epsilon = try #require(privacy["epsilon"] as? Double)
      #expect(epsilon > 0 && epsilon <= 8 + 1e-9, "\(recipe): claimed ε \(epsilon)")
      #expect(privacy["noise"] as? String == "seeded")
      let privacyFile = (isDistillation ? "student/" : "") + "privacy.json"
      #expect(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent(privacyFile).path))
    } else {
      // Two epochs on 2,000 images: far better than the 10% of guessing, far from perfect.
      #expect(accuracy > 0.3 && accuracy <= 1, "\(recipe): test accuracy \(accuracy)")
      #expect(summary?["privacy"] is NSNull)
    }
    // Every recipe audits its run: canaries at least, membership attacks when it has non-members.
    let audit = try #require(summary?["audit"] as? [String: Any], "\(recipe): no audit in summary.json")
    let verdict = try #require(audit["verdict"] as? String)
    // A claim at or above the audit's ceiling cannot be refuted: UNTESTABLE (fmnist-dp-eps8's
    // 1,000 canaries), else PASS.
    let claimed = audit["epsilon_claimed"] as? Double
    let untestable = claimed.map { $0 >= (audit["ceiling"] as? Double ?? .infinity) } ?? false
    let expected = isPrivate || claimed != nil ? (untestable ? "UNTESTABLE" : "PASS") : "MEASURED"
    #expect(verdict == expected, "\(recipe): audit verdict \(verdict)")
    // The resolved recipe is itself a valid recipe.
    let again = try CommandLineTool.run(["validate", runFolder.appendingPathComponent("recipe.yaml").path])
    #expect(again.status == 0, "resolved recipe of \(recipe) does not validate: \(again.standardError)")
  }
}
