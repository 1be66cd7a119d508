import Foundation
import TacitPrivacy
import TacitRecipe
import TacitTraining

/// The DP-SGD mechanism a private run performs, fixed before training: the sample rate, the
/// number of steps, δ and the noise multiplier (given, or calibrated to the target ε), and the
/// `DPEvent` the accountants analyse.
///
/// `q = batch_size / N` for the N training records; `T = epochs · ⌈N / batch_size⌉` steps of
/// Poisson sampling; the event is `DPEvent.dpsgd(noiseMultiplier: σ, sampleRate: q, steps: T)`.
///
/// With adaptive clipping (Andrew et al. 2021) each step also releases a noisy count of the
/// unclipped examples. σ stays the *effective* multiplier of the whole step, the one in the
/// event: the gradient carries `z_Δ = (σ⁻² − (2σ_b)⁻²)^{−1/2}` and the count noise `σ_b`, so the
/// two releases together are one Gaussian mechanism with multiplier σ
/// (`AdaptiveClippingNoise`). The event does not change; privacy.json lists both parts.
///
/// With `data.features.private_norm` (Tramèr & Boneh 2021) the run makes two more releases
/// before training, the noisy per-channel sums of the feature means and mean squares: each a
/// Gaussian mechanism with multiplier σ_n on all N records, `selfComposed(gaussian(σ_n), 2)`.
/// The run's event is then `composed([that, dpsgd])`, and a target ε calibrates DP-SGD's σ with
/// the normalisation fixed inside the composition (`NoiseCalibration`, `composedWith`), so the
/// composed ε stays within the target.
struct PrivacyPlan {
  let section: PrivacySection
  /// N: the training records, or under `privacy.unit: user` the users U.
  let recordCount: Int
  /// Under `privacy.unit: user`, the training records the `recordCount` users hold; `nil`
  /// otherwise.
  var userRecordCount: Int?
  /// `training.batch_size`: the expected batch size, in records, that fixes q for any N.
  let batchSize: Int
  /// `training.epochs`.
  let epochs: Int
  let sampleRate: Double
  let stepsPerEpoch: Int
  let steps: Int
  let delta: Double
  /// The effective noise multiplier σ the accountants see.
  let noiseMultiplier: Double
  /// `data.features.private_norm`: the feature normalisation released before training, `nil`
  /// without one.
  let featureNorm: FeaturePrivateNorm?
  /// Adaptive clipping's settings with the count noise σ_b resolved; `nil` with a fixed norm.
  private(set) var adaptiveClipping: AdaptiveClippingSettings?
  /// The gradient's noise multiplier: z_Δ under adaptive clipping, else σ.
  private(set) var gradientNoiseMultiplier: Double
  /// Steps taken beyond the plan's T by attempts that a crash interrupted, whose epochs a resumed
  /// run took again (`counting(extraSteps:)`); 0 for a run that was not interrupted.
  private(set) var extraSteps = 0

  /// The steps the accountants count: the planned T plus the interrupted attempts' extra steps.
  var accountedSteps: Int { steps + extraSteps }

  /// ε of `event` at δ by the recipe's accountant (the claim), computed when the run's plan is
  /// made, before training; `nil` for a reference plan, which claims nothing.
  private(set) var claimedEpsilon: Double?

  /// What the run does, for the accountants: DP-SGD's event, composed after the feature
  /// normalisation's when there is one.
  var event: DPEvent {
    guard let normalizationEvent else { return dpsgdEvent }
    return .composed([normalizationEvent, dpsgdEvent])
  }

  /// DP-SGD's steps alone.
  var dpsgdEvent: DPEvent { .dpsgd(noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: accountedSteps) }

  /// The feature normalisation's two releases, `selfComposed(gaussian(σ_n), 2)`; `nil` without.
  var normalizationEvent: DPEvent? { featureNorm.map(Self.normalizationEvent) }

  /// The event of `data.features.private_norm`'s releases: the means and the mean squares, each
  /// a Gaussian with multiplier σ_n relative to its clipping bound, on every training record.
  static func normalizationEvent(_ settings: FeaturePrivateNorm) -> DPEvent {
    normalizationEvent(noiseMultiplier: settings.noiseMultiplier)
  }

  /// The same releases for σ_n = `noiseMultiplier` (`tacit epsilon --feature-norm-noise`).
  static func normalizationEvent(noiseMultiplier: Double) -> DPEvent {
    .selfComposed(event: .gaussian(noiseMultiplier: noiseMultiplier), count: FeaturePrivateNorm.releaseCount)
  }

  /// The plan with `extraSteps` more steps counted: a run resumed after a crash, whose killed
  /// attempts released nothing but whose steps the ledger counts anyway (pessimistically, every
  /// step of every started epoch). σ stays the one planned (calibrated for T, if calibrated);
  /// only the accounted T, and so the claimed ε, grows. The resolved recipe keeps the planned T.
  func counting(extraSteps: Int) -> PrivacyPlan {
    precondition(extraSteps >= 0, "extra steps must be ≥ 0, got \(extraSteps)")
    var plan = self
    plan.extraSteps = extraSteps
    // The claim made before training covered T steps: recompute it for the steps counted.
    if extraSteps > 0 && claimedEpsilon != nil { plan.claimedEpsilon = nil }
    return plan
  }

  /// The expected batch size `qN` that divides the noisy sum.
  var expectedBatchSize: Double { sampleRate * Double(recordCount) }

  /// The recipe's accountant (whose ε the run claims).
  var claimingAccountant: PrivacyAccountant { AccountantKind(section.accountant).accountant }

  /// Fixes the mechanism for `recordCount` training records (users, under `privacy.unit: user`).
  ///
  /// - Throws: `PipelineError` naming `privacy.delta` when δ ≥ 1/N, the target ε when no
  ///   noise multiplier reaches it, or `privacy.accountant` when the recipe's accountant cannot
  ///   analyse the mechanism (a noise multiplier too small for it): before training, not after.
  static func make(
    _ section: PrivacySection, training: TrainingSection, recordCount: Int, featureNorm: FeaturePrivateNorm? = nil
  ) throws -> PrivacyPlan {
    guard recordCount >= 1 else { throw PipelineError("privacy: DP-SGD needs at least one training record") }
    let delta = section.delta ?? PrivacySection.defaultDelta(recordCount: recordCount)
    guard delta < 1 / Double(recordCount) else {
      throw PipelineError(
        "privacy.delta: \(delta) is not below 1/N = \(1 / Double(recordCount)) for the \(recordCount) "
          + (section.unit == .user ? "users (privacy.unit: user); " : "training records; ")
          + "a δ that large allows releasing a record outright. Use at most \(PrivacySection.defaultDelta(recordCount: recordCount))"
      )
    }
    var plan = try make(
      section, batchSize: training.batchSize, epochs: training.epochs, recordCount: recordCount, delta: delta,
      featureNorm: featureNorm)
    if plan.claimedEpsilon == nil {
      do {
        plan.claimedEpsilon = try plan.claimingAccountant.epsilon(for: plan.event, delta: delta)
      } catch {
        throw PipelineError(
          "privacy.accountant: the \(section.accountant.rawValue) accountant cannot analyse this run's mechanism"
            + " (σ = \(plan.noiseMultiplier), q = \(plan.sampleRate), T = \(plan.steps)): \(error.description)")
      }
    }
    return plan
  }

  /// The plan of a reference (shadow) model trained like this run on `recordCount` records:
  /// the same σ (never calibrated again), clipping norm C, clipping mode and adaptive clipping
  /// settings, with seeded noise; q = batch_size / N and T = epochs · ⌈N / batch_size⌉ for the
  /// reference's N, and δ the default for N (a reference claims nothing: δ only fills the plan).
  /// Under adaptive clipping without an explicit `count_noise` the count noise is the default
  /// E/20 for the reference's expected batch size E, and z_Δ follows from it.
  ///
  /// - Throws: `PipelineError` when the batch size exceeds `recordCount`, or when the count
  ///   noise is too small for σ.
  func reference(recordCount: Int) throws -> PrivacyPlan {
    guard recordCount >= 1 else { throw PipelineError("privacy: DP-SGD needs at least one training record") }
    var referenceSection = section
    referenceSection.budget = .noiseMultiplier(noiseMultiplier)
    referenceSection.delta = nil
    referenceSection.noise = .seeded
    referenceSection.resolved = nil
    return try PrivacyPlan.make(
      referenceSection, batchSize: batchSize, epochs: epochs, recordCount: recordCount,
      delta: PrivacySection.defaultDelta(recordCount: recordCount), featureNorm: featureNorm)
  }

  /// The mechanism for `recordCount` records once δ is fixed: q, T, σ (calibrated for a target
  /// ε with the recipe's accountant) and the adaptive-clipping split.
  private static func make(
    _ section: PrivacySection, batchSize: Int, epochs: Int, recordCount: Int, delta: Double,
    featureNorm: FeaturePrivateNorm?
  ) throws -> PrivacyPlan {
    guard batchSize <= recordCount else {
      throw PipelineError(
        "training.batch_size: the expected batch size \(batchSize) exceeds the \(recordCount) training records")
    }
    let sampleRate = Double(batchSize) / Double(recordCount)
    let stepsPerEpoch = TrainerConfiguration.stepsPerEpoch(records: recordCount, batchSize: batchSize)
    let steps = epochs * stepsPerEpoch
    let noiseMultiplier: Double
    var calibratedEpsilon: Double?
    switch section.budget {
    case .noiseMultiplier(let sigma):
      noiseMultiplier = sigma
    case .targetEpsilon(let target):
      do {
        (noiseMultiplier, calibratedEpsilon) = try NoiseCalibration.noiseMultiplier(
          targetEpsilon: target, delta: delta, sampleRate: sampleRate, steps: steps,
          accountant: AccountantKind(section.accountant).accountant, composedWith: featureNorm.map(normalizationEvent))
      } catch {
        let culprit = featureNorm == nil ? "" : " (or raise data.features.private_norm.noise_multiplier)"
        throw PipelineError("privacy.target_epsilon: \(error.description)\(culprit)")
      }
    }
    var plan = PrivacyPlan(
      section: section, recordCount: recordCount, batchSize: batchSize, epochs: epochs, sampleRate: sampleRate,
      stepsPerEpoch: stepsPerEpoch, steps: steps, delta: delta, noiseMultiplier: noiseMultiplier,
      featureNorm: featureNorm, gradientNoiseMultiplier: noiseMultiplier, claimedEpsilon: calibratedEpsilon)
    if let adaptive = section.adaptiveClipping {
      let countNoise =
        adaptive.countNoise ?? AdaptiveClippingNoise.defaultCountNoise(expectedBatchSize: plan.expectedBatchSize)
      guard
        let gradient = AdaptiveClippingNoise.gradientNoiseMultiplier(effective: noiseMultiplier, countNoise: countNoise)
      else {
        let origin = adaptive.countNoise == nil ? " (the default, expected batch size \(plan.expectedBatchSize) / 20)" : ""
        throw PipelineError(
          "privacy.adaptive_clipping.count_noise: σ_b = \(countNoise)\(origin) is too small for the noise multiplier "
            + "σ = \(noiseMultiplier): the count alone would spend the whole budget, since the step's effective multiplier "
            + "(z_Δ⁻² + (2σ_b)⁻²)^(−1/2) stays below 2σ_b whatever the gradient's noise z_Δ. Use count_noise above \(noiseMultiplier / 2) (a few times larger "
            + "leaves most of the budget to the gradient), a larger batch_size, or less noise")
      }
      plan.adaptiveClipping = AdaptiveClippingSettings(
        targetQuantile: adaptive.targetQuantile, learningRate: adaptive.learningRate, countNoise: countNoise)
      plan.gradientNoiseMultiplier = gradient
    }
    return plan
  }

  /// The recipe's privacy section with what the run used filled in.
  var resolvedSection: PrivacySection {
    var resolved = section
    resolved.resolved = .init(
      noiseMultiplier: noiseMultiplier, delta: delta, sampleRate: sampleRate, steps: steps, recordCount: recordCount,
      countNoise: adaptiveClipping?.countNoise, gradientNoiseMultiplier: adaptiveClipping.map { _ in gradientNoiseMultiplier })
    return resolved
  }

  /// The DP-SGD step settings (the gradient's multiplier z_Δ under adaptive clipping).
  var stepSettings: DPSGDSettings {
    DPSGDSettings(
      maxGradNorm: Float(section.maxGradNorm), noiseMultiplier: Float(gradientNoiseMultiplier),
      expectedBatchSize: expectedBatchSize, clipping: section.clipping == .flat ? .flat : .perLayer,
      adaptiveClipping: adaptiveClipping)
  }
}
