import TacitData
import TacitRecipe
import TacitTensor
import TacitTraining

/// The set-up every run of a recipe shares, made once: `tacit run`, `tacit shadow` (one shard of
/// the reference models) and a distillation run all start here, so a shard's reference models
/// see exactly the records, population and generators of the unsharded run.
///
/// seed → data (`DataPreparation.prepare` from the seed's generator) → the audit's checks → the
/// canaries sized to the claim (`CanarySizing`) → split "audit" of the seed → the population (`AuditPopulation`: members, non-members,
/// mislabeled canaries). The DP-SGD plan depends on which recipe trains on which records (a
/// distillation student plans for its transfer set), so it is asked for with `plan(for:on:)`.
struct RunContext {
  let recipe: Recipe
  /// The recipe seed's generator: the target's splits "init", "data-order", "noise", ….
  let root: SeededGenerator
  /// Train / validation / test (and a distillation's public transfer set).
  let data: PreparedData
  /// Split "audit" of the seed: the population, canaries, reference models and bootstrap.
  let auditGenerator: SeededGenerator
  /// Who is a member of the target's training set.
  let population: AuditPopulation
  /// The canary audit's size and its ceiling, fixed before training.
  let canarySizing: CanarySizing
  /// A language-model recipe's tokenizer and model set-up (`LanguageModelSetup`), `nil` otherwise.
  let language: LanguageModelSetup?
  /// A language model's secret-sharer canaries (`audit.secrets`), `nil` otherwise.
  var secrets: SecretCanaries? = nil

  /// The recipe's audit section with `canaries.count: auto` resolved to the chosen count (the
  /// recipe itself keeps `auto`, so its resolved text, and a shard's fingerprint, do not change).
  var audit: AuditSection {
    var section = recipe.audit
    if let count = canarySizing.count { section.canaries?.count = .fixed(count) }
    return section
  }

  /// - Parameter publicSize: records of a distillation's public transfer set (0: none).
  static func make(_ recipe: Recipe, publicSize: Int = 0) throws -> RunContext {
    let root = SeededGenerator(seed: recipe.seed)
    let language = try LanguageModelSetup.make(recipe)
    try checkModelFitsData(recipe, isLanguageModel: language != nil)
    let data = try DataPreparation.prepare(recipe.data, generator: root, publicSize: publicSize, language: language)
    try RunAudit.validate(recipe.audit, data: recipe.data)
    if let language, let path = recipe.audit.referenceModel, recipe.audit.enabled, recipe.audit.attacks.contains(.referenceRatio)
    {
      // Checked before training: a reference that cannot read the run's records fails now, not after.
      _ = try LanguageModelAttacks.referenceModel(at: path.absolute, setup: language)
    }
    let canarySizing = try CanarySizing.make(recipe, pool: data.train)
    var audit = recipe.audit
    if let count = canarySizing.count { audit.canaries?.count = .fixed(count) }
    let auditGenerator = root.split("audit")
    var population = try AuditPopulation.make(audit, pool: data.train, generator: auditGenerator)
    let secrets = try secretCanaries(recipe, language: language, generator: auditGenerator)
    population.secretRecords = try secrets.map { try $0.records(setup: language!, like: data.train) }
    return RunContext(
      recipe: recipe, root: root, data: data, auditGenerator: auditGenerator, population: population,
      canarySizing: canarySizing, language: language, secrets: secrets)
  }

  /// The recipe's secret-sharer canaries (`audit.secrets`), `nil` without them or an audit.
  static func secretCanaries(_ recipe: Recipe, language: LanguageModelSetup?, generator: SeededGenerator) throws
    -> SecretCanaries?
  {
    guard recipe.audit.enabled, let section = recipe.audit.secrets, language != nil else { return nil }
    return SecretCanaries.make(section, generator: generator)
  }

  /// Refuses a language model on data that are not text, and text under a classifier.
  static func checkModelFitsData(_ recipe: Recipe, isLanguageModel: Bool) throws {
    let isText: Bool
    if case .text = recipe.data.source { isText = true } else { isText = false }
    if isLanguageModel && !isText {
      throw PipelineError(
        "model (\(recipe.model[0].typeName)): a language model trains on text records; data.source is \(recipe.data.source.name), use data.source: text"
      )
    }
    if isText && !isLanguageModel {
      throw PipelineError("data.source text: text records train a language model; use model: {type: gpt2} or model: {from: PATH}")
    }
    if !isLanguageModel && recipe.privacy?.unit == .user {
      throw PipelineError(
        "privacy.unit: user groups a language model's records by user; this recipe trains a classifier (use unit: record)")
    }
    if isLanguageModel && recipe.distillation != nil {
      throw PipelineError("distillation: language models cannot be distilled yet; remove the distillation section")
    }
  }

  /// What the target trains on: its members and the included canaries.
  var targetTrainingSet: LabeledDataset { population.targetTrainingSet }

  /// RMIA's population records (`RunAudit.populationRecords`: test records no model trains on).
  var populationRecords: LabeledDataset {
    RunAudit.populationRecords(recipe.audit, test: data.test, generator: auditGenerator)
  }

  /// The DP-SGD mechanism of `recipe`'s privacy section on `trainingSet`, `nil` without one;
  /// with `units` (`units(of:)`), for the units' count U instead of the records'.
  func plan(for recipe: Recipe, on trainingSet: LabeledDataset, units: PrivacyUnits? = nil) throws -> PrivacyPlan? {
    try recipe.privacy.map {
      var plan = try PrivacyPlan.make(
        $0, training: recipe.training, recordCount: units?.count ?? trainingSet.count,
        featureNorm: recipe.data.features?.privateNorm)
      plan.userRecordCount = units.map { _ in trainingSet.count }
      return plan
    }
  }

  /// The target's privacy units under `privacy.unit: user` (`PrivacyUnits`), `nil` otherwise:
  /// every record of `trainingSet` (the `targetTrainingSet`) its own user but the secret
  /// canaries', whose k copies (the set's last records, canary by canary) are one user each.
  func units(of trainingSet: LabeledDataset) -> PrivacyUnits? {
    guard recipe.privacy?.unit == .user else { return nil }
    let copies = insertedSecretCopies
    return PrivacyUnits.consecutive(sizes: [Int](repeating: 1, count: trainingSet.count - copies.reduce(0, +)) + copies)
  }

  /// Each inserted secret canary's copies (`audit.secrets`, the counts above 0), in order.
  private var insertedSecretCopies: [Int] { (secrets?.canaries ?? []).map(\.insertions).filter { $0 > 0 } }

  /// The log line of `units` (`units(of:)`): a unit per data record and per inserted canary.
  func unitsLine(_ units: PrivacyUnits) -> String {
    let copies = insertedSecretCopies
    return "privacy unit: user. \(units.count) users: \(units.count - copies.count) data records, each its own user"
      + (copies.isEmpty
        ? " (no secret canaries: this is record-level DP-SGD)"
        : ", and \(copies.count) secret canaries, each one user holding its copies (\(copies.reduce(0, +)) records)")
  }

  /// The run's data line for the log.
  var dataLine: String {
    if case .text = recipe.data.source {
      let records = "data: \(data.train.count) train, \(data.validation.count) validation, \(data.test.count) test text records"
      let shape = data.train.features.shape
      // Windowed records: [N, K, T].
      if shape.count == 3 { return records + ", each up to \(shape[1]) windows of \(shape[2]) tokens" }
      return records + ", at most \(data.train.featuresPerExample) tokens each"
    }
    return
      "data: \(data.train.count) train, \(data.validation.count) validation, \(data.test.count) test records of shape \(data.train.exampleShape), \(data.train.classCount) classes"
  }

  /// The audit protocol's line for the log, `nil` when the audit is off.
  var populationLine: String? {
    guard recipe.audit.enabled else { return nil }
    return "audit protocol: the target trains on \(population.memberCount) of \(population.auditIndices.count) pool records "
      + "(member_fraction \(recipe.audit.memberFraction)), \(population.nonMemberCount) non-members"
      + (population.canaryIndices.isEmpty
        ? ""
        : ", plus \(population.canaryIncluded.filter { $0 }.count) of \(population.canaryIndices.count) mislabeled canaries")
  }
}
