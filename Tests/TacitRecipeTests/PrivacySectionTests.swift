import Testing

@testable import TacitRecipe

@Suite struct PrivacySectionTests {
  @Test func defaultsAreFilledIn() throws {
    let recipe = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3}"))
    #expect(
      recipe.privacy
        == PrivacySection(
          budget: .targetEpsilon(3), delta: nil, maxGradNorm: 1, clipping: .flat, accountant: .pld, noise: .secure))
    // Under privacy, synthetic and CSV data default to no normalisation (it would be fitted on
    // the private records).
    #expect(recipe.data.normalize == .none)
  }

  @Test func everySettingIsRead() throws {
    let yaml =
      minimalRecipe + """

        privacy:
          noise_multiplier: 1.1
          delta: 1.0e-6
          max_grad_norm: 0.1
          clipping: per_layer
          accountant: rdp
          noise: seeded
        """
    let recipe = try #require(parseRecipe(yaml))
    #expect(
      recipe.privacy
        == PrivacySection(
          budget: .noiseMultiplier(1.1), delta: 1e-6, maxGradNorm: 0.1, clipping: .perLayer, accountant: .rdp, noise: .seeded))
  }

  @Test func exactlyOneBudget() {
    #expect(
      singleError(minimalRecipe + "\nprivacy: {target_epsilon: 3, noise_multiplier: 1}")
        == "test.yaml:8:48: privacy.noise_multiplier: give either privacy.target_epsilon or privacy.noise_multiplier, not both")
    #expect(singleError(minimalRecipe + "\nprivacy: {delta: 1.0e-5}").contains("privacy.target_epsilon: missing required key"))
  }

  @Test func valuesAreChecked() {
    #expect(singleError(minimalRecipe + "\nprivacy: {target_epsilon: 0}").hasSuffix("privacy.target_epsilon: must be > 0, got 0"))
    #expect(
      singleError(minimalRecipe + "\nprivacy: {target_epsilon: 1, delta: 1.5}").contains("privacy.delta: must be in (0, 1)"))
    #expect(singleError(minimalRecipe + "\nprivacy: {noise_multiplier: -1}").contains("privacy.noise_multiplier: must be > 0"))
    #expect(singleError(minimalRecipe + "\nprivacy: {target_epsilon: 1, max_grad_norm: 0}").contains("privacy.max_grad_norm"))
    #expect(
      singleError(minimalRecipe + "\nprivacy: {target_epsilon: 1, accountant: prv}")
        .contains("privacy.accountant: unknown value 'prv'"))
    #expect(
      singleError(minimalRecipe + "\nprivacy: {target_epsilon: 1, noise_multipler: 2}")
        .contains("privacy.noise_multipler: unknown key; did you mean noise_multiplier?"))
  }

  @Test func normalisationFittedOnPrivateRecordsIsRefused() {
    let standard = minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: synthetic\n  normalize: standard")
    #expect(
      singleError(standard + "\nprivacy: {target_epsilon: 1}")
        .contains("data.normalize: standard fits its statistics on the private training records, which DP-SGD's ε does not cover")
    )
    let unitRange = minimalRecipe.replacingOccurrences(
      of: "source: synthetic", with: "source: synthetic\n  normalize: unit_range")
    #expect(singleError(unitRange + "\nprivacy: {target_epsilon: 1}").contains("data.normalize: unit_range fits its statistics"))
    // Without privacy both are fine.
    #expect(parseRecipe(standard) != nil)
  }

  @Test func unresolvedRecipeRoundTrips() throws {
    let recipe = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 2.5, clipping: per_layer}"))
    let again = try #require(parseRecipe(recipe.resolvedYAML()))
    #expect(again == recipe)
  }

  @Test func resolvedRecipeRecordsTheNoiseActuallyUsed() throws {
    var recipe = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3}"))
    recipe.privacy?.resolved = .init(noiseMultiplier: 1.25, delta: 1e-5, sampleRate: 0.004, steps: 7500, recordCount: 64_000)
    let yaml = recipe.resolvedYAML()
    #expect(yaml.contains("noise_multiplier: 1.25  # calibrated (pld) for target_epsilon 3.0"))
    #expect(yaml.contains("delta: 1e-05  # default: largest power of ten below 1/N") || yaml.contains("delta: 1.0e-05"))
    #expect(yaml.contains("steps T = 7500"))
    let again = try #require(parseRecipe(yaml))
    #expect(again.privacy?.budget == .noiseMultiplier(1.25))
    #expect(again.privacy?.delta == 1e-5)
  }

  @Test(arguments: [(60_000, 1e-5), (100_000, 1e-6), (1_000, 1e-4), (50_000, 1e-5), (10, 0.01), (1, 0.1)])
  func defaultDeltaIsTheLargestPowerOfTenBelowOneOverN(records: Int, expected: Double) {
    let delta = PrivacySection.defaultDelta(recordCount: records)
    #expect(abs(delta / expected - 1) < 1e-12, "N = \(records): δ = \(delta)")
    #expect(delta < 1 / Double(records))
  }
}

@Suite struct AdaptiveClippingRecipeTests {
  @Test func anyMappingTurnsItOnWithTheDefaults() throws {
    let off = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3}"))
    #expect(off.privacy?.adaptiveClipping == nil)
    let null = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3, adaptive_clipping: null}"))
    #expect(null.privacy?.adaptiveClipping == nil)
    let on = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3, adaptive_clipping: {}}"))
    #expect(
      on.privacy?.adaptiveClipping == PrivacySection.AdaptiveClipping(targetQuantile: 0.5, learningRate: 0.2, countNoise: nil))
  }

  @Test func everySettingIsRead() throws {
    let yaml =
      minimalRecipe + """

        privacy:
          noise_multiplier: 1.1
          max_grad_norm: 0.1
          adaptive_clipping:
            target_quantile: 0.7
            learning_rate: 0.05
            count_noise: 4
        """
    let recipe = try #require(parseRecipe(yaml))
    #expect(
      recipe.privacy
        == PrivacySection(
          budget: .noiseMultiplier(1.1), delta: nil, maxGradNorm: 0.1, clipping: .flat, accountant: .pld, noise: .secure,
          adaptiveClipping: .init(targetQuantile: 0.7, learningRate: 0.05, countNoise: 4)))
    // Overrides reach the nested keys.
    let overridden = try #require(
      parseRecipe(
        yaml, overrides: ["privacy.adaptive_clipping.target_quantile=0.5", "privacy.adaptive_clipping.count_noise=null"]))
    #expect(overridden.privacy?.adaptiveClipping == .init(targetQuantile: 0.5, learningRate: 0.05, countNoise: nil))
  }

  @Test func valuesAreCheckedWithTheirKeyPaths() {
    let base = minimalRecipe + "\nprivacy: {target_epsilon: 1, adaptive_clipping: "
    #expect(
      singleError(base + "{target_quantile: 1}}")
        .hasSuffix("privacy.adaptive_clipping.target_quantile: must be in (0, 1), got 1"))
    #expect(
      singleError(base + "{target_quantile: 0}}").contains("privacy.adaptive_clipping.target_quantile: must be in (0, 1)"))
    #expect(singleError(base + "{learning_rate: 0}}").contains("privacy.adaptive_clipping.learning_rate: must be > 0, got 0"))
    #expect(singleError(base + "{count_noise: -2}}").contains("privacy.adaptive_clipping.count_noise: must be > 0, got -2"))
    #expect(
      singleError(base + "{target_quantil: 0.5}}")
        .contains("privacy.adaptive_clipping.target_quantil: unknown key; did you mean target_quantile?"))
    #expect(singleError(base + "true}").contains("privacy.adaptive_clipping: expected a mapping"))
    #expect(
      singleError(minimalRecipe + "\nprivacy: {target_epsilon: 1, adaptiv_clipping: {}}")
        .contains("privacy.adaptiv_clipping: unknown key; did you mean adaptive_clipping?"))
  }

  @Test func perLayerClippingIsRefused() {
    let error = singleError(minimalRecipe + "\nprivacy: {target_epsilon: 1, clipping: per_layer, adaptive_clipping: {}}")
    #expect(
      error.contains(
        "privacy.adaptive_clipping: adaptive clipping tracks one norm over all parameters and needs clipping: flat, not per_layer"
      ), "\(error)")
  }

  @Test func unresolvedRecipeRoundTrips() throws {
    for text in ["{}", "{target_quantile: 0.8, learning_rate: 0.1, count_noise: 2.5}"] {
      let recipe = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 2.5, adaptive_clipping: \(text)}"))
      let yaml = recipe.resolvedYAML()
      #expect(yaml.contains("  adaptive_clipping:\n    target_quantile: "), "\(yaml)")
      let again = try #require(parseRecipe(yaml))
      #expect(again == recipe)
    }
  }

  /// The resolved recipe shows the count noise used (the default E/20 filled in) and z_Δ, and
  /// reads back to the same mechanism.
  @Test func resolvedRecipeRecordsTheCountNoiseUsed() throws {
    var recipe = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3, adaptive_clipping: {}}"))
    recipe.privacy?.resolved = .init(
      noiseMultiplier: 1.25, delta: 1e-5, sampleRate: 0.004, steps: 7500, recordCount: 64_000, countNoise: 12.8,
      gradientNoiseMultiplier: 1.25151)
    let yaml = recipe.resolvedYAML()
    #expect(yaml.contains("    count_noise: 12.8  # default: expected batch size / 20"), "\(yaml)")
    #expect(yaml.contains("z_Δ = 1.25151"))
    let again = try #require(parseRecipe(yaml))
    #expect(again.privacy?.adaptiveClipping == .init(targetQuantile: 0.5, learningRate: 0.2, countNoise: 12.8))
    #expect(again.privacy?.budget == .noiseMultiplier(1.25))
  }
}

@Suite struct SamplingTests {
  @Test func defaultsDependOnPrivacy() throws {
    #expect(try #require(parseRecipe(minimalRecipe)).training.sampling == .shuffle)
    #expect(try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 1}")).training.sampling == .poisson)
    #expect(try #require(parseRecipe(minimalRecipe + "\ntraining: {sampling: poisson}")).training.sampling == .poisson)
  }

  @Test func shuffledBatchesAreRefusedUnderPrivacy() {
    let error = singleError(minimalRecipe + "\ntraining: {sampling: shuffle}\nprivacy: {target_epsilon: 1}")
    #expect(error.hasPrefix("test.yaml:8:22: training.sampling: DP-SGD needs poisson"), "\(error)")
    #expect(error.contains("several times larger ε"))
  }
}

/// `privacy.unit`: record by default, user on request, read back from the resolved recipe,
/// anything else refused with its key path.
@Suite struct PrivacyUnitRecipeTests {
  @Test func recordByDefaultUserOnRequest() throws {
    let plain = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3}"))
    #expect(plain.privacy?.unit == .record)
    #expect(!plain.resolvedYAML().contains("unit:"), "the default is not written, so existing fingerprints stay")
    var user = try #require(parseRecipe(minimalRecipe + "\nprivacy: {target_epsilon: 3, unit: user}"))
    #expect(user.privacy?.unit == .user)
    #expect(try #require(parseRecipe(user.resolvedYAML())) == user)
    user.privacy?.resolved = .init(noiseMultiplier: 1.5, delta: 1e-5, sampleRate: 0.2, steps: 150, recordCount: 2359)
    let yaml = user.resolvedYAML()
    #expect(yaml.contains("  unit: user  # (ε, δ) per user: all of a user's records"), "\(yaml)")
    #expect(yaml.contains("(training.batch_size / 2359 users)"), "\(yaml)")
    #expect(try #require(parseRecipe(yaml)).privacy?.unit == .user)
  }

  @Test func otherValuesAreRefused() {
    let error = singleError(minimalRecipe + "\nprivacy: {target_epsilon: 3, unit: users}")
    #expect(error.hasSuffix("privacy.unit: unknown value 'users'; did you mean user?"), "\(error)")
  }
}
