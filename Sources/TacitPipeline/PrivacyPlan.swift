import Foundation
import TacitPrivacy
import TacitRecipe
import TacitTraining

/// The DP-SGD mechanism a private run performs, fixed before training: the sample rate, the
/// number of steps, δ and the noise multiplier (given, or calibrated to the target ε), and the
/// `DPEvent` the accountants analyse.
///
/// `q = batch_size / N` for the N training records; `T = epochs · ⌈N / batch_size⌉` steps of
/// Poisson sampling; the event is `selfComposed(poissonSampled(q, gaussian(σ)), T)`.
struct PrivacyPlan {
  let section: PrivacySection
  let recordCount: Int
  let sampleRate: Double
  let stepsPerEpoch: Int
  let steps: Int
  let delta: Double
  let noiseMultiplier: Double

  /// What the run does, for the accountants.
  var event: DPEvent {
    .selfComposed(
      event: .poissonSampled(sampleRate: sampleRate, event: .gaussian(noiseMultiplier: noiseMultiplier)), count: steps)
  }

  /// The expected batch size `qN` that divides the noisy sum.
  var expectedBatchSize: Double { sampleRate * Double(recordCount) }

  /// The recipe's accountant (whose ε the run claims).
  var claimingAccountant: PrivacyAccountant { PrivacyPlan.accountant(section.accountant) }

  static func accountant(_ kind: PrivacySection.Accountant) -> PrivacyAccountant {
    switch kind {
    case .pld: return PLDAccountant()
    case .rdp: return RDPAccountant()
    case .gdp: return GDPAccountant()
    }
  }

  /// Fixes the mechanism for `recordCount` training records.
  ///
  /// - Throws: `PipelineError` naming `privacy.delta` when δ ≥ 1/N, or the target ε when no
  ///   noise multiplier reaches it.
  static func make(_ section: PrivacySection, training: TrainingSection, recordCount: Int) throws -> PrivacyPlan {
    guard recordCount >= 1 else { throw PipelineError("privacy: DP-SGD needs at least one training record") }
    let delta = section.delta ?? PrivacySection.defaultDelta(recordCount: recordCount)
    guard delta < 1 / Double(recordCount) else {
      throw PipelineError(
        "privacy.delta: \(delta) is not below 1/N = \(1 / Double(recordCount)) for the \(recordCount) training records; "
          + "a δ that large allows releasing a record outright. Use at most \(PrivacySection.defaultDelta(recordCount: recordCount))"
      )
    }
    guard training.batchSize <= recordCount else {
      throw PipelineError(
        "training.batch_size: the expected batch size \(training.batchSize) exceeds the \(recordCount) training records")
    }
    let sampleRate = Double(training.batchSize) / Double(recordCount)
    let stepsPerEpoch = TrainerConfiguration.stepsPerEpoch(records: recordCount, batchSize: training.batchSize)
    let steps = training.epochs * stepsPerEpoch
    let noiseMultiplier: Double
    switch section.budget {
    case .noiseMultiplier(let sigma):
      noiseMultiplier = sigma
    case .targetEpsilon(let target):
      do {
        noiseMultiplier = try NoiseCalibration.noiseMultiplier(
          targetEpsilon: target, delta: delta, sampleRate: sampleRate, steps: steps,
          accountant: accountant(section.accountant)
        ).noiseMultiplier
      } catch {
        throw PipelineError("privacy.target_epsilon: \(error.description)")
      }
    }
    return PrivacyPlan(
      section: section, recordCount: recordCount, sampleRate: sampleRate, stepsPerEpoch: stepsPerEpoch, steps: steps,
      delta: delta, noiseMultiplier: noiseMultiplier)
  }

  /// The recipe's privacy section with what the run used filled in.
  var resolvedSection: PrivacySection {
    var resolved = section
    resolved.resolved = .init(
      noiseMultiplier: noiseMultiplier, delta: delta, sampleRate: sampleRate, steps: steps, recordCount: recordCount)
    return resolved
  }

  /// The DP-SGD step settings.
  var stepSettings: DPSGDSettings {
    DPSGDSettings(
      maxGradNorm: Float(section.maxGradNorm), noiseMultiplier: Float(noiseMultiplier),
      expectedBatchSize: expectedBatchSize, clipping: section.clipping == .flat ? .flat : .perLayer)
  }
}
