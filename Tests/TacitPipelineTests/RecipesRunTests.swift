import Foundation
import Testing

/// Every recipe in Recipes/ runs end to end through the real executable, shrunk by overrides.
@Suite(.serialized) struct RecipesRunTests {
  static let fashionMNISTAvailable = FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

  static var recipes: [String] {
    let folder = CommandLineTool.packageRoot.appendingPathComponent("Recipes")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.sorted().map { "Recipes/" + $0 }
  }

  /// Overrides that make any Fashion-MNIST recipe train in about a second.
  static let shrink = [
    "--set", "data.train_size=2000", "--set", "data.test_size=500", "--set", "training.epochs=2",
    "--set", "training.batch_size=128",
  ]

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
    let isPrivate = try String(contentsOfFile: CommandLineTool.packageRoot.appendingPathComponent(recipe).path, encoding: .utf8)
      .contains("\nprivacy:")
    var arguments = ["run", recipe, "--output", runFolder.path, "--json"] + Self.shrink
    // Seeded noise makes a DP recipe's shrunk run deterministic, so its checks cannot flake.
    if isPrivate { arguments += ["--set", "privacy.noise=seeded"] }
    // Recipes with early stopping need a validation split; the shrunk pool keeps one.
    arguments += ["--set", "data.validation_size=200"]
    let outcome = try CommandLineTool.run(arguments)
    #expect(outcome.status == 0, "\(recipe) failed: \(outcome.standardError)")
    for file in ["recipe.yaml", "model.safetensors", "metrics.json", "summary.json", "log.txt", "report.html"] {
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
      #expect(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("privacy.json").path))
    } else {
      // Two epochs on 2,000 images: far better than the 10% of guessing, far from perfect.
      #expect(accuracy > 0.3 && accuracy <= 1, "\(recipe): test accuracy \(accuracy)")
      #expect(summary?["privacy"] is NSNull)
    }
    // Every recipe audits its run: canaries at least, membership attacks when it has non-members.
    let audit = try #require(summary?["audit"] as? [String: Any], "\(recipe): no audit in summary.json")
    let verdict = try #require(audit["verdict"] as? String)
    #expect(verdict == (isPrivate ? "PASS" : "MEASURED"), "\(recipe): audit verdict \(verdict)")
    #expect(FileManager.default.fileExists(atPath: runFolder.appendingPathComponent("audit.json").path))
    // The resolved recipe is itself a valid recipe.
    let again = try CommandLineTool.run(["validate", runFolder.appendingPathComponent("recipe.yaml").path])
    #expect(again.status == 0, "resolved recipe of \(recipe) does not validate: \(again.standardError)")
  }
}
