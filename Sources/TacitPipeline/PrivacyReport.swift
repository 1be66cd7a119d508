import Foundation
import TacitPrivacy
import TacitRecipe
import TacitTraining

/// What a private run can claim, computed after training: ε from every accountant at the run's
/// δ, the claim (the recipe's accountant), and every caveat the accountant does not cover.
struct PrivacyReport {
  struct Figure {
    var accountant: String
    var epsilon: Double?
    var isApproximation: Bool
    var error: String?
  }

  let plan: PrivacyPlan
  let figures: [Figure]
  let claimedEpsilon: Double
  let caveats: [String]

  static func make(plan: PrivacyPlan, training: TrainingSection, history: TrainingHistory) throws -> PrivacyReport {
    let figures = PrivacySection.Accountant.allCases.map { kind -> Figure in
      let accountant = PrivacyPlan.accountant(kind)
      do {
        return Figure(
          accountant: accountant.name, epsilon: try accountant.epsilon(for: plan.event, delta: plan.delta),
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
          + "records from the private pool; ε covers the \(plan.steps) planned steps but not that choice")
    }
    caveats.append(
      "training metrics (train_loss and train_accuracy in summary.json"
        + (training.evaluateTrain ? ", and the per-epoch training loss and accuracy" : "")
        + ") are computed on private records without noise: they are for the operator, not covered by ε")
    return PrivacyReport(plan: plan, figures: figures, claimedEpsilon: claimed, caveats: caveats)
  }

  /// The `privacy` object of `summary.json`.
  var summaryObject: [String: Any] {
    [
      "epsilon": claimedEpsilon,
      "delta": plan.delta,
      "accountant": plan.section.accountant.rawValue,
      "noise_multiplier": plan.noiseMultiplier,
      "sample_rate": plan.sampleRate,
      "steps": plan.steps,
      "max_grad_norm": plan.section.maxGradNorm,
      "noise": plan.section.noise.rawValue,
    ]
  }

  /// `privacy.json`: the ledger, the mechanism's parameters, ε from every accountant, the claim.
  func json() -> String {
    let object: [String: Any] = [
      "ledger": [PrivacyReport.jsonObject(plan.event)],
      "noise_multiplier": plan.noiseMultiplier,
      "noise_multiplier_source": {
        if case .targetEpsilon(let target) = plan.section.budget {
          return "calibrated by the \(plan.section.accountant.rawValue) accountant for target_epsilon \(target)"
        }
        return "given in the recipe"
      }(),
      "sample_rate": plan.sampleRate,
      "expected_batch_size": plan.expectedBatchSize,
      "training_records": plan.recordCount,
      "steps": plan.steps,
      "steps_per_epoch": plan.stepsPerEpoch,
      "max_grad_norm": plan.section.maxGradNorm,
      "clipping": plan.section.clipping.rawValue,
      "delta": plan.delta,
      "noise": plan.section.noise.rawValue,
      "sampling": "poisson",
      "epsilons": figures.map { figure -> [String: Any] in
        [
          "accountant": figure.accountant,
          "epsilon": figure.epsilon.map { $0 as Any } ?? NSNull(),
          "approximation": figure.isApproximation,
          "error": figure.error.map { $0 as Any } ?? NSNull(),
        ]
      },
      "claimed_epsilon": claimedEpsilon,
      "claimed_by": plan.section.accountant.rawValue,
      "caveats": caveats,
    ]
    return JSONText.encode(object) + "\n"
  }

  /// A `DPEvent` as JSON, in dp_accounting's vocabulary.
  static func jsonObject(_ event: DPEvent) -> [String: Any] {
    switch event {
    case .gaussian(let noiseMultiplier):
      return ["event": "gaussian", "noise_multiplier": noiseMultiplier]
    case .poissonSampled(let sampleRate, let inner):
      return ["event": "poisson_sampled", "sample_rate": sampleRate, "inner": jsonObject(inner)]
    case .selfComposed(let inner, let count):
      return ["event": "self_composed", "count": count, "inner": jsonObject(inner)]
    case .composed(let events):
      return ["event": "composed", "events": events.map(jsonObject)]
    }
  }

  /// Lines for the terminal and the log.
  var lines: [String] {
    let accountant = plan.section.accountant.rawValue
    var lines = [
      String(format: "privacy: (ε = %.3f, δ = %.1e) claimed by the ", claimedEpsilon, plan.delta) + accountant
        + String(
          format: " accountant; σ = %.4f, q = %.6f, T = %d, C = %g", plan.noiseMultiplier, plan.sampleRate, plan.steps,
          plan.section.maxGradNorm)
    ]
    let all = figures.map { figure in
      figure.epsilon.map { figure.accountant + String(format: " %.3f", $0) + (figure.isApproximation ? " (approx.)" : "") }
        ?? "\(figure.accountant): \(figure.error ?? "n/a")"
    }
    lines.append("  ε by accountant: " + all.joined(separator: ", "))
    for caveat in caveats { lines.append("  caveat: " + caveat) }
    return lines
  }
}
