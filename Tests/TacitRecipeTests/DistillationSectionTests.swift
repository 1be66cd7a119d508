import Testing

@testable import TacitRecipe

/// `distillation`: the teacher's source, the transfer set, T and α, and their errors.
@Suite struct DistillationSectionTests {
  @Test func readsEveryKeyAndResolvesTheTeacherPath() throws {
    let recipe = try #require(
      parseRecipe(
        minimalRecipe
          + "\ndistillation: {teacher_recipe: teachers/big.yaml, transfer: public, public_size: 500, temperature: 2, soft_weight: 1}"
      ))
    let section = try #require(recipe.distillation)
    #expect(section.teacher == .recipe(RecipeFilePath("/recipes/teachers/big.yaml", relativeTo: "/")))
    #expect(section.transfer == .public && section.publicSize == 500)
    #expect(section.temperature == 2 && section.softWeight == 1)
  }

  @Test func defaultsAndTeacherRun() throws {
    let recipe = try #require(
      parseRecipe(minimalRecipe + "\ndistillation: {teacher_run: /runs/teacher, transfer: private}"))
    let section = try #require(recipe.distillation)
    #expect(section.teacher == .run(RecipeFilePath("/runs/teacher", relativeTo: "/")))
    #expect(section.transfer == .private && section.publicSize == nil)
    #expect(section.temperature == 4 && section.softWeight == 0.9)
    #expect(parseRecipe(minimalRecipe)?.distillation == nil)
  }

  @Test func roundTripsThroughTheResolvedRecipe() throws {
    let recipe = try #require(
      parseRecipe(
        minimalRecipe + "\ndistillation: {teacher_recipe: t.yaml, transfer: public, public_size: 7, soft_weight: 0.25}"))
    let again = try #require(parseRecipe(recipe.resolvedYAML()))
    #expect(again == recipe)
  }

  @Test func errorsNameTheKey() {
    #expect(
      singleError(minimalRecipe + "\ndistillation: {transfer: private}")
        .contains("distillation.teacher_recipe: missing required key"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml, teacher_run: b, transfer: private}")
        .contains("distillation.teacher_run: give teacher_recipe or teacher_run, not both"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml}").contains("distillation.transfer: missing"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml, transfer: public}")
        .contains("distillation.public_size: missing required key"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml, transfer: private, public_size: 3}")
        .contains("distillation.public_size: only valid with transfer: public"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml, transfer: shared}")
        .contains("distillation.transfer"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml, transfer: private, temperature: 0}")
        .contains("distillation.temperature"))
    #expect(
      singleError(minimalRecipe + "\ndistillation: {teacher_recipe: a.yaml, transfer: private, soft_weight: 1.5}")
        .contains("distillation.soft_weight"))
    #expect(
      singleError(
        minimalRecipe
          + "\nprivacy: {noise_multiplier: 1}\naudit: {canaries: {count: 10, kind: gradient}}"
          + "\ndistillation: {teacher_recipe: a.yaml, transfer: private}"
      ).contains("audit.canaries.kind: gradient canaries are not supported with distillation"))
  }
}
