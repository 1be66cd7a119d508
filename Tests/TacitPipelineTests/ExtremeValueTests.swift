import Foundation
import Testing

/// Issue 12 item 2: values that `tacit validate` used to accept crashed the release binary
/// (SIGILL/SIGABRT) and left a `.NAME.partial-PID` folder behind. Each is now a clean failure:
/// exit 65, one message naming the key or option and why, no run folder or staging folder.
@Suite(.serialized) struct ExtremeValueTests {
  @Test(arguments: [
    ("    learning_rate: 0.1", "    learning_rate: 1e308",
      "training.optimizer.learning_rate: 1e308 is beyond what 32-bit training can represent (at most 3.4e38)"),
    ("    learning_rate: 0.1", "    learning_rate: 1e-50",
      "training.optimizer.learning_rate: 1e-50 is below what 32-bit training can represent"),
    ("  epochs: 2", "  epochs: 2\n  regularization: {l2: 1e39}",
      "training.regularization.l2: 1e39 is beyond what 32-bit training can represent"),
    ("  epochs: 2", "  epochs: 2\n  schedule: {type: step, gamma: 1e-50}",
      "training.schedule.gamma: 1e-50 is below what 32-bit training can represent"),
  ])
  func recipeValueBeyondFloatIsRefused(original: String, replacement: String, expected: String) throws {
    let space = try Workspace()
    defer { space.remove() }
    #expect(BadInputTests.tinyRecipe.contains(original))
    let recipe = try space.write(
      "recipe.yaml", BadInputTests.tinyRecipe.replacingOccurrences(of: original, with: replacement))
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: expected)
  }

  @Test(arguments: [
    ("max_grad_norm: 1e-50", "privacy.max_grad_norm: 1e-50 is below"),
    ("max_grad_norm: 1e39", "privacy.max_grad_norm: 1e39 is beyond"),
  ])
  func privacyValueBeyondFloatIsRefused(setting: String, expected: String) throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml", BadInputTests.tinyRecipe + "privacy: {noise_multiplier: 1, \(setting)}\n")
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: expected)
  }

  @Test func noiseMultiplierBeyondFloatIsRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", BadInputTests.tinyRecipe + "privacy: {noise_multiplier: 1e-50}\n")
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(
      outcome, status: 65, message: "privacy.noise_multiplier: 1e-50 is below what 32-bit training can represent")
  }

  /// `tacit epsilon` with a tiny σ: a clear error (exit 65) suggesting RDP, not a trap or a 40 GB
  /// allocation.
  @Test(arguments: [
    (["--noise-multiplier", "1e-50", "--sample-rate", "0.5", "--steps", "2", "--delta", "1e-4"], "grid points"),
    (["--noise-multiplier", "1e-3", "--sample-rate", "0.5", "--steps", "2", "--delta", "1e-4"], "grid points"),
    (["--noise-multiplier", "1e-50", "--sample-rate", "0.5", "--steps", "2", "--delta", "1e-4", "--accountant", "rdp"],
      "too small for the RDP accountant"),
  ])
  func epsilonWithATinyNoiseMultiplierIsAnError(arguments: [String], expected: String) throws {
    let outcome = try CommandLineTool.run(["epsilon"] + arguments)
    #expect(outcome.status == 65, "status \(outcome.status), stderr: \(outcome.standardError)")
    #expect(outcome.standardError.contains(expected), "stderr: \(outcome.standardError)")
    for crash in ["Fatal error", "Stack dump", "Illegal instruction"] {
      #expect(!outcome.standardError.contains(crash), "stderr: \(outcome.standardError)")
    }
  }
}

extension ExtremeValueTests {
  /// A learning rate within Float's range that still makes training overflow: the run stops at the
  /// first non-finite loss and names the epoch, the step and the learning rate (exit 65), instead of
  /// finishing a NaN model and failing later on its logits.
  @Test func divergingTrainingStopsAndNamesTheSettings() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml",
      BadInputTests.tinyRecipe.replacingOccurrences(of: "    learning_rate: 0.1", with: "    learning_rate: 1e30"))
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: "training diverged: the loss became")
    #expect(outcome.standardError.contains("at epoch 1, step"), "stderr: \(outcome.standardError)")
    #expect(outcome.standardError.contains("training.optimizer.learning_rate"), "stderr: \(outcome.standardError)")
    #expect(!outcome.standardError.contains("logit"), "stderr: \(outcome.standardError)")
  }
}
