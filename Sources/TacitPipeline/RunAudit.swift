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
    var recipe: Recipe
    var data: PreparedData
    var population: AuditPopulation
    var target: Sequential
    var plan: PrivacyPlan?
    /// The ε the run claims (its accountant's), `nil` for a non-private run.
    var claimedEpsilon: Double?
    var gradientCanaries: GradientCanaries?
    var threads: Int
    /// Split "audit" of the recipe seed.
    var generator: SeededGenerator
    /// Caveats of the run that the audit's verdict inherits (e.g. a test-only hook).
    var caveats: [String]
    /// Shard folders of `tacit shadow` holding the reference models; empty: train them here.
    var referenceDirectories: [String] = []
    /// Reference models the caller trained (a distillation run's paired teachers or students);
    /// `nil`: read or train them as the recipe says.
    var references: [ReferenceTraining.Reference]? = nil
    /// The δ of `claimedEpsilon` when it is not the plan's (a composed claim); `nil`: the plan's.
    var claimedDelta: Double? = nil
  }

  /// The image layout the data source has, for image queries (`nil` for tabular data).
  static func imageShape(_ data: DataSection) -> [Int]? {
    if case .fashionMNIST = data.source { return [28, 28, 1] }
    return nil
  }

  /// Checks that the queries fit the data before anything is trained.
  static func validate(_ section: AuditSection, data: DataSection) throws {
    if imageShape(data) == nil, let query = section.queries.first(where: { $0 != .identity }) {
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

  static func perform(_ inputs: Inputs, note: (String) -> Void) throws -> AuditOutcome {
    let section = inputs.recipe.audit
    let population = inputs.population
    let generator = inputs.generator
    let delta =
      inputs.claimedDelta ?? inputs.plan?.delta ?? PrivacySection.defaultDelta(recordCount: max(population.memberCount, 1))
    let imageShape = Self.imageShape(inputs.recipe.data)
    let hasMembership = population.memberCount > 0 && population.nonMemberCount > 0
    var caveats = inputs.caveats
    if inputs.plan == nil && inputs.claimedDelta == nil {
      caveats.append(
        String(
          format: "no ε claim covers these records: δ = %.0e (the largest power of ten below 1/N) is used for the bounds only",
          delta))
    }

    let populationRecords = Self.populationRecords(section, test: inputs.data.test, generator: generator)
    let populationCount = populationRecords.count

    var scored: [(AuditSection.Attack, [Double])] = []
    var referenceCount = 0
    if hasMembership {
      let records = population.auditRecords
      let targetView = try ModelView.make(
        inputs.target, records: records, population: populationRecords, queries: section.queries,
        imageShape: imageShape, keepOutputs: true)
      var references: [ReferenceTraining.Reference] = []
      if let given = inputs.references {
        references = given
        referenceCount = given.count
      } else if section.referenceModels > 0, !inputs.referenceDirectories.isEmpty {
        references = try ReferenceStore.load(
          directories: inputs.referenceDirectories,
          fingerprint: ReferenceStore.fingerprint(of: inputs.recipe.resolvedYAML()),
          referenceModels: section.referenceModels)
        referenceCount = references.count
        note("\(referenceCount) reference models read from \(inputs.referenceDirectories.count) shard folder(s)")
      } else if section.referenceModels > 0 {
        note("training \(section.referenceModels) reference models (\(inputs.threads) at a time)")
        let referenceStart = Clock.seconds()
        let previousThreads = BLAS.threadCount
        BLAS.setThreadCount(1)
        defer { BLAS.setThreadCount(previousThreads) }
        references = try ReferenceTraining.train(
          indices: Array(0..<section.referenceModels), recipe: inputs.recipe, targetPlan: inputs.plan,
          population: population, populationRecords: populationRecords, validation: inputs.data.validation,
          queries: section.queries,
          imageShape: imageShape, generator: generator, parallelism: inputs.threads)
        referenceCount = references.count
        note(String(format: "%d reference models trained in %.1f s", referenceCount, Clock.seconds() - referenceStart))
      }
      scored = AuditRunner.scores(
        attacks: section.attacks, target: targetView, targetOutputs: targetView.outputs!, references: references,
        rmiaA: section.rmiaA, generator: generator)
    } else {
      caveats.append(
        "no membership attacks: audit.member_fraction is 1, so every pool record is a member and there are no non-members")
    }

    // Canary scores (higher = more likely included).
    var canaryScores: (kind: String, scores: [Double], included: [Bool])?
    if let gradientCanaries = inputs.gradientCanaries {
      canaryScores = ("gradient", gradientCanaries.scores, gradientCanaries.isIncluded)
    } else if !population.canaryIndices.isEmpty {
      let outputs = try ModelScoring.outputs(
        of: inputs.target, on: population.canaryRecords, queries: [.identity], imageShape: imageShape)
      canaryScores = ("mislabeled", ThresholdAttack.loss.scores(outputs[0]), population.canaryIncluded)
    }

    let boundCount = scored.count + (canaryScores == nil ? 0 : 1)
    let perBoundConfidence = 1 - (1 - section.confidence) / Double(max(boundCount, 1))
    let attacks =
      hasMembership
      ? try AuditRunner.measure(
        scored, isMember: population.isMember, delta: delta, confidence: section.confidence, boundCount: boundCount,
        bootstrap: section.bootstrap, generator: generator)
      : []
    let canaries = canaryScores.map {
      AuditRunner.canaryAudit(
        kind: $0.kind, scores: $0.scores, included: $0.included, guessFraction: section.canaries?.guessFraction ?? 0.2,
        delta: delta, confidence: perBoundConfidence)
    }

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
    var outcome = AuditOutcome(
      verdict: AuditVerdict.judge(
        claimed: inputs.claimedEpsilon, bound: bound, audited: !attacks.isEmpty || canaries != nil),
      epsilonClaimed: inputs.claimedEpsilon, epsilonLowerBound: bound, boundSource: source, confidence: section.confidence,
      delta: delta,
      deltaIsDefault: inputs.claimedEpsilon == nil, attacks: attacks, canaries: canaries, memberCount: population.memberCount,
      nonMemberCount: population.nonMemberCount, referenceModels: referenceCount, populationSize: populationCount,
      caveats: caveats, gdpEstimate: nil)
    if let strongest = outcome.strongestAttack {
      let estimate = GDPEstimate.estimate(strongest.scores, delta: delta, confidence: section.confidence)
      outcome.gdpEstimate = (strongest.name, estimate.mu, estimate.epsilon)
    }
    return outcome
  }
}
