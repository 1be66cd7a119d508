import TacitPrivacy
import TacitRecipe
import TacitReport
import TacitTraining

extension PrivacyReport {
  /// The report of a private run: ε from every accountant at the plan's δ, the claim (the
  /// recipe's accountant), and the caveats of the recipe's choices (seeded noise, the GDP
  /// approximation, early stopping, training metrics on private records). With a private
  /// feature normalisation (`featureNorm`, the target's release) the plan's event is the
  /// composition, and the report also shows each part's ε alone.
  static func make(
    plan: PrivacyPlan, training: TrainingSection, history: TrainingHistory, featureNorm: FeatureNormRelease? = nil
  ) throws -> PrivacyReport {
    let figures = AccountantKind.allCases.map { kind -> Figure in
      let accountant = kind.accountant
      do {
        // The claim was computed with the plan, before training: the same event, not redone.
        let claimed = kind.rawValue == plan.section.accountant.rawValue ? plan.claimedEpsilon : nil
        return Figure(
          accountant: accountant.name, epsilon: try claimed ?? accountant.epsilon(for: plan.event, delta: plan.delta),
          isApproximation: accountant.isApproximation, error: nil)
      } catch {
        return Figure(
          accountant: accountant.name, epsilon: nil, isApproximation: accountant.isApproximation, error: String(describing: error)
        )
      }
    }
    guard let claimed = figures.first(where: { $0.accountant == plan.section.accountant.rawValue })?.epsilon else {
      throw PipelineError(
        "privacy.accountant: the \(plan.section.accountant.rawValue) accountant could not analyse this run", isInputError: false)
    }
    var caveats: [String] = []
    if plan.section.noise == .seeded {
      caveats.append(
        "noise: seeded — the noise and the sampling come from the recipe seed, so anyone who knows the seed can remove the noise: "
          + "reproducible, NOT FOR RELEASE")
    }
    if plan.section.accountant == .gdp {
      caveats.append("accountant: gdp — the claimed ε is a central-limit approximation, not a guarantee")
    }
    if training.earlyStopping != nil {
      caveats.append(
        "early stopping chose the final epoch (\(history.finalEpoch) of \(history.epochs.count) run) by looking at validation "
          + "records from the private pool; ε covers the \(plan.accountedSteps) \(plan.extraSteps > 0 ? "counted" : "planned") "
          + "steps but not that choice")
    }
    if plan.extraSteps > 0 {
      caveats.append(
        "resumed after an interruption: \(plan.extraSteps) extra steps counted — the interrupted attempts released nothing, "
          + "but the steps of the epochs they started and this run took again are counted anyway, so ε covers T = "
          + "\(plan.accountedSteps) steps, not the \(plan.steps) planned")
    }
    caveats.append(
      "training metrics (train_loss and train_accuracy in summary.json"
        + (training.evaluateTrain ? ", and the per-epoch training loss and accuracy" : "")
        + ") are computed on private records without noise: they are for the operator, not covered by ε")
    var reportPlan = Plan(plan)
    reportPlan.featureNormalization = featureNorm.map { featureNormalization($0, plan: plan) }
    return PrivacyReport(
      plan: reportPlan, figures: figures, claimedEpsilon: claimed, caveats: caveats,
      finalClipNorm: plan.adaptiveClipping == nil ? nil : history.epochs.last?.clipNorm)
  }
}

extension PrivacyReport {
  /// The report's view of `release`, with each part's ε alone by the claiming accountant.
  static func featureNormalization(_ release: FeatureNormRelease, plan: PrivacyPlan) -> FeatureNormalization {
    let event = PrivacyPlan.normalizationEvent(release.settings)
    let accountant = plan.claimingAccountant
    return FeatureNormalization(
      noiseMultiplier: release.settings.noiseMultiplier, meanClip: release.settings.meanClip,
      squareClip: release.settings.squareClip, varianceFloor: release.settings.varianceFloor, event: event,
      epsilonAlone: try? accountant.epsilon(for: event, delta: plan.delta),
      dpsgdEpsilonAlone: try? accountant.epsilon(for: plan.dpsgdEvent, delta: plan.delta),
      recordCount: release.recordCount, clippedMeanCount: release.clippedMeanCount,
      clippedSquareCount: release.clippedSquareCount, flooredChannels: release.statistics.flooredChannels,
      mean: release.statistics.mean, variance: release.statistics.variance)
  }
}

extension PrivacyReport.Plan {
  /// The figures of `plan` as the report shows them.
  init(_ plan: PrivacyPlan) {
    let source: String
    if case .targetEpsilon(let target) = plan.section.budget {
      source = "calibrated by the \(plan.section.accountant.rawValue) accountant for target_epsilon \(target)"
    } else {
      source = "given in the recipe"
    }
    self.init(
      delta: plan.delta, noiseMultiplier: plan.noiseMultiplier, gradientNoiseMultiplier: plan.gradientNoiseMultiplier,
      noiseMultiplierSource: source, sampleRate: plan.sampleRate, expectedBatchSize: plan.expectedBatchSize,
      recordCount: plan.recordCount, steps: plan.accountedSteps, stepsPerEpoch: plan.stepsPerEpoch,
      maxGradNorm: plan.section.maxGradNorm, accountant: plan.section.accountant.rawValue,
      clipping: plan.section.clipping.rawValue, noise: plan.section.noise.rawValue, event: plan.event,
      adaptiveClipping: plan.adaptiveClipping.map { adaptive in
        PrivacyReport.AdaptiveClipping(
          settings: adaptive,
          countNoiseSource: plan.section.adaptiveClipping?.countNoise == nil
            ? "default: expected batch size / 20" : "given in the recipe")
      })
    extraSteps = plan.extraSteps
    userRecordCount = plan.userRecordCount
  }
}
