import Testing

@testable import TacitRecipe

/// `model: {type: gpt2, …}` and `model: {from: PATH}`: the language-model entries, their
/// defaults, the one-entry mapping form, the round trip and the errors.
@Suite struct LanguageModelSpecTests {
  static let header = """
    version: 1
    name: lm
    data:
      source: synthetic

    """

  @Test func readsTheMappingFormWithDefaults() throws {
    let recipe = try #require(parseRecipe(Self.header + "model: {type: gpt2}"))
    #expect(recipe.model == [.gpt2(LanguageModelSpec())])
    #expect(LanguageModelSpec() == LanguageModelSpec(width: 128, layers: 4, heads: 4, context: 128, tieEmbeddings: true))
  }

  @Test func readsEveryOptionInTheListForm() throws {
    let recipe = try #require(
      parseRecipe(
        Self.header
          + "model:\n  - {type: gpt2, width: 64, layers: 2, heads: 8, context: 96, tie_embeddings: false, layer_norm_epsilon: 1e-6}"
      ))
    #expect(
      recipe.model == [
        .gpt2(
          LanguageModelSpec(width: 64, layers: 2, heads: 8, context: 96, tieEmbeddings: false, layerNormEpsilon: 1e-6))
      ])
  }

  @Test func readsAPretrainedFolderRelativeToTheRecipe() throws {
    let recipe = try #require(parseRecipe(Self.header + "model: {from: ../runs/public/hf}", baseDirectory: "/work/recipes"))
    #expect(recipe.model == [.pretrained(from: RecipeFilePath("/work/runs/public/hf", relativeTo: "/"))])
    let typed = try #require(parseRecipe(Self.header + "model: {type: pretrained, from: /models/gpt2}"))
    #expect(typed.model == [.pretrained(from: RecipeFilePath("/models/gpt2", relativeTo: "/"))])
  }

  @Test func roundTripsThroughTheResolvedRecipe() throws {
    for model in ["model: {type: gpt2, width: 32, heads: 2, tie_embeddings: false}", "model: {from: /models/gpt2}"] {
      let recipe = try #require(parseRecipe(Self.header + model))
      #expect(parseRecipe(recipe.resolvedYAML()) == recipe)
    }
  }

  @Test func errorsNameTheKey() {
    #expect(
      singleError(Self.header + "model: {type: gpt2, width: 30, heads: 4}")
        .contains("model.width: width 30 must be a multiple of heads (4)"))
    #expect(singleError(Self.header + "model: {type: gpt2, context: 1}").contains("model.context"))
    #expect(singleError(Self.header + "model: {type: gpt2, widht: 64}").contains("did you mean width"))
    #expect(singleError(Self.header + "model: {type: pretrained}").contains("model.from: missing required key"))
    #expect(
      singleError(Self.header + "model:\n  - {type: gpt2}\n  - {type: dense, units: 3}")
        .contains("model[0]: a gpt2 language model is a whole model: it must be the only entry of model"))
    #expect(
      singleError(Self.header + "model: {type: dense, units: 3}")
        .contains("a single-mapping model must be a language model"))
  }
}
