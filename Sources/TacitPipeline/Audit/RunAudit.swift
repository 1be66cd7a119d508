import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitTraining

/// The audit after a run's training: attacks on the target's members and non-members (with
/// reference models when asked), the canary audit, the bounds and the verdict.
enum RunAudit {
  /// Everything the audit needs from the run.
  struct Inputs {
    /// The recipe whose audit section (and, for reference models, training) applies.
    var recipe: Recipe
    /// The run's set-up: data, population and the audit generator (split "audit" of the seed).
    var context: RunContext
    var target: Sequential
    var plan: PrivacyPlan?
    /// The ε the run claims (its accountant's), `nil` for a non-private run.
    var claimedEpsilon: Double?
    var gradientCanaries: GradientCanaries?
    var threads: Int
    /// Caveats of the run that the audit's verdict inherits (e.g. test-only faults).
    var caveats: [String]
    /// Shard folders of `tacit shadow` holding the reference models; empty: train them here.
    var referenceDirectories: [String] = []
    /// Reference models the caller trained (a distillation run's paired teachers or students);
    /// `nil`: read or train them as the recipe says.
    var references: [ReferenceTraining.Reference]? = nil
    /// The δ of `claimedEpsilon` when it is not the plan's (a composed claim); `nil`: the plan's.
    var claimedDelta: Double? = nil
    /// White-box checks of the DP-SGD mechanism measured by the gradient canaries during
    /// training (`MechanismCheck`): a failed one makes the verdict VIOLATION, a deviating one
    /// adds a caveat. Empty: none measured.
    var mechanismChecks: [MechanismCheck] = []

    var population: AuditPopulation { context.population }
    var generator: SeededGenerator { context.auditGenerator }
    /// δ for the bounds: the claim's, else the default below 1/N (no claim).
    var delta: Double {
      claimedDelta ?? plan?.delta ?? PrivacySection.defaultDelta(recordCount: max(population.memberCount, 1))
    }
  }

  /// Checks that the queries fit the data before anything is trained.
  static func validate(_ section: AuditSection, data: DataSection) throws {
    if data.imageShape == nil, let query = section.queries.first(where: { $0 != .identity }) {
      throw PipelineError(
        "audit.queries: '\(query.rawValue)' needs image data; data.source \(data.source.name) is tabular, use [identity]")
    }
  }

  /// RMIA's population: `population_size` test records (no model trains on them), chosen with
  /// split "rmia-population" of the audit generator.
  static func populationRecords(_ section: AuditSection, test: LabeledDataset, generator: SeededGenerator)
    -> LabeledDataset
  {
    var populationGenerator = generator.split("rmia-population")
    let count = min(section.populationSize, test.count)
    let indices = Array(Random.permutation(test.count, using: &populationGenerator).prefix(count)).sorted()
    return test.subset(indices: indices, name: "population")
  }

  /// The audit: attacks on members and non-members, the canary audit, the bounds and the verdict.
  static func perform(_ inputs: Inputs, note: (String) -> Void) throws -> AuditOutcome {
    let section = inputs.recipe.audit
    let population = inputs.population
    let delta = inputs.delta
    let hasMembership = population.memberCount > 0 && population.nonMemberCount > 0
    var caveats = inputs.caveats
    if inputs.plan == nil && inputs.claimedDelta == nil {
      caveats.append(
        String(
          format: "no ε claim covers these records: δ = %.0e (the largest power of ten below 1/N) is used for the bounds only",
          delta))
    }
    let populationRecords = inputs.context.populationRecords
    var scored: [(AuditSection.Attack, [Double])] = []
    var referenceCount = 0
    if hasMembership {
      let targetView = try ModelView.make(
        inputs.target, records: population.auditRecords, population: populationRecords, queries: section.queries,
        imageShape: inputs.recipe.data.imageShape, keepOutputs: true)
      let references = try referenceModels(inputs, populationRecords: populationRecords, note: note)
      referenceCount = references.count
      scored = AuditRunner.scores(
        attacks: section.attacks, target: targetView, targetOutputs: targetView.outputs!, references: references,
        rmiaA: section.rmiaA, generator: inputs.generator, textScores: try textScores(inputs))
    } else {
      caveats.append(
        "no membership attacks: audit.member_fraction is 1, so every pool record is a member and there are no non-members")
    }
    let canaryScores = try self.canaryScores(inputs)
    precondition(
      inputs.mechanismChecks.isEmpty || canaryScores != nil,
      "\(inputs.mechanismChecks.count) mechanism checks but no canary audit to carry them")
    let boundCount = scored.count + (canaryScores == nil ? 0 : 1)
    let perBoundConfidence = 1 - (1 - section.confidence) / Double(max(boundCount, 1))
    let attacks =
      hasMembership
      ? try AuditRunner.measure(
        scored, isMember: population.isMember, delta: delta, confidence: section.confidence, boundCount: boundCount,
        bootstrap: section.bootstrap, generator: inputs.generator)
      : []
    let canaries = try canaryScores.map {
      try AuditRunner.canaryAudit(
        kind: $0.kind, scores: $0.scores, included: $0.included, guessFraction: section.canaries?.guessFraction,
        delta: delta, confidence: perBoundConfidence, mechanismChecks: inputs.mechanismChecks)
    }
    let (bound, source) = strongestBound(attacks: attacks, canaries: canaries)
    var outcome = AuditOutcome(
      verdict: .none, epsilonClaimed: inputs.claimedEpsilon, epsilonLowerBound: bound, boundSource: source,
      confidence: section.confidence, delta: delta, deltaIsDefault: inputs.claimedEpsilon == nil, attacks: attacks,
      canaries: canaries, memberCount: population.memberCount, nonMemberCount: population.nonMemberCount,
      referenceModels: referenceCount, populationSize: populationRecords.count, caveats: caveats, gdpEstimate: nil,
      attackCeiling: attacks.isEmpty
        ? nil
        : HypothesisTestBound.heldOutHalfCeiling(
          members: population.memberCount, nonMembers: population.nonMemberCount, delta: delta,
          confidence: perBoundConfidence))
    if hasMembership, let texts = auditTexts(inputs) {
      outcome.blindBaseline = try blindBaseline(texts, inputs)
      (outcome.memberTexts, outcome.nonMemberTexts) = texts
    }
    if let secrets = inputs.context.secrets, let setup = inputs.context.language {
      note("secret canaries: scoring the candidates of \"\(secrets.section.format)\"")
      outcome.secrets = try secrets.results(model: inputs.target, setup: setup, generator: inputs.generator)
      outcome.secretCopiesAreOneUser = inputs.context.recipe.privacy?.unit == .user
    }
    judge(&outcome)
    if let strongest = outcome.strongestAttack {
      let estimate = GDPEstimate.estimate(strongest.scores, delta: delta, confidence: section.confidence)
      outcome.gdpEstimate = (strongest.name, estimate.mu, estimate.epsilon)
    }
    return outcome
  }

  /// A language model's validity gate on the audit's member and non-member texts (`auditTexts`;
  /// `BlindBaseline`: split "blind-baseline" of the audit generator, 1,000 bootstrap replicates at
  /// the audit's confidence); `nil` without two texts on each side.
  static func blindBaseline(_ texts: (members: [String], nonMembers: [String]), _ inputs: Inputs) throws
    -> BlindBaseline?
  {
    guard texts.members.count >= BlindBaseline.minimumPerClass, texts.nonMembers.count >= BlindBaseline.minimumPerClass
    else { return nil }
    var generator = inputs.generator.split("blind-baseline")
    return try BlindBaseline(
      memberTexts: texts.members, nonMemberTexts: texts.nonMembers, bootstrapResamples: 1000,
      confidence: inputs.recipe.audit.confidence, generator: &generator)
  }

  /// A language model's audit texts as the model read them (`LanguageModelAttacks.texts`), members
  /// and non-members in the population's order; `nil` for other models.
  static func auditTexts(_ inputs: Inputs) -> (members: [String], nonMembers: [String])? {
    guard let setup = inputs.context.language else { return nil }
    let population = inputs.population
    let texts = LanguageModelAttacks.texts(of: population.auditRecords, tokenizer: setup.tokenizer)
    return (
      zip(texts, population.isMember).filter(\.1).map(\.0), zip(texts, population.isMember).filter { !$0.1 }.map(\.0)
    )
  }

  /// The scores of the attacks that read token log-probabilities and text (`LanguageModelAttacks`);
  /// empty when there are none.
  static func textScores(_ inputs: Inputs) throws -> [AuditSection.Attack: [Double]] {
    let section = inputs.recipe.audit
    guard section.attacks.contains(where: \.needsText), let setup = inputs.context.language else { return [:] }
    var windows = false
    if case .text(let source) = inputs.recipe.data.source { windows = source.longRecords == .windows }
    let reference =
      section.attacks.contains(.referenceRatio)
      ? try section.referenceModel.map { try LanguageModelAttacks.referenceModel(at: $0.absolute, setup: setup) } : nil
    return LanguageModelAttacks.scores(
      section.attacks, model: inputs.target, records: inputs.population.auditRecords, setup: setup, windows: windows,
      k: section.minK, reference: reference)
  }

  /// Sets `outcome`'s verdict (`AuditVerdict.judge`) and adds its caveats: a failed mechanism
  /// check makes it VIOLATION whatever the bound (a caveat names the check); a deviating check
  /// adds a caveat only; a claim at or above the audit's ceiling, with no violation, makes it
  /// UNTESTABLE, said loudly in a caveat.
  static func judge(_ outcome: inout AuditOutcome) {
    let failed = outcome.canaries?.failedChecks ?? []
    for check in failed {
      outcome.caveats.append(
        "MECHANISM CHECK FAILED: \(check.summary); the DP-SGD that ran is weaker than the one accounted, "
          + "so the claimed ε is not supported")
    }
    for check in outcome.canaries?.deviatingChecks ?? [] {
      outcome.caveats.append("mechanism check deviates in the harmless direction: \(check.summary)")
    }
    outcome.verdict = AuditVerdict.judge(
      claimed: outcome.epsilonClaimed, bound: outcome.epsilonLowerBound,
      audited: !outcome.attacks.isEmpty || outcome.canaries != nil, ceiling: outcome.ceiling,
      mechanismFailed: !failed.isEmpty)
    if let gate = outcome.blindBaseline, gate.verdict == .invalid {
      // The texts differ without the model: every membership attack measured that shift. A
      // failed mechanism check or a canary violation does not depend on the texts and stands.
      let textIndependent = !failed.isEmpty || (outcome.boundSource?.hasSuffix("canaries") ?? false)
      if !(outcome.verdict == .violation && textIndependent) { outcome.verdict = .invalid }
      outcome.caveats.append(
        String(
          format: "INVALID: a classifier that never sees the model tells the member texts from the non-member texts "
            + "(blind baseline AUC %.3f, interval [%.3f, %.3f] excludes 0.5); the membership attacks measure that "
            + "distribution shift, not the model's memory, and their results do not stand (docs/language-models.md)",
          gate.auc, gate.aucInterval.lower, gate.aucInterval.upper))
    }
    if outcome.verdict == .untestable, let claimed = outcome.epsilonClaimed, let ceiling = outcome.ceiling {
      outcome.caveats.append(
        String(
          format: "UNTESTABLE: the claimed ε = %.3g is at or above %.3f, the most this audit could show (its ceiling: "
            + "every guess right, a perfect attack); no outcome of this audit could refute the claim, so its bound is "
            + "no evidence for it. Size the canaries to the claim (audit.canaries.count: auto; docs/auditing.md)",
          claimed, ceiling))
    }
  }

  /// The reference models: the caller's (a distillation's pairs), read from `tacit shadow` shard
  /// folders, or trained here `threads` at a time with one BLAS thread each; none when the recipe
  /// asks for none.
  static func referenceModels(_ inputs: Inputs, populationRecords: LabeledDataset, note: (String) -> Void) throws
    -> [ReferenceTraining.Reference]
  {
    let section = inputs.recipe.audit
    if let given = inputs.references { return given }
    guard section.referenceModels > 0 else { return [] }
    if !inputs.referenceDirectories.isEmpty {
      let references = try ReferenceStore.load(
        directories: inputs.referenceDirectories,
        fingerprint: ReferenceStore.fingerprint(of: inputs.recipe.resolvedYAML()),
        referenceModels: section.referenceModels)
      note("\(references.count) reference models read from \(inputs.referenceDirectories.count) shard folder(s)")
      return references
    }
    note("training \(section.referenceModels) reference models (\(inputs.threads) at a time)")
    let referenceStart = Clock.seconds()
    let previousThreads = BLAS.threadCount
    BLAS.setThreadCount(1)
    defer { BLAS.setThreadCount(previousThreads) }
    let references = try ReferenceTraining.train(
      indices: Array(0..<section.referenceModels), recipe: inputs.recipe, targetPlan: inputs.plan,
      context: inputs.context, populationRecords: populationRecords, parallelism: inputs.threads, note: note)
    note(String(format: "%d reference models trained in %.1f s", references.count, Clock.seconds() - referenceStart))
    return references
  }

  /// Canary scores (higher = more likely included): the white-box gradient canaries' when the
  /// run had them, else the mislabeled canaries' loss scores through the target; `nil` without
  /// canaries.
  static func canaryScores(_ inputs: Inputs) throws -> (kind: String, scores: [Double], included: [Bool])? {
    if let gradientCanaries = inputs.gradientCanaries {
      return ("gradient", gradientCanaries.scores, gradientCanaries.isIncluded)
    }
    let population = inputs.population
    guard !population.canaryIndices.isEmpty else { return nil }
    let outputs = try ModelScoring.outputs(
      of: inputs.target, on: population.canaryRecords, queries: [.identity], imageShape: inputs.recipe.data.imageShape)
    return ("mislabeled", ThresholdAttack.loss.scores(outputs[0]), population.canaryIncluded)
  }

  /// The largest ε lower bound over the attacks and the canary audit (each already at its
  /// Bonferroni-corrected confidence, so the maximum holds at the audit's confidence), and
  /// where it came from.
  static func strongestBound(attacks: [AttackResult], canaries: CanaryResult?) -> (bound: Double, source: String?) {
    var bound = 0.0
    var source: String?
    for attack in attacks where attack.epsilon.epsilon > bound {
      bound = attack.epsilon.epsilon
      source = "attack \(attack.name)"
    }
    if let canaries, canaries.epsilonLowerBound > bound {
      bound = canaries.epsilonLowerBound
      source = "\(canaries.kind) canaries"
    }
    return (bound, source)
  }
}
