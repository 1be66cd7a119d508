import Testing

@testable import TacitRecipe

/// `data.features.private_norm`: reading, defaults, the round trip and the errors.
@Suite struct FeaturePrivateNormTests {
  static let images = minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: fashion_mnist")
  static let privateImages = images + "\nprivacy: {noise_multiplier: 1.0}"
  static let settings = "data.features={scattering: {}, private_norm: {noise_multiplier: 8, mean_clip: 0.6, square_clip: 0.15}}"

  @Test func settingsAreReadWithTheFloorDefault() throws {
    let recipe = try #require(parseRecipe(Self.privateImages, overrides: [Self.settings]))
    #expect(recipe.data.features?.privateNorm == FeaturePrivateNorm(noiseMultiplier: 8, meanClip: 0.6, squareClip: 0.15))
    #expect(recipe.data.features?.privateNorm?.varianceFloor == 1e-5)
    #expect(parseRecipe(Self.privateImages, overrides: ["data.features={scattering: {}}"])?.data.features?.privateNorm == nil)
  }

  @Test func resolvedRecipeRoundTrips() throws {
    let recipe = try #require(
      parseRecipe(
        Self.privateImages,
        overrides: [
          "data.features={scattering: {}, private_norm: {noise_multiplier: 6, mean_clip: 1, square_clip: 0.5, variance_floor: 0.001}}"
        ]))
    let resolved = recipe.resolvedYAML()
    for line in [
      "    private_norm:", "      noise_multiplier: 6.0", "      mean_clip: 1.0", "      square_clip: 0.5",
      "      variance_floor: 0.001",
    ] {
      #expect(resolved.contains(line + "\n"), "missing '\(line)' in:\n\(resolved)")
    }
    #expect(parseRecipe(resolved) == recipe)
    let without = try #require(parseRecipe(Self.privateImages, overrides: ["data.features={scattering: {}}"])).resolvedYAML()
    #expect(without.contains("    private_norm: null  # off\n"))
  }

  @Test func badSettingsNameTheirKeyPath() {
    #expect(
      singleError(Self.images, overrides: [Self.settings]).hasSuffix(
        "data.features.private_norm: needs a privacy section: its statistics are released under differential privacy, "
          + "composed with DP-SGD's; a non-private run has no ε to spend (use group_norm, which spends none)"))
    #expect(
      singleError(
        Self.privateImages,
        overrides: [
          "data.features={scattering: {}, group_norm: {groups: 27}, private_norm: {noise_multiplier: 8, mean_clip: 1, square_clip: 1}}"
        ]
      ).hasSuffix(
        "data.features.private_norm: cannot be combined with group_norm: both standardise the features (Tramèr & Boneh use one or the other); remove one"
      ))
    #expect(
      singleError(
        Self.privateImages,
        overrides: ["data.features={scattering: {}, private_norm: {noise_multiplier: 0, mean_clip: 1, square_clip: 1}}"]
      ).hasSuffix("data.features.private_norm.noise_multiplier: must be > 0, got 0"))
    #expect(
      singleError(
        Self.privateImages, overrides: ["data.features={scattering: {}, private_norm: {noise_multiplier: 8, mean_clip: 1}}"]
      ).hasSuffix("data.features.private_norm.square_clip: missing required key"))
    #expect(
      singleError(
        Self.privateImages,
        overrides: ["data.features={scattering: {}, private_norm: {noise_multiplier: 8, mean_clip: 1, square_clip: 1, clip: 2}}"]
      ).contains("data.features.private_norm.clip: unknown key"))
    #expect(
      singleError(
        Self.privateImages + "\ndistillation: {teacher_run: /runs/teacher, transfer: private}", overrides: [Self.settings]
      ).hasSuffix(
        "data.features.private_norm: is not supported with distillation yet (teacher and student would each need their own release); remove it"
      ))
  }
}
