import Testing

@testable import TacitRecipe

@Suite struct FeatureSectionTests {
  static let images = minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: fashion_mnist")

  @Test func scatteringDefaultsAndGroupNormAreRead() throws {
    let plain = try #require(parseRecipe(Self.images, overrides: ["data.features={scattering: {}}"]))
    #expect(plain.data.features == FeatureSection(scattering: ScatteringSettings(scales: 2, orientations: 8)))
    #expect(plain.data.features?.channels == 81)
    let coarse = try #require(
      parseRecipe(Self.images, overrides: ["data.features={scattering: {scales: 1, orientations: 8}, group_norm: {groups: 3}}"]))
    #expect(coarse.data.features?.channels == 9)
    #expect(coarse.data.features?.groupNorm == FeatureGroupNorm(groups: 3))
  }

  @Test func resolvedRecipeRoundTrips() throws {
    let recipe = try #require(
      parseRecipe(Self.images, overrides: ["data.features={scattering: {scales: 2, orientations: 8}, group_norm: {groups: 27}}"]))
    #expect(recipe.data.features?.groupNorm == FeatureGroupNorm(groups: 27, epsilon: 1e-5))
    let resolved = recipe.resolvedYAML()
    for line in [
      "  features:", "    scattering:", "      scales: 2", "      orientations: 8", "      groups: 27", "      epsilon: 1.0e-05",
    ] {
      #expect(resolved.contains(line + "\n"), "missing '\(line)' in:\n\(resolved)")
    }
    #expect(parseRecipe(resolved) == recipe)
    let without = try #require(parseRecipe(Self.images)).resolvedYAML()
    #expect(without.contains("  features: null  # off\n"))
    #expect(parseRecipe(without)?.data.features == nil)
  }

  @Test func badFeatureSettingsNameTheirKeyPath() {
    #expect(
      singleError(minimalRecipe, overrides: ["data.features={scattering: {}}"]).hasSuffix(
        "data.features: features need image data (data.source fashion_mnist); the scattering transform works on 2-D images"))
    #expect(
      singleError(Self.images, overrides: ["data.features={group_norm: {groups: 3}}"]).hasSuffix(
        "data.features.scattering: missing required key; for example {scales: 2, orientations: 8}"))
    #expect(
      singleError(Self.images, overrides: ["data.features={scattering: {scales: 5}}"]).hasSuffix(
        "data.features.scattering.scales: must be in [1, 4], got 5"))
    #expect(
      singleError(Self.images, overrides: ["data.features={scattering: {}, group_norm: {groups: 4}}"]).hasSuffix(
        "data.features.group_norm.groups: must divide the 81 scattering channels (scales 2, orientations 8), got 4"))
    #expect(
      singleError(Self.images, overrides: ["data.features={scattering: {scale: 2}}"]).hasSuffix(
        "data.features.scattering.scale: unknown key; did you mean scales?"))
    #expect(
      singleError(Self.images, overrides: ["data.features={scattering: {}, group_norm: {}}"]).hasSuffix(
        "data.features.group_norm.groups: missing required key"))
  }

  @Test func imageTransformsAreRefusedOnFeatures() {
    let scattered = ["data.features={scattering: {}}"]
    #expect(
      singleError(Self.images + "\ntraining: {augmentation: {flip: true}}", overrides: scattered).hasSuffix(
        "training.augmentation: crop_padding, flip and cutout need image data (data.source fashion_mnist without data.features); tabular data and features take only noise_std"
      ))
    #expect(
      singleError(Self.images + "\naudit: {queries: [identity, mirror]}", overrides: scattered).hasSuffix(
        "audit.queries: 'mirror' needs image data (data.source fashion_mnist without data.features); use [identity]"))
    // Without queries set, a scattered recipe's audit queries default to [identity].
    #expect(parseRecipe(Self.images, overrides: scattered)?.audit.queries == [.identity])
  }
}
