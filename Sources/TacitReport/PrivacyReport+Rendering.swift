import Foundation
import TacitPrivacy

extension PrivacyReport {
  /// The `privacy` object of `summary.json` (with `adaptive_clipping` under adaptive clipping).
  public var summaryObject: [String: Any] {
    var object: [String: Any] = [
      "epsilon": claimedEpsilon,
      "delta": plan.delta,
      "accountant": plan.accountant,
      "noise_multiplier": plan.noiseMultiplier,
      "sample_rate": plan.sampleRate,
      "steps": plan.steps,
      "max_grad_norm": plan.maxGradNorm,
      "noise": plan.noise,
    ]
    if plan.userRecordCount != nil { object["users"] = plan.recordCount }
    if let adaptive = adaptiveClippingObject { object["adaptive_clipping"] = adaptive }
    if plan.extraSteps > 0 { object["resumed_extra_steps"] = plan.extraSteps }
    if let normalization = plan.featureNormalization {
      object["feature_normalization"] = normalization.jsonObject(released: false)
    }
    return object
  }

  /// Adaptive clipping's settings and how the step spends σ (Andrew et al. 2021, §3.1): the
  /// gradient sum (sensitivity C_t, noise z_Δ·C_t) and the centred unclipped count (sensitivity
  /// ½, noise σ_b), which together are one Gaussian with σ = (z_Δ⁻² + (2σ_b)⁻²)^{−1/2}.
  var adaptiveClippingObject: [String: Any]? {
    guard let adaptiveClipping = plan.adaptiveClipping else { return nil }
    let adaptive = adaptiveClipping.settings
    return [
      "target_quantile": adaptive.targetQuantile,
      "learning_rate": adaptive.learningRate,
      "initial_max_grad_norm": plan.maxGradNorm,
      "final_max_grad_norm": finalClipNorm.map { $0 as Any } ?? NSNull(),
      "count_noise": adaptive.countNoise,
      "count_noise_source": adaptiveClipping.countNoiseSource,
      "gradient_noise_multiplier": plan.gradientNoiseMultiplier,
      "count_noise_multiplier": 2 * adaptive.countNoise,
      "effective_noise_multiplier": plan.noiseMultiplier,
    ]
  }

  /// The components of one step's Gaussian under adaptive clipping, for the ledger.
  private var stepComponents: [[String: Any]]? {
    guard let adaptive = plan.adaptiveClipping?.settings else { return nil }
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

  /// `privacy.json`: the ledger (the events run one after another: a feature normalisation's
  /// releases, then DP-SGD's steps), the mechanism's parameters, ε from every accountant, the
  /// claim (of the composition of the ledger's events).
  public func json() -> String {
    var ledger = plan.dpsgdEvent.jsonObject
    if let stepComponents {
      // One Gaussian per step at the effective σ, and the two releases it is made of.
      ledger = PrivacyReport.withComponents(ledger, stepComponents)
    }
    var object: [String: Any] = [
      "ledger": (plan.featureNormalization.map { [$0.ledgerObject] } ?? []) + [ledger],
      "noise_multiplier": plan.noiseMultiplier,
      "noise_multiplier_source": plan.noiseMultiplierSource,
      "sample_rate": plan.sampleRate,
      "expected_batch_size": plan.expectedBatchSize,
      "training_records": plan.userRecordCount ?? plan.recordCount,
      "privacy_unit": plan.userRecordCount == nil ? "record" : "user",
      "steps": plan.steps,
      "steps_per_epoch": plan.stepsPerEpoch,
      "max_grad_norm": plan.maxGradNorm,
      "clipping": plan.clipping,
      "delta": plan.delta,
      "noise": plan.noise,
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
      "claimed_by": plan.accountant,
      "caveats": caveats,
    ]
    if plan.userRecordCount != nil { object["users"] = plan.recordCount }
    if let adaptive = adaptiveClippingObject { object["adaptive_clipping"] = adaptive }
    if plan.extraSteps > 0 {
      object["planned_steps"] = plan.steps - plan.extraSteps
      object["resumed_extra_steps"] = plan.extraSteps
    }
    if let normalization = plan.featureNormalization {
      object["feature_normalization"] = normalization.jsonObject(released: true)
    }
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

  /// Lines for the terminal and the log.
  public var lines: [String] {
    var lines = [
      String(format: "privacy: (ε = %.3f, δ = %.1e) claimed by the ", claimedEpsilon, plan.delta) + plan.accountant
        + String(
          format: " accountant; σ = %.4f, q = %.6f, T = %ld, C = %g", plan.noiseMultiplier, plan.sampleRate, plan.steps,
          plan.maxGradNorm)
    ]
    let all = figures.map { figure in
      figure.epsilon.map { figure.accountant + String(format: " %.3f", $0) + (figure.isApproximation ? " (approx.)" : "") }
        ?? "\(figure.accountant): \(figure.error ?? "n/a")"
    }
    lines.append("  ε by accountant: " + all.joined(separator: ", "))
    if let records = plan.userRecordCount {
      lines.append(
        "  privacy unit: user. (ε, δ) protects all of one user's records at once: \(plan.recordCount) users hold the "
          + "\(records) training records; q = batch_size / \(plan.recordCount) users")
    }
    if let normalization = plan.featureNormalization { lines.append(normalization.line) }
    if let adaptive = plan.adaptiveClipping?.settings {
      lines.append(
        String(
          format: "  adaptive clipping: γ = %g, η = %g; σ = %.4f is the gradient's z_Δ = %.4f with the count's σ_b = %g "
            + "(multiplier 2σ_b = %g); C %g → ",
          adaptive.targetQuantile, adaptive.learningRate, plan.noiseMultiplier, plan.gradientNoiseMultiplier,
          adaptive.countNoise, 2 * adaptive.countNoise, plan.maxGradNorm)
          + (finalClipNorm.map { String(format: "%.4g", $0) } ?? "n/a"))
    }
    for caveat in caveats { lines.append("  caveat: " + caveat) }
    return lines
  }
}
