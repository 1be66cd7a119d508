import Foundation
import Testing

/// Issue 12 item 2: each crash, hang or unclear failure that `FuzzTests` (or its preparation)
/// found, pinned: the value that used to abort, trap or run for minutes, and the clean failure
/// (exit 65, one message naming the key or option) it gives now.
@Suite(.serialized) struct FuzzRegressionTests {
  /// Values `tacit validate` accepted whose model or data did not fit in memory: the process
  /// aborted allocating 16–32 GB ("failed to allocate"), or trapped on `Int` overflow.
  @Test(arguments: [
    ("model[0].units=1000000000", "model[0] (dense): the model would have more than 268435456 parameters"),
    ("model[0].units=9223372036854775807", "model[0] (dense): the model would have more than 268435456 parameters"),
    ("model[2].units=100000000", "model[2] (dense): the model would have more than 268435456 parameters"),
    ("data.synthetic.features=1000000000", "data.synthetic.samples: 120 samples of 1000000000 features are more values"),
    ("data.synthetic.features=9223372036854775807", "samples of 9223372036854775807 features are more values"),
    ("data.synthetic.samples=100000000000", "data.synthetic.samples: 100000000000 samples of 4 features are more values"),
    ("data.synthetic.classes=1000", "data.synthetic.classes: must be at most data.synthetic.samples (120), got 1000"),
    ("audit.bootstrap=1000000000", "audit.bootstrap: must be in [0, 100000], got 1000000000"),
    ("audit.reference_models=1000000000", "audit.reference_models: must be in [0, 1024], got 1000000000"),
  ])
  func oversizedValueIsRefused(override: String, expected: String) throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", BadInputTests.tinyRecipe)
    let validation = try CommandLineTool.run(["validate", recipe, "--set", override])
    #expect(validation.status == 65, "status \(validation.status), stderr: \(validation.standardError)")
    #expect(validation.standardError.contains(expected), "stderr: \(validation.standardError)")
    let outcome = try space.run(recipe, "--set", override)
    try space.expectCleanFailure(outcome, status: 65, message: expected)
  }

  /// A model whose layer output alone is too large per example (a 1×1 convolution keeps the
  /// parameters small): refused naming the layer.
  @Test func oversizedLayerOutputIsRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", BadInputTests.fashionRecipe)
    let outcome = try CommandLineTool.run([
      "validate", recipe, "--set",
      "model=[{type: conv2d, filters: 30000, kernel_size: 1}, {type: flatten}, {type: dense, units: 10}]",
    ])
    #expect(outcome.status == 65, "status \(outcome.status), stderr: \(outcome.standardError)")
    #expect(
      outcome.standardError.contains("model[0] (conv2d): produces shape [28, 28, 30000] per example, more than 16777216 values"),
      "stderr: \(outcome.standardError)")
  }

  /// `tacit audit scores --bootstrap 1000000000` aborted allocating the replicates: a usage
  /// error now.
  @Test func scoreAuditBootstrapBeyondTheLimitIsAUsageError() throws {
    let space = try Workspace()
    defer { space.remove() }
    let scores = try space.write("scores.csv", "score,member\n0.9,1\n0.1,0\n0.8,1\n0.2,0\n")
    let outcome = try CommandLineTool.run(["audit", "scores", scores, "--bootstrap", "1000000000"])
    #expect(outcome.status == 64, "status \(outcome.status), stderr: \(outcome.standardError)")
    #expect(outcome.standardError.contains("--bootstrap must be at most 100000, got 1000000000"))
  }

  /// 10⁷ gradient canaries for a 67-parameter model: the audit's ceiling was computed for all of
  /// them first (O(count): 6 s here, 10 minutes for 10⁹) before the run refused the count.
  @Test func impossibleCanaryCountIsRefusedAtOnce() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml", BadInputTests.tinyRecipe + "privacy: {noise_multiplier: 1}\naudit: {canaries: {count: 1000000000}}\n")
    let start = Date()
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(
      outcome, status: 65,
      message: "audit.canaries.count: 1000000000 gradient canaries need as many parameter coordinates; the model has 67")
    #expect(Date().timeIntervalSince(start) < 30, "took \(Date().timeIntervalSince(start)) s")
  }

  /// A noise multiplier the recipe's accountant cannot analyse (RDP below σ ≈ 4.6e-3) trained
  /// first and then failed with exit 1, an internal error: now exit 65 before training.
  @Test func noiseMultiplierTheAccountantCannotAnalyseIsRefusedBeforeTraining() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml", BadInputTests.tinyRecipe + "privacy: {noise_multiplier: 1.0e-30, accountant: rdp}\n")
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(
      outcome, status: 65, message: "privacy.accountant: the rdp accountant cannot analyse this run's mechanism (σ = 1e-30")
    #expect(!outcome.standardError.contains("epoch   1"), "refused before training: \(outcome.standardError)")
  }
}
