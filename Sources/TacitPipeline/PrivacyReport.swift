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
  var caveats: [String]
  /// Under adaptive clipping, the clipping norm at the end of training (`nil` otherwise).
  var finalClipNorm: Double? = nil

  static func make(plan: PrivacyPlan, training: TrainingSection, history: TrainingHistory) throws -> PrivacyReport {
    let figures = AccountantKind.allCases.map { kind -> Figure in
      let accountant = kind.accountant
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
    return PrivacyReport(
      plan: plan, figures: figures, claimedEpsilon: claimed, caveats: caveats,
      finalClipNorm: plan.adaptiveClipping == nil ? nil : history.epochs.last?.clipNorm)
  }

  /// The `privacy` object of `summary.json` (with `adaptive_clipping` under adaptive clipping).
  var summaryObject: [String: Any] {
    var object: [String: Any] = [
      "epsilon": claimedEpsilon,
      "delta": plan.delta,
      "accountant": plan.section.accountant.rawValue,
      "noise_multiplier": plan.noiseMultiplier,
      "sample_rate": plan.sampleRate,
      "steps": plan.steps,
      "max_grad_norm": plan.section.maxGradNorm,
      "noise": plan.section.noise.rawValue,
    ]
    if let adaptive = adaptiveClippingObject { object["adaptive_clipping"] = adaptive }
    return object
  }

  /// Adaptive clipping's settings and how the step spends σ (Andrew et al. 2021, §3.1): the
  /// gradient sum (sensitivity C_t, noise z_Δ·C_t) and the centred unclipped count (sensitivity
  /// ½, noise σ_b), which together are one Gaussian with σ = (z_Δ⁻² + (2σ_b)⁻²)^{−1/2}.
  var adaptiveClippingObject: [String: Any]? {
    guard let adaptive = plan.adaptiveClipping else { return nil }
    return [
      "target_quantile": adaptive.targetQuantile,
      "learning_rate": adaptive.learningRate,
      "initial_max_grad_norm": plan.section.maxGradNorm,
      "final_max_grad_norm": finalClipNorm.map { $0 as Any } ?? NSNull(),
      "count_noise": adaptive.countNoise,
      "count_noise_source": plan.section.adaptiveClipping?.countNoise == nil
        ? "default: expected batch size / 20" : "given in the recipe",
      "gradient_noise_multiplier": plan.gradientNoiseMultiplier,
      "count_noise_multiplier": 2 * adaptive.countNoise,
      "effective_noise_multiplier": plan.noiseMultiplier,
    ]
  }

  /// The components of one step's Gaussian under adaptive clipping, for the ledger.
  private var stepComponents: [[String: Any]]? {
    guard let adaptive = plan.adaptiveClipping else { return nil }
    return [
      [
        "query": "sum of per-example gradients clipped to C_t", "sensitivity": "C_t",
        "noise_standard_deviation": "z_Δ·C_t", "noise_multiplier": plan.gradientNoiseMultiplier,
      ],
      [
        "query": "count of unclipped examples, centred (Σ(b_i − 1/2))", "sensitivity": 0.5,
        "noise_standard_deviation": adaptive.countNoise, "noise_multiplier": 2 * adaptive.countNoise,
      ],
    ]
  }

  /// `privacy.json`: the ledger, the mechanism's parameters, ε from every accountant, the claim.
  func json() -> String {
    var ledger = PrivacyReport.jsonObject(plan.event)
    if let stepComponents {
      // One Gaussian per step at the effective σ, and the two releases it is made of.
      ledger = PrivacyReport.withComponents(ledger, stepComponents)
    }
    var object: [String: Any] = [
      "ledger": [ledger],
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
    if let adaptive = adaptiveClippingObject { object["adaptive_clipping"] = adaptive }
    return JSONText.encode(object) + "\n"
  }

  /// `event` (as JSON) with `components` added to its innermost Gaussian.
  static func withComponents(_ event: [String: Any], _ components: [[String: Any]]) -> [String: Any] {
    var event = event
    if let inner = event["inner"] as? [String: Any] {
      event["inner"] = withComponents(inner, components)
    } else if event["event"] as? String == "gaussian" {
      event["components"] = components
    }
    return event
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
    if let adaptive = plan.adaptiveClipping {
      lines.append(
        String(
          format: "  adaptive clipping: γ = %g, η = %g; σ = %.4f is the gradient's z_Δ = %.4f with the count's σ_b = %g "
            + "(multiplier 2σ_b = %g); C %g → ",
          adaptive.targetQuantile, adaptive.learningRate, plan.noiseMultiplier, plan.gradientNoiseMultiplier,
          adaptive.countNoise, 2 * adaptive.countNoise, plan.section.maxGradNorm)
          + (finalClipNorm.map { String(format: "%.4g", $0) } ?? "n/a"))
    }
    for caveat in caveats { lines.append("  caveat: " + caveat) }
    return lines
  }
}
