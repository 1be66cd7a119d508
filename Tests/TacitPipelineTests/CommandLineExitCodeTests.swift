import Foundation
import Testing

/// The documented exit codes of `tacit` (see `Tacit.swift`): 0 success, 1 run failed, 64 bad
/// command-line usage, 65 invalid input; each failure explained once on standard error.
@Suite struct CommandLineExitCodeTests {
  static let recipe = "Recipes/quickstart.yaml"

  @Test(arguments: [
    (["run"], "Missing expected argument '<recipe>'"),
    (["run", recipe, "--no-such-flag"], "Unknown option '--no-such-flag'"),
    (["run", recipe, "--threads", "0"], "--threads must be at least 1, got 0"),
    (["run", recipe, "--threads", "two"], "The value 'two' is invalid for '--threads"),
    (["validate"], "Missing expected argument '<recipe>'"),
    (["frobnicate"], "frobnicate"),
    (
      ["epsilon", "--noise-multiplier", "1", "--sample-rate", "0.1", "--steps", "10", "--delta", "1e-5", "--accountant", "RDP"],
      "The value 'RDP' is invalid for '--accountant <accountant>'. Please provide one of 'pld', 'rdp', 'gdp' or 'all'."
    ),
    (
      ["calibrate", "--epsilon", "1", "--sample-rate", "0.1", "--steps", "10", "--delta", "1e-5", "--accountant", "every"],
      "The value 'every' is invalid for '--accountant <accountant>'. Please provide one of 'pld', 'rdp', 'gdp' or 'all'."
    ),
    (
      ["calibrate", "--epsilon", "0", "--sample-rate", "0.1", "--steps", "10", "--delta", "1e-5"],
      "--epsilon must be a positive number, got 0.0"
    ),
    (
      ["calibrate", "--epsilon", "1", "--sample-rate", "0", "--steps", "10", "--delta", "1e-5"],
      "--sample-rate must be in (0, 1], got 0.0"
    ),
    (["calibrate", "--epsilon", "1", "--sample-rate", "0.1", "--steps", "10"], "Missing expected argument '--delta <delta>'"),
    // Negative numbers after a numeric flag are its value, not a flag: they reach validation.
    (
      ["epsilon", "--noise-multiplier", "1", "--sample-rate", "-0.1", "--steps", "10", "--delta", "1e-5"],
      "--sample-rate must be in (0, 1], got -0.1"
    ),
    (
      ["epsilon", "--noise-multiplier", "-1", "--sample-rate", "0.1", "--steps", "10", "--delta", "1e-5"],
      "--noise-multiplier must be a positive number, got -1.0"
    ),
    (
      ["epsilon", "--noise-multiplier", "1", "--sample-rate", "0.1", "--steps", "-3", "--delta", "1e-5"],
      "--steps must be at least 1, got -3"
    ),
    (
      ["calibrate", "--epsilon", "-2", "--sample-rate", "0.1", "--steps", "10", "--delta", "1e-5"],
      "--epsilon must be a positive number, got -2.0"
    ),
    (
      ["calibrate", "--epsilon", "1", "--sample-rate", "0.1", "--steps", "10", "--delta", "-1e-5"],
      "--delta must be in (0, 1), got -1e-05"
    ),
    (["audit", "canaries", "x.csv", "--delta", "-0.1"], "--delta must be in [0, 1), got -0.1"),
    (["audit", "scores", "x.csv", "--confidence", "-0.5"], "--confidence must be in (0, 1), got -0.5"),
    (["audit", "canaries", "x.csv", "--delta", "0", "--claimed-epsilon", "-1"], "--claimed-epsilon must be a non-negative"),
    (["shadow", "r.yaml", "--output", "o", "--shard-count", "-2"], "--shard-count must be at least 1, got -2"),
  ])
  func usageErrorsExit64(arguments: [String], message: String) throws {
    let outcome = try CommandLineTool.run(arguments)
    #expect(outcome.status == 64, "\(arguments): status \(outcome.status), stderr: \(outcome.standardError)")
    #expect(occurrences(of: message, in: outcome.standardError) == 1, "\(arguments): \(outcome.standardError)")
    #expect(outcome.standardOutput.isEmpty, "\(arguments): \(outcome.standardOutput)")
  }

  @Test func helpExits0AndDocumentsTheExitCodes() throws {
    let outcome = try CommandLineTool.run(["--help"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    #expect(outcome.standardOutput.contains("Exit codes: 0 success"))
    for command in ["run", "validate", "bench"] { #expect(outcome.standardOutput.contains(command)) }
    let runHelp = try CommandLineTool.run(["run", "--help"])
    #expect(runHelp.status == 0)
    #expect(runHelp.standardOutput.contains("--threads"))
  }

  /// The typed choices list their values in the help, each with its meaning.
  @Test(arguments: [
    (["epsilon", "--help"], ["(default: pld)", "pld               - privacy loss", "all               - each of the three"]),
    (["calibrate", "--help"], ["--sample-rate", "--steps", "--delta", "--json", "rdp               - Rényi DP"]),
    (["audit", "scores", "--help"], ["held-out          - pick the threshold", "corrected         - try every one"]),
  ])
  func helpListsTheChoices(arguments: [String], expected: [String]) throws {
    let outcome = try CommandLineTool.run(arguments)
    #expect(outcome.status == 0, "\(arguments): \(outcome.standardError)")
    for text in expected {
      #expect(outcome.standardOutput.contains(text), "\(arguments): no '\(text)' in \(outcome.standardOutput)")
    }
  }

  @Test func validatePrintsTheResolvedRecipe() throws {
    let outcome = try CommandLineTool.run(["validate", Self.recipe, "--set", "training.epochs=3"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let output = outcome.standardOutput
    #expect(output.hasPrefix("\(Self.recipe): valid recipe"))
    // Defaults the file leaves out are filled in, and the override is applied.
    #expect(output.contains("normalize: unit_range"), "\(output)")
    #expect(output.contains("path: \"/usr/share/datasets/fashion-mnist\""), "\(output)")
    #expect(output.contains("epochs: 3"), "\(output)")
    #expect(outcome.standardError.isEmpty, "\(outcome.standardError)")
  }

  @Test func validateRejectsBadRecipesWith65() throws {
    let missing = "Recipes/no-such-recipe.yaml"
    let outcome = try CommandLineTool.run(["validate", missing])
    #expect(outcome.status == 65)
    #expect(occurrences(of: "\(missing): no such recipe file", in: outcome.standardError) == 1, "\(outcome.standardError)")
    #expect(outcome.standardOutput.isEmpty)

    let folder = try CommandLineTool.run(["validate", "Recipes"])
    #expect(folder.status == 65)
    #expect(occurrences(of: "Recipes: cannot read the recipe file", in: folder.standardError) == 1, "\(folder.standardError)")

    let override = try CommandLineTool.run(["validate", Self.recipe, "--set", "training.optimzer.type=adam"])
    #expect(override.status == 65)
    #expect(
      override.standardError.contains("training.optimzer: unknown key; did you mean optimizer?"), "\(override.standardError)")
  }
}
