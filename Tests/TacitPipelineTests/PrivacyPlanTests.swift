import Foundation
import TacitPrivacy
import TacitRecipe
import Testing

@testable import TacitPipeline

/// `PrivacyPlan`: the DP-SGD mechanism of a run, and of its reference models.
@Suite struct PrivacyPlanTests {
  static func training(epochs: Int = 3, batchSize: Int = 32) -> TrainingSection {
    TrainingSection(
      epochs: epochs, batchSize: batchSize,
      optimizer: .sgd(OptimizerSpec.SGD(learningRate: 0.1, momentum: 0.9, nesterov: false)),
      schedule: ScheduleSpec(kind: .constant, warmupEpochs: 0),
      regularization: RegularizationSpec(l1: 0, l2: 0, labelSmoothing: 0), earlyStopping: nil, evaluateTrain: true,
      sampling: .poisson)
  }

  static func section(
    _ budget: PrivacySection.Budget, clipping: PrivacySection.Clipping = .flat, accountant: PrivacySection.Accountant = .pld,
    adaptive: PrivacySection.AdaptiveClipping? = nil
  ) -> PrivacySection {
    PrivacySection(
      budget: budget, delta: 1e-4, maxGradNorm: 0.7, clipping: clipping, accountant: accountant, noise: .secure,
      adaptiveClipping: adaptive)
  }

  /// The oracle: how a reference model's plan was made before `reference(recordCount:)`, by
  /// turning the target's plan back into a recipe section (σ fixed, δ and the resolved values
  /// cleared, seeded noise) and planning it again for the reference's records.
  static func sectionRoundTrip(_ target: PrivacyPlan, training: TrainingSection, recordCount: Int) throws -> PrivacyPlan {
    var section = target.section
    section.budget = .noiseMultiplier(target.noiseMultiplier)
    section.delta = nil
    section.noise = .seeded
    section.resolved = nil
    return try PrivacyPlan.make(section, training: training, recordCount: recordCount)
  }

  /// A reference's plan equals the section round trip field by field: a calibrated σ kept as
  /// is, per-layer clipping, adaptive clipping with the default count noise (recomputed for the
  /// reference's expected batch size) and with an explicit one, for a reference half the
  /// target's size and for one with a record count that does not divide into batches.
  @Test(arguments: [
    (section(.targetEpsilon(2), accountant: .rdp), 600, 300),
    (section(.noiseMultiplier(1.3), clipping: .perLayer, accountant: .gdp), 1000, 437),
    (section(.noiseMultiplier(1.1), adaptive: PrivacySection.AdaptiveClipping()), 2000, 1000),
    (
      section(.targetEpsilon(4), adaptive: PrivacySection.AdaptiveClipping(targetQuantile: 0.7, countNoise: 3)),
      900, 451
    ),
  ])
  func referencePlanEqualsTheSectionRoundTrip(section: PrivacySection, targetCount: Int, referenceCount: Int) throws {
    let training = Self.training()
    let target = try PrivacyPlan.make(section, training: training, recordCount: targetCount)
    let reference = try target.reference(recordCount: referenceCount)
    let expected = try Self.sectionRoundTrip(target, training: training, recordCount: referenceCount)
    #expect(reference.section == expected.section)
    #expect(reference.section.noise == .seeded && reference.section.budget == .noiseMultiplier(target.noiseMultiplier))
    #expect(reference.recordCount == referenceCount && expected.recordCount == referenceCount)
    #expect(reference.sampleRate == expected.sampleRate)
    #expect(reference.sampleRate == 32 / Double(referenceCount))
    #expect(reference.stepsPerEpoch == expected.stepsPerEpoch)
    #expect(reference.steps == expected.steps)
    #expect(reference.steps == 3 * Int((Double(referenceCount) / 32).rounded(.up)))
    #expect(reference.delta == expected.delta)
    #expect(reference.noiseMultiplier == expected.noiseMultiplier)
    #expect(reference.noiseMultiplier == target.noiseMultiplier)
    #expect(reference.adaptiveClipping == expected.adaptiveClipping)
    #expect(reference.gradientNoiseMultiplier == expected.gradientNoiseMultiplier)
    #expect(reference.stepSettings == expected.stepSettings)
    #expect(reference.event == expected.event)
    #expect(reference.resolvedSection == expected.resolvedSection)
  }

  /// A reference with fewer records than the batch size is refused, as the round trip refused it.
  @Test func referenceSmallerThanTheBatchIsRefusedAsBefore() throws {
    let target = try PrivacyPlan.make(
      Self.section(.noiseMultiplier(1)), training: Self.training(batchSize: 64), recordCount: 600)
    let message = "training.batch_size: the expected batch size 64 exceeds the 40 training records"
    let direct = #expect(throws: PipelineError.self) { try target.reference(recordCount: 40) }
    let roundTrip = #expect(throws: PipelineError.self) {
      try Self.sectionRoundTrip(target, training: Self.training(batchSize: 64), recordCount: 40)
    }
    #expect(direct?.description == message && roundTrip?.description == message)
  }

  /// The recipe's accountants map to TacitPrivacy's kinds name for name, in the same order (the
  /// order privacy.json and the report list them).
  @Test func recipeAccountantsMapToTheirKinds() {
    #expect(PrivacySection.Accountant.allCases.map(AccountantKind.init) == AccountantKind.allCases)
    for accountant in PrivacySection.Accountant.allCases {
      #expect(AccountantKind(accountant).rawValue == accountant.rawValue)
      #expect(AccountantKind(accountant).accountant.name == accountant.rawValue)
    }
  }

  /// The plan's event is the DP-SGD event of its σ, q and T.
  @Test func eventIsTheDPSGDEventOfThePlan() throws {
    let plan = try PrivacyPlan.make(Self.section(.noiseMultiplier(0.9)), training: Self.training(), recordCount: 640)
    #expect(plan.sampleRate == 0.05 && plan.steps == 60)
    #expect(
      plan.event == .selfComposed(event: .poissonSampled(sampleRate: 0.05, event: .gaussian(noiseMultiplier: 0.9)), count: 60))
  }
}
