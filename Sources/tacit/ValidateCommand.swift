import ArgumentParser
import TacitPipeline

/// `tacit validate RECIPE`: check a recipe (and the model it builds) without training.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate", abstract: "Check a recipe and print it with every default filled in.")

  @Argument(help: "The recipe file (YAML).")
  var recipe: String

  @Option(name: .customLong("set"), help: "Override a recipe value (repeatable).")
  var overrides: [String] = []

  func run() throws {
    let report = try reportingErrors { try RunPipeline.validate(recipePath: recipe, overrides: overrides) }
    print(report)
  }
}
