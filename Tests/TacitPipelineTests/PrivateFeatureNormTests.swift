import Foundation
import TacitData
import TacitNN
import TacitPrivacy
import TacitRecipe
import TacitTensor
import Testing

@testable import TacitPipeline

/// `data.features.private_norm` in the pipeline: the plan composes its releases with DP-SGD's
/// steps, calibration keeps the composition within the target, and every model (target or
/// reference) standardises with a release of its own training records.
@Suite struct PrivateFeatureNormTests {
  static let settings = FeaturePrivateNorm(noiseMultiplier: 8, meanClip: 0.6, squareClip: 0.15)

  static func section(_ budget: PrivacySection.Budget, accountant: PrivacySection.Accountant) -> PrivacySection {
    PrivacySection(
      budget: budget, delta: 1e-5, maxGradNorm: 0.1, clipping: .flat, accountant: accountant, noise: .seeded,
      adaptiveClipping: nil)
  }

  /// The event is `composed([selfComposed(gaussian(σ_n), 2), dpsgd])` and the claimed ε is the
  /// recipe accountant's ε of exactly that event.
  @Test(arguments: [PrivacySection.Accountant.rdp, .pld])
  func claimIsTheAccountantsEpsilonOfTheComposedEvent(accountant: PrivacySection.Accountant) throws {
    let plan = try PrivacyPlan.make(
      Self.section(.noiseMultiplier(3), accountant: accountant), training: PrivacyPlanTests.training(epochs: 5, batchSize: 512),
      recordCount: 6000, featureNorm: Self.settings)
    let normalization = DPEvent.selfComposed(event: .gaussian(noiseMultiplier: 8), count: 2)
    let dpsgd = DPEvent.dpsgd(noiseMultiplier: 3, sampleRate: 512.0 / 6000, steps: plan.steps)
    #expect(plan.event == .composed([normalization, dpsgd]))
    #expect(plan.dpsgdEvent == dpsgd && plan.normalizationEvent == normalization)
    let claimed = try #require(plan.claimedEpsilon)
    #expect(claimed == (try AccountantKind(accountant).accountant.epsilon(for: .composed([normalization, dpsgd]), delta: 1e-5)))
    let alone = try AccountantKind(accountant).accountant.epsilon(for: dpsgd, delta: 1e-5)
    #expect(claimed > alone, "composed \(claimed), DP-SGD alone \(alone)")
  }

  /// Calibrating to a target ε: the composed ε never exceeds it and is close to it; DP-SGD's σ is
  /// larger than without the normalisation.
  @Test(arguments: [PrivacySection.Accountant.rdp, .pld])
  func calibrationKeepsTheCompositionWithinTheTarget(accountant: PrivacySection.Accountant) throws {
    let training = PrivacyPlanTests.training(epochs: 60, batchSize: 8192)
    let plan = try PrivacyPlan.make(
      Self.section(.targetEpsilon(3), accountant: accountant), training: training, recordCount: 60000,
      featureNorm: Self.settings)
    let composed = try AccountantKind(accountant).accountant.epsilon(for: plan.event, delta: 1e-5)
    #expect(composed <= 3 && composed > 3 * (1 - 2e-3), "composed ε \(composed)")
    #expect(plan.claimedEpsilon == composed)
    let without = try PrivacyPlan.make(
      Self.section(.targetEpsilon(3), accountant: accountant), training: training, recordCount: 60000)
    #expect(plan.noiseMultiplier > without.noiseMultiplier)
  }

  /// A normalisation that alone spends the target is refused, naming both keys.
  @Test func aNormalisationThatSpendsTheTargetIsRefused() {
    var costly = Self.settings
    costly.noiseMultiplier = 0.5
    #expect {
      try PrivacyPlan.make(
        Self.section(.targetEpsilon(3), accountant: .pld), training: PrivacyPlanTests.training(), recordCount: 6000,
        featureNorm: costly)
    } throws: { error in
      let message = (error as? PipelineError)?.description ?? ""
      return message.hasPrefix(
        "privacy.target_epsilon: the mechanism composed with DP-SGD (2 × Gaussian (σ = 0.5000)) alone spends ε = ")
        && message.hasSuffix("(or raise data.features.private_norm.noise_multiplier)")
    }
  }

  static let recipeText = """
    version: 1
    name: private-norm
    data:
      source: fashion_mnist
      flatten: true
      features:
        scattering: {scales: 2, orientations: 8}
        private_norm: {noise_multiplier: 8, mean_clip: 0.6, square_clip: 0.15}
    model: [{type: dense, units: 3}]
    training: {epochs: 1, batch_size: 5}
    privacy: {noise_multiplier: 1.0, max_grad_norm: 0.1, noise: seeded}
    """

  /// A reference model puts first a standardisation from its own training records with its own
  /// seeded noise (split "feature-norm-noise" of its root), the same as a direct release.
  @Test func aReferenceModelStandardisesWithItsOwnRelease() throws {
    let recipe = try Recipe.parse(yaml: Self.recipeText, fileName: "x.yaml", baseDirectory: "/")
    var generator = SeededGenerator(seed: 4)
    let features = Tensor(shape: [20, 4 * 81], scalars: (0..<(20 * 4 * 81)).map { _ in Random.uniform(using: &generator) })
    let trainingSet = LabeledDataset(
      features: features, labels: (0..<20).map { Int32($0 % 3) }, classCount: 3, name: "reference-train")
    let targetPlan = try PrivacyPlan.make(
      try #require(recipe.privacy), training: recipe.training, recordCount: 40,
      featureNorm: recipe.data.features?.privateNorm)
    let root = SeededGenerator(seed: 9).split("reference", index: 1)
    let model = try ReferenceTraining.trainModel(
      recipe: recipe, targetPlan: targetPlan, trainingSet: trainingSet, validation: nil, root: root)
    let layer = try #require(model.layers.first as? ChannelStandardization)
    let expected = FeatureNormRelease.make(
      Self.settings, channels: 81, trainingSet: trainingSet, noise: .seeded, root: root)
    #expect(expected.recordCount == 20)
    #expect(layer.mean == expected.statistics.mean.map(Float.init))
    #expect(layer.scale == expected.statistics.inverseDeviation.map(Float.init))
    #expect(model.layers.count == 2 && model.parameters.count == 2)
  }
}
