import Testing

@testable import TacitRecipe

@Suite struct RecipeErrorTests {
  @Test func unknownKeysSuggestTheClosestAtEveryDepth() {
    #expect(singleError(minimalRecipe + "\nsed: 3") == "test.yaml:8:1: sed: unknown key; did you mean seed?")
    #expect(
      singleError(minimalRecipe.replacingOccurrences(of: "  source: synthetic", with: "  source: synthetic\n  trian_size: 10"))
        == "test.yaml:5:3: data.trian_size: unknown key; did you mean train_size?")
    #expect(
      singleError(minimalRecipe + "\ntraining:\n  optimizer:\n    learning_rat: 0.1")
        == "test.yaml:10:5: training.optimizer.learning_rat: unknown key; did you mean learning_rate?")
    #expect(
      singleError(minimalRecipe + "\n    unit: 4") == "test.yaml:8:5: model[0].unit: unknown key; did you mean units?")
    #expect(
      singleError(
        minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: synthetic\n  synthetic: {clases: 4}"))
        == "test.yaml:5:15: data.synthetic.clases: unknown key; did you mean classes?")
    #expect(
      singleError(minimalRecipe + "\nzzz: 1").hasSuffix(
        "zzz: unknown key; expected one of version, name, seed, data, model, training, privacy, audit, distillation"))
  }

  @Test func wrongTypesNameThePathAndWhatWasFound() {
    #expect(
      singleError(minimalRecipe + "\ntraining: {epochs: ten}") == "test.yaml:8:20: training.epochs: expected an integer, got ten")
    #expect(
      singleError(minimalRecipe + "\ntraining: {epochs: 2.5}") == "test.yaml:8:20: training.epochs: expected an integer, got 2.5")
    #expect(
      singleError(minimalRecipe + "\ntraining: {epochs: \"3\"}")
        == "test.yaml:8:20: training.epochs: expected an integer, got '3'")
    #expect(
      singleError(minimalRecipe + "\ntraining: {evaluate_train: yes}")
        == "test.yaml:8:28: training.evaluate_train: expected true or false, got yes")
    #expect(
      singleError("version: 1\nname: x\ndata: 3\nmodel: [{type: relu}]") == "test.yaml:3:7: data: expected a mapping, got 3")
    #expect(
      singleError(minimalRecipe + "\n  - relu")
        == "test.yaml:8:5: model[1]: expected a layer mapping with a type, such as {type: relu}, got relu")
    #expect(singleError(minimalRecipe + "\ntraining: [1]") == "test.yaml:8:11: training: expected a mapping, got a list")
    #expect(
      singleError(minimalRecipe + "\ntraining: {optimizer: {learning_rate: .inf}}")
        == "test.yaml:8:39: training.optimizer.learning_rate: expected a number, got .inf")
    #expect(
      singleError(minimalRecipe + "\nseed: -1") == "test.yaml:8:7: seed: expected an integer in 0...18446744073709551615, got -1")
    #expect(
      singleError(minimalRecipe + "\ntraining: {optimizer: {type: adma}}")
        == "test.yaml:8:30: training.optimizer.type: unknown value 'adma'; did you mean adam?")
  }

  @Test func outOfRangeValuesNameTheRule() {
    #expect(singleError(minimalRecipe + "\ntraining: {epochs: 0}") == "test.yaml:8:20: training.epochs: must be >= 1, got 0")
    #expect(
      singleError(minimalRecipe + "\ntraining: {optimizer: {momentum: 1}}")
        == "test.yaml:8:34: training.optimizer.momentum: must be in [0, 1), got 1")
    #expect(
      singleError(minimalRecipe + "\ntraining: {optimizer: {learning_rate: 0}}")
        == "test.yaml:8:39: training.optimizer.learning_rate: must be > 0, got 0")
    #expect(
      singleError(minimalRecipe + "\n  - {type: dropout, rate: 1.0}").hasSuffix("model[1].rate: must be in [0, 1), got 1.0"))
    #expect(
      singleError(minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: synthetic\n  validation_size: -1"))
        .hasSuffix("data.validation_size: must be >= 0, got -1"))
    #expect(singleError(minimalRecipe.replacingOccurrences(of: "tiny", with: "my run")).contains("name: must use only letters"))
  }

  /// Issue 12: values the schema accepted crashed training once made `Float` (1e308 → inf,
  /// 1e-50 → 0, then a division or square root by it). Each is now a recipe error naming the key.
  @Test func valuesBeyond32BitFloatAreRefusedWithTheReason() {
    let beyond = "is beyond what 32-bit training can represent (at most 3.4e38)"
    let below = "is below what 32-bit training can represent"
    let cases: [(label: String, yaml: String, suffix: String)] = [
      ("lr 1e308", "\ntraining: {optimizer: {learning_rate: 1e308}}", "training.optimizer.learning_rate: 1e308 \(beyond)"),
      ("lr 1e39", "\ntraining: {optimizer: {learning_rate: 1e39}}", "training.optimizer.learning_rate: 1e39 \(beyond)"),
      ("lr 1e-50", "\ntraining: {optimizer: {learning_rate: 1e-50}}", "training.optimizer.learning_rate: 1e-50 \(below)"),
      ("l2 1e39", "\ntraining: {regularization: {l2: 1e39}}", "training.regularization.l2: 1e39 \(beyond)"),
      ("l1 1e-50", "\ntraining: {regularization: {l1: 1e-50}}", "training.regularization.l1: 1e-50 \(below)"),
      ("adam epsilon", "\ntraining: {optimizer: {type: adam, epsilon: 1e-50}}", "training.optimizer.epsilon: 1e-50 \(below)"),
      ("gamma", "\ntraining: {schedule: {type: step, gamma: 1e-50}}", "training.schedule.gamma: 1e-50 \(below)"),
      ("max_grad_norm small", "\nprivacy: {noise_multiplier: 1, max_grad_norm: 1e-50}", "privacy.max_grad_norm: 1e-50 \(below)"),
      ("max_grad_norm large", "\nprivacy: {noise_multiplier: 1, max_grad_norm: 1e39}", "privacy.max_grad_norm: 1e39 \(beyond)"),
      ("noise_multiplier", "\nprivacy: {noise_multiplier: 1e-50}", "privacy.noise_multiplier: 1e-50 \(below)"),
    ]
    for (label, yaml, suffix) in cases {
      let message = singleError(minimalRecipe + yaml)
      #expect(message.contains(suffix), "\(label): \(message)")
    }
    // The boundary values themselves still validate, and 0 stays allowed where it was.
    #expect(parseRecipe(minimalRecipe + "\ntraining: {optimizer: {learning_rate: 3.4e38}}") != nil)
    #expect(parseRecipe(minimalRecipe + "\ntraining: {optimizer: {learning_rate: 1.2e-38}}") != nil)
    #expect(parseRecipe(minimalRecipe + "\ntraining: {regularization: {l2: 0}}") != nil)
  }

  @Test func missingRequiredKeys() {
    let noModel = "version: 1\nname: x\ndata: {source: csv}"
    let errors = recipeErrors(noModel).map(\.description)
    #expect(
      errors == [
        "test.yaml:1:1: model: missing required key; a list of layers such as [{type: dense, units: 10}]",
        "test.yaml:3:7: data.path: missing required key",
      ])
    #expect(
      singleError(minimalRecipe + "\n  - {type: conv2d, filters: 2}")
        == "test.yaml:8:5: model[1].kernel_size: missing required key")
    #expect(
      singleError("version: 1\ndata: {source: synthetic}\nmodel: [{type: relu}]") == "test.yaml:1:1: name: missing required key")
    #expect(
      singleError("name: x\ndata: {source: synthetic}\nmodel: [{type: relu}]")
        == "test.yaml:1:1: version: missing required key; add `version: 1` as the first line")
    #expect(
      singleError("version: 1\nname: x\nmodel: []\ndata: {source: synthetic}")
        == "test.yaml:3:8: model: must hold at least one layer")
    #expect(singleError("") == "test.yaml: the recipe is empty; it needs at least version, name, data and model")
  }

  @Test func unsupportedVersionListsTheSupportedOnes() {
    #expect(
      singleError("version: 2\nname: x\nbogus: 1")
        == "test.yaml:1:10: version: unsupported recipe version 2; supported versions: 1")
  }

  @Test func syntaxErrorsGivePosition() {
    let errors = recipeErrors("version: 1\nname: x\ndata:\n  source: [csv\nmodel: 1\n")
    #expect(errors.count == 1)
    #expect(errors.first?.line == 5)
    #expect(errors.first?.column == 6)
    #expect(errors.first?.description.hasPrefix("test.yaml:5:6: YAML syntax error: ") == true)
    let duplicate = recipeErrors("version: 1\nname: x\nname: y\n")
    #expect(duplicate.first?.description == "test.yaml:2:1: duplicate key 'name' in one mapping")
  }

  @Test func batchNormIsRejectedWithTheReason() {
    let message =
      "batch_norm mixes examples in a batch, so per-example gradients (and DP-SGD's privacy guarantee) break; use group_norm instead"
    for spelling in ["batch_norm", "batchnorm"] {
      let yaml = minimalRecipe + "\n  - {type: relu}\n  - {type: relu}\n  - {type: \(spelling), momentum: 0.1}"
      #expect(singleError(yaml) == "test.yaml:10:12: model[3]: " + message)
    }
    #expect(
      singleError(minimalRecipe + "\n  - {type: dens}")
        == "test.yaml:8:12: model[1].type: unknown layer type 'dens'; did you mean dense?")
  }

  @Test func auditSectionErrorsNameTheirKeys() {
    #expect(
      singleError(minimalRecipe + "\naudit: {attacks: [loss, lira_onlin]}")
        == "test.yaml:8:25: audit.attacks[1]: unknown value 'lira_onlin'; did you mean lira_online?")
    #expect(
      singleError(minimalRecipe + "\naudit: {attacks: [lira_online]}")
        == "test.yaml:8:18: audit.attacks: attack lira_online needs reference models; set audit.reference_models (at least 2 for lira_online) or remove it"
    )
    #expect(
      singleError(minimalRecipe + "\naudit: {member_fraction: 0}")
        == "test.yaml:8:26: audit.member_fraction: must be in (0, 1], got 0")
    #expect(
      singleError(minimalRecipe + "\naudit: {canaries: {count: 10, kind: gradient}}")
        == "test.yaml:8:37: audit.canaries.kind: gradient canaries measure DP-SGD's privatised updates; they need a privacy section (use kind: mislabeled)"
    )
    #expect(
      singleError(minimalRecipe + "\naudit: {canaries: {count: lots}}")
        == "test.yaml:8:27: audit.canaries.count: expected an integer or auto, got lots")
  }

  /// `audit.canaries.count: auto` and `guess_fraction` are read, default to the grid, and survive
  /// the resolved recipe.
  @Test func canaryCountAutoAndGuessFraction() throws {
    let automatic = try #require(parseRecipe(minimalRecipe + "\naudit: {canaries: {count: auto, kind: mislabeled}}"))
    #expect(automatic.audit.canaries == .init(count: .automatic, kind: .mislabeled, guessFraction: nil))
    #expect(parseRecipe(automatic.resolvedYAML()) == automatic)
    #expect(automatic.resolvedYAML().contains("count: auto"))
    let fixed = try #require(
      parseRecipe(minimalRecipe + "\naudit: {canaries: {count: 500, kind: mislabeled, guess_fraction: 0.2}}"))
    #expect(fixed.audit.canaries == .init(count: .fixed(500), kind: .mislabeled, guessFraction: 0.2))
    #expect(parseRecipe(fixed.resolvedYAML()) == fixed)
    let none = try #require(parseRecipe(minimalRecipe + "\naudit: {canaries: {count: 0}}"))
    #expect(none.audit.canaries == nil)
  }

  @Test func augmentationIsReadAndImageOnlyTransformsNeedImages() throws {
    #expect(
      singleError(minimalRecipe + "\ntraining: {augmentation: {flip: true}}")
        == "test.yaml:8:26: training.augmentation: crop_padding, flip and cutout need image data (data.source fashion_mnist without data.features); tabular data and features take only noise_std"
    )
    #expect(
      singleError(minimalRecipe + "\ntraining: {augmentation: {crop_padding: -1}}")
        == "test.yaml:8:41: training.augmentation.crop_padding: must be >= 0, got -1")
    let noisy = try #require(parseRecipe(minimalRecipe + "\ntraining: {augmentation: {noise_std: 0.1}}"))
    #expect(noisy.training.augmentation == AugmentationSpec(noiseStandardDeviation: 0.1))
    let images = minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: fashion_mnist")
    let augmented = try #require(parseRecipe(images + "\ntraining: {augmentation: {crop_padding: 2, flip: true, cutout: 8}}"))
    #expect(augmented.training.augmentation == AugmentationSpec(cropPadding: 2, flip: true, cutout: 8))
    #expect(parseRecipe(augmented.resolvedYAML()) == augmented)
    #expect(
      singleError(images + "\ntraining: {augmentation: {flip: true, multiplicity: 4}}")
        == "test.yaml:8:53: training.augmentation.multiplicity: averages a record's augmented copies before DP-SGD's clipping; it needs a privacy section (without privacy, use a larger batch)"
    )
    let privateImages = images + "\nprivacy: {noise_multiplier: 1}"
    #expect(
      singleError(privateImages + "\ntraining: {augmentation: {multiplicity: 4}}")
        == "test.yaml:9:41: training.augmentation.multiplicity: needs at least one transform (crop_padding, flip, cutout or noise_std): the copies would be identical"
    )
    let multiplied = try #require(
      parseRecipe(privateImages + "\ntraining: {augmentation: {crop_padding: 2, flip: true, multiplicity: 8}}"))
    #expect(multiplied.training.augmentation?.multiplicity == 8)
    #expect(parseRecipe(multiplied.resolvedYAML()) == multiplied)
  }

  @Test func auditDefaultsDependOnReferenceModels() throws {
    let plain = try Recipe.parse(yaml: minimalRecipe, fileName: "test.yaml", baseDirectory: "/recipes")
    #expect(plain.audit.enabled && plain.audit.memberFraction == 0.5)
    #expect(plain.audit.attacks == [.loss, .confidence, .entropy, .modifiedEntropy])
    let withReferences = try Recipe.parse(
      yaml: minimalRecipe + "\naudit: {reference_models: 4}", fileName: "test.yaml", baseDirectory: "/recipes")
    #expect(withReferences.audit.attacks == AuditSection.Attack.allCases.filter { !$0.needsText })
    #expect(
      try Recipe.parse(yaml: withReferences.resolvedYAML(), fileName: "resolved.yaml", baseDirectory: "/recipes")
        == withReferences)
  }

  /// Text data default to the attacks a language model allows, the text attacks among them;
  /// `min_k` is read and written back; a text attack on images is refused, naming the key.
  @Test func languageModelAttacksAndMinK() throws {
    let text = "version: 1\nname: lm\ndata: {source: text, format: fortune, files: [wisdom]}\nmodel: {type: gpt2}\n"
    let plain = try Recipe.parse(yaml: text, fileName: "test.yaml", baseDirectory: "/recipes")
    #expect(plain.audit.attacks == [.loss, .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio])
    #expect(plain.audit.minK == 0.2)
    let tuned = try Recipe.parse(
      yaml: text + "audit: {reference_models: 2, min_k: 0.5}", fileName: "test.yaml", baseDirectory: "/recipes")
    #expect(
      tuned.audit.attacks == [
        .loss, .liraOnline, .liraOffline, .rmiaOffline, .rmiaOnline, .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio,
      ])
    #expect(tuned.audit.minK == 0.5)
    #expect(try Recipe.parse(yaml: tuned.resolvedYAML(), fileName: "resolved.yaml", baseDirectory: "/recipes") == tuned)
    #expect(
      singleError(text + "audit: {min_k: 0}") == "test.yaml:5:16: audit.min_k: must be in (0, 1], got 0")
    // A fine-tuned model's reference is its pre-trained model by default; another can be named.
    let tunedText = text.replacingOccurrences(of: "{type: gpt2}", with: "{from: ../models/public}")
    let fineTuned = try Recipe.parse(yaml: tunedText, fileName: "test.yaml", baseDirectory: "/recipes")
    #expect(fineTuned.audit.referenceModel?.absolute == "/models/public")
    #expect(fineTuned.audit.attacks.last == .referenceRatio)
    let named = try Recipe.parse(
      yaml: text + "audit: {reference_model: ref, attacks: [reference_ratio]}", fileName: "test.yaml", baseDirectory: "/recipes")
    #expect(named.audit.referenceModel?.absolute == "/recipes/ref" && named.audit.attacks == [.referenceRatio])
    #expect(try Recipe.parse(yaml: named.resolvedYAML(), fileName: "resolved.yaml", baseDirectory: "/recipes") == named)
    #expect(
      singleError(text + "audit: {attacks: [reference_ratio]}")
        == "test.yaml:5:18: audit.attacks: attack reference_ratio needs a reference language model: set audit.reference_model (a Tacit LM run or a Hugging Face GPT-2 folder)"
    )
    #expect(
      singleError(minimalRecipe + "\naudit: {reference_model: x}")
        == "test.yaml:8:26: audit.reference_model: a reference model calibrates language-model attacks; it needs data.source: text"
    )
    #expect(
      singleError(minimalRecipe + "\naudit: {attacks: [loss, zlib_ratio]}")
        == "test.yaml:8:18: audit.attacks: attack zlib_ratio reads token log-probabilities and text; it needs a language model (data.source: text)"
    )
  }

  /// `audit.secrets`: read, written back, and refused when malformed or without text data.
  @Test func secretCanarySections() throws {
    let text = "version: 1\nname: lm\ndata: {source: text, format: fortune, files: [wisdom]}\nmodel: {type: gpt2}\n"
    let recipe = try Recipe.parse(
      yaml: text + "audit: {secrets: {format: \"my PIN is {digits:6}\", insertions: [1, 16], per_insertion: 2}}",
      fileName: "test.yaml", baseDirectory: "/recipes")
    let secrets = try #require(recipe.audit.secrets)
    #expect(secrets.prefix == "my PIN is " && secrets.digits == 6 && secrets.insertions == [1, 16])
    #expect(secrets.perInsertion == 2 && secrets.sample == 10_000 && secrets.spaceSize == 1e6)
    #expect(try Recipe.parse(yaml: recipe.resolvedYAML(), fileName: "resolved.yaml", baseDirectory: "/recipes") == recipe)
    #expect(
      singleError(text + "audit: {secrets: {format: \"PIN {digits:6} here\"}}")
        == "test.yaml:5:27: audit.secrets.format: must hold one {digits:N} placeholder (1 ≤ N ≤ 12) at its end, e.g. \"my PIN is {digits:6}\"; got \"PIN {digits:6} here\""
    )
    #expect(
      singleError(text + "audit: {secrets: {format: \"x {digits:2}\", insertions: [1, 1]}}")
        == "test.yaml:5:59: audit.secrets.insertions[1]: must be a count in 0…1000, each listed once, got 1")
    #expect(
      singleError(text + "audit: {secrets: {format: \"x {digits:2}\", insertions: [0, -1]}}")
        == "test.yaml:5:59: audit.secrets.insertions[1]: must be a count in 0…1000, each listed once, got -1")
    #expect(
      singleError(minimalRecipe + "\naudit: {secrets: {format: \"x {digits:2}\"}}")
        == "test.yaml:8:18: audit.secrets: secret-sharer canaries are text records; they need data.source: text")
  }

  @Test func keysOfAnotherTypeAreRejected() {
    #expect(
      singleError(minimalRecipe + "\ntraining: {optimizer: {type: adam, momentum: 0.9}}")
        == "test.yaml:8:36: training.optimizer.momentum: not valid for optimizer type adam (only sgd)")
    #expect(
      singleError(minimalRecipe + "\ntraining: {optimizer: {weight_decay: 0.1}}")
        == "test.yaml:8:24: training.optimizer.weight_decay: not valid for optimizer type sgd (only adamw)")
    #expect(
      singleError(minimalRecipe + "\ntraining: {schedule: {gamma: 0.5}}")
        == "test.yaml:8:23: training.schedule.gamma: not valid for schedule type constant (only step)")
    #expect(
      singleError(minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: synthetic\n  label_column: y"))
        == "test.yaml:5:3: data.label_column: only valid with source csv, not synthetic")
    #expect(
      singleError(
        "version: 1\nname: t\ndata: {source: csv, path: a.csv, test_path: b.csv, test_fraction: 0.1}\nmodel: [{type: relu}]")
        == "test.yaml:3:52: data.test_fraction: not used when data.test_path is set")
  }

  @Test func earlyStoppingNeedsValidationRecords() {
    #expect(
      singleError(minimalRecipe + "\ntraining:\n  early_stopping: {patience: 2}")
        == "test.yaml:9:19: training.early_stopping: needs validation records, but data.validation_size is 0; "
        + "set data.validation_size > 0 or remove training.early_stopping")
  }

  @Test func everyProblemIsReportedAtOnceInFileOrder() {
    let yaml = """
      version: 1
      name: bad name
      data: {source: synthetc, train_size: 0}
      model:
        - {type: dense, units: -1}
        - {type: batch_norm}
      training:
        epochs: 0
        optimizer: {learning_rat: 0.1}
      privacy: {}
      """
    let errors = recipeErrors(yaml)
    #expect(
      errors.map(\.keyPath) == [
        "name", "data.source", "data.train_size", "model[0].units", "model[1]", "training.epochs",
        "training.optimizer.learning_rat", "privacy.target_epsilon",
      ])
    #expect(errors.map { $0.line ?? 0 } == [2, 3, 3, 5, 6, 8, 9, 10])
    #expect(errors.first?.message.contains("got \"bad name\"") == true)
    #expect(errors[1].message == "unknown value 'synthetc'; did you mean synthetic?")
    let description = RecipeErrors(errors).description
    #expect(description.split(separator: "\n").count == 8)
  }
}
