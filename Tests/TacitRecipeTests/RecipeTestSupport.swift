import Testing

@testable import TacitRecipe

/// The smallest valid recipe; tests append or override to it.
let minimalRecipe = """
  version: 1
  name: tiny
  data:
    source: synthetic
  model:
    - type: dense
      units: 3
  """

/// Parses `yaml`, failing the test on any error.
func parseRecipe(
  _ yaml: String, overrides: [String] = [], baseDirectory: String = "/recipes", sourceLocation: SourceLocation = #_sourceLocation
) -> Recipe? {
  do {
    return try Recipe.parse(yaml: yaml, fileName: "test.yaml", overrides: overrides, baseDirectory: baseDirectory)
  } catch {
    Issue.record("unexpected recipe errors:\n\(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// The errors `yaml` produces; records an issue when it parses.
func recipeErrors(
  _ yaml: String, overrides: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) -> [RecipeError] {
  do {
    let recipe = try Recipe.parse(yaml: yaml, fileName: "test.yaml", overrides: overrides, baseDirectory: "/recipes")
    Issue.record("expected errors, but the recipe parsed: \(recipe)", sourceLocation: sourceLocation)
    return []
  } catch {
    return error.errors
  }
}

/// The one error `yaml` produces, as its description; records an issue unless there is exactly one.
func singleError(
  _ yaml: String, overrides: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) -> String {
  let errors = recipeErrors(yaml, overrides: overrides, sourceLocation: sourceLocation)
  #expect(
    errors.count == 1, "expected one error, got:\n\(errors.map(\.description).joined(separator: "\n"))",
    sourceLocation: sourceLocation)
  return errors.first?.description ?? ""
}
