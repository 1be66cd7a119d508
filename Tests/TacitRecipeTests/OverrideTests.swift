import Testing

@testable import TacitRecipe

@Suite struct OverrideTests {
  @Test func overridesReplaceAndAddValues() throws {
    let recipe = try #require(
      parseRecipe(
        minimalRecipe + "\n  - {type: relu}\n  - {type: dense, units: 2}\ntraining: {epochs: 5}",
        overrides: [
          "training.epochs=2", "data.train_size=500", "model[2].units=64", "training.optimizer={type: adam, learning_rate: 0.01}",
          "data.synthetic.separation=1.5", "name=renamed", "training.early_stopping=null", "data.test_size = 7",
        ]))
    #expect(recipe.training.epochs == 2)
    #expect(recipe.data.trainSize == 500)
    #expect(recipe.data.testSize == 7)
    #expect(recipe.model == [.dense(units: 3, bias: true), .relu, .dense(units: 64, bias: true)])
    #expect(recipe.training.optimizer == .adam(.init(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)))
    #expect(
      recipe.data.source
        == .synthetic(SyntheticSource(classes: 3, features: 8, samples: 2000, separation: 1.5, testFraction: 0.2)))
    #expect(recipe.name == "renamed")
    #expect(recipe.training.earlyStopping == nil)
  }

  @Test func laterOverridesWin() throws {
    let recipe = try #require(parseRecipe(minimalRecipe, overrides: ["seed=1", "seed=2"]))
    #expect(recipe.seed == 2)
  }

  @Test func badPathsAreNamed() {
    #expect(
      singleError(minimalRecipe, overrides: ["model[5].units=3"])
        == "override 'model[5].units=3': model[5]: index out of range; model has 1 items, numbered from 0 (cannot set model[5].units)"
    )
    #expect(
      singleError(minimalRecipe, overrides: ["model.0.units=3"])
        == "override 'model.0.units=3': model: is a list; write model[0] for its items (cannot set model.0.units)")
    #expect(
      singleError(minimalRecipe, overrides: ["name.first=3"])
        == "override 'name.first=3': name: is tiny, not a mapping, so it has no key 'first' (cannot set name.first)")
    #expect(
      singleError(minimalRecipe, overrides: ["training..epochs=3"])
        == "override 'training..epochs=3': training..epochs: bad key path; write keys joined by '.' and list items as [index], such as model[2].units"
    )
    #expect(
      singleError(minimalRecipe, overrides: ["epochs"]) == "override 'epochs': expected key.path=value, such as training.epochs=2"
    )
  }

  @Test func overriddenValuesAreCheckedLikeFileValues() {
    #expect(
      singleError(minimalRecipe, overrides: ["training.epoch=2"])
        == "override 'training.epoch=2': training.epoch: unknown key; did you mean epochs?")
    #expect(
      singleError(minimalRecipe + "\ntraining: {epochs: 3}", overrides: ["training.epochs=0"])
        == "override 'training.epochs=0': training.epochs: must be >= 1, got 0")
    #expect(
      singleError(minimalRecipe, overrides: ["data.train_size=lots"])
        == "override 'data.train_size=lots': data.train_size: expected an integer, got lots")
    #expect(
      singleError(minimalRecipe, overrides: ["training.optimizer={type: adam, momentum: 0.5}"])
        == "override 'training.optimizer={type: adam, momentum: 0.5}': training.optimizer.momentum: not valid for optimizer type adam (only sgd)"
    )
  }

  @Test func badValuesAreReported() {
    let description = singleError(minimalRecipe, overrides: ["training.epochs=[1"])
    #expect(description.hasPrefix("override 'training.epochs=[1': training.epochs: bad value: YAML syntax error: "))
  }

  /// An empty value is an error naming the override (it would read as null, the default);
  /// `null` asks for the default and `""` is an empty string.
  @Test func emptyValuesAreRefused() throws {
    for override in ["training.epochs=", "training.epochs=  ", "name="] {
      let path = String(override.prefix { $0 != "=" })
      #expect(
        singleError(minimalRecipe, overrides: [override])
          == "override '\(override)': \(path): empty value; write a value after '=', or \(path)=null for the default, \(path)=\"\" for an empty string"
      )
    }
    let defaulted = try #require(parseRecipe(minimalRecipe + "\ntraining: {epochs: 7}", overrides: ["training.epochs=null"]))
    let plain = try #require(parseRecipe(minimalRecipe))
    #expect(defaulted.training.epochs == plain.training.epochs)
  }

  @Test func overrideAndFileErrorsAreReportedTogether() {
    let errors = recipeErrors(minimalRecipe + "\ntraining: {epochs: 0}", overrides: ["seed=x", "model[3].units=1"])
    #expect(errors.map(\.keyPath) == ["training.epochs", "model[3]", "seed"])
    #expect(errors.map(\.file) == ["test.yaml", "override 'model[3].units=1'", "override 'seed=x'"])
  }
}
