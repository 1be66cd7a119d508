import Testing

@testable import TacitRecipe

@Suite struct RecipeRoundTripTests {
  static let recipes = [
    minimalRecipe,
    """
    version: 1
    name: everything.set_1
    seed: 18446744073709551615
    data: {source: fashion_mnist, path: fmnist, train_size: 500, test_size: 100, validation_size: 50, normalize: none, flatten: true}
    model:
      - {type: conv2d, filters: 4, kernel_size: 5, stride: 2, padding: 2, bias: false}
      - {type: group_norm, groups: 2, epsilon: 0.001}
      - {type: tempered_sigmoid, scale: 1.5, inverse_temperature: 0.3, offset: -0.1}
      - {type: avg_pool2d, pool_size: 2, stride: 1}
      - {type: flatten}
      - {type: dropout, rate: 0.1}
      - {type: dense, units: 10}
    training:
      epochs: 3
      batch_size: 64
      optimizer: {type: sgd, learning_rate: 0.05, momentum: 0, nesterov: true}
      schedule: {type: step, warmup_epochs: 1, step_epochs: 2, gamma: 0.5}
      regularization: {l1: 1.0e-6, l2: 0.0005, label_smoothing: 0.1}
      early_stopping: {monitor: validation_accuracy, patience: 2, min_delta: 0.001, restore_best: false}
      evaluate_train: false
    """,
    """
    version: 1
    name: "tab"
    data: {source: csv, path: "dir/with \\"quotes\\" and spaces.csv", label_column: "class\\tname", test_fraction: 0.3}
    model: [{type: dense, units: 2}, {type: tanh}, {type: max_pool2d}]
    training: {optimizer: {type: adamw, learning_rate: 3.0e-4, weight_decay: 0}, schedule: {type: cosine, min_learning_rate: 1.0e-7}}
    """,
    """
    version: 1
    name: syn
    data: {source: synthetic, synthetic: {classes: 5, features: 2, samples: 100, separation: 0.5}, test_fraction: 0.25}
    model: [{type: dense, units: 5}]
    training: {optimizer: {type: adam, beta1: 0.8, beta2: 0.99, epsilon: 1.0e-7}}
    """,
    """
    version: 1
    name: fortunes
    data: {source: text, format: fortune, files: [wisdom, "./my \\"own\\" fortunes"], max_bytes: 256, validation_size: 10}
    model: [{type: dense, units: 2}]
    """,
    """
    version: 1
    name: lines
    data: {source: text, format: lines, files: [a.txt, /data/b.txt], test_fraction: 0.3, train_size: 100, test_size: 20}
    model: [{type: dense, units: 2}]
    """,
    """
    version: 1
    name: jsonl
    data: {source: text, format: jsonl, field: "body\\ttext", files: [a.jsonl], normalize: none, flatten: false}
    model: [{type: dense, units: 2}]
    privacy: {target_epsilon: 8, delta: 1.0e-5}
    """,
  ]

  @Test(arguments: recipes)
  func resolvedYAMLLoadsBackEqual(yaml: String) throws {
    let recipe = try #require(parseRecipe(yaml))
    let resolved = recipe.resolvedYAML()
    // Loaded from another folder: the resolved text must not depend on where it lives.
    let reloaded = try #require(parseRecipe(resolved, baseDirectory: "/elsewhere"))
    #expect(reloaded == recipe, "resolved YAML:\n\(resolved)")
    #expect(reloaded.resolvedYAML() == resolved)
  }

  @Test func resolvedYAMLSpellsOutDefaults() throws {
    let resolved = try #require(parseRecipe(minimalRecipe)).resolvedYAML()
    for line in [
      "seed: 0", "  normalize: standard", "  train_size: null  # all available", "  - {type: dense, units: 3, bias: true}",
      "  epochs: 10", "  batch_size: 256", "    type: sgd", "    learning_rate: 0.1", "    momentum: 0.9",
      "  early_stopping: null  # off", "  evaluate_train: true", "    separation: 3.0",
    ] {
      #expect(resolved.contains(line + "\n"), "missing '\(line)' in:\n\(resolved)")
    }
  }

  @Test func numbersKeepADotAndReadBackExactly() {
    #expect(RecipeEmitter.number(1e-5) == "1.0e-05")
    #expect(RecipeEmitter.number(0.1) == "0.1")
    #expect(RecipeEmitter.number(3) == "3.0")
    for value in [1e-5, 0.1, 1.0 / 3.0, 6.02e23, -2.5e-300] {
      #expect(Double(RecipeEmitter.number(value)) == value)
    }
  }
}
