import Yams

extension PrivacySection {
  static func read(_ section: MappingReader) -> PrivacySection? {
    let hasTarget = section.nonNullValue("target_epsilon") != nil
    let hasNoise = section.nonNullValue("noise_multiplier") != nil
    var budget: Budget?
    if hasTarget && hasNoise {
      section.report(
        "give either privacy.target_epsilon or privacy.noise_multiplier, not both", key: "noise_multiplier")
      section.ignore(["target_epsilon", "noise_multiplier"])
    } else if hasTarget {
      budget = section.requiredNumber("target_epsilon", .greaterThan(0)).map(Budget.targetEpsilon)
      section.ignore(["noise_multiplier"])
    } else if hasNoise {
      budget = section.requiredNumber("noise_multiplier", .greaterThan(0).representableInFloat).map(Budget.noiseMultiplier)
      section.ignore(["target_epsilon"])
    } else {
      section.reportMissing("target_epsilon", hint: " (or noise_multiplier); e.g. `target_epsilon: 3`")
      section.ignore(["target_epsilon", "noise_multiplier"])
    }
    let delta = section.optionalNumber("delta", .open(0, 1))
    let maxGradNorm = section.number("max_grad_norm", default: 1.0, .greaterThan(0).representableInFloat)
    let clipping = section.choice("clipping", default: Clipping.flat)
    let accountant = section.choice("accountant", default: Accountant.pld)
    let noise = section.choice("noise", default: Noise.secure)
    let unit = section.choice("unit", default: Unit.record)
    var adaptiveClipping: AdaptiveClipping?
    if section.nonNullValue("adaptive_clipping") != nil {
      adaptiveClipping = AdaptiveClipping.read(section.child("adaptive_clipping"))
      if clipping != .flat {
        section.report(
          "adaptive clipping tracks one norm over all parameters and needs clipping: flat, not \(clipping.rawValue) "
            + "(per-layer norms would each need their own noisy quantile, paid from the budget)",
          key: "adaptive_clipping")
      }
    }
    section.finish()
    guard let budget else { return nil }
    var privacy = PrivacySection(
      budget: budget, delta: delta, maxGradNorm: maxGradNorm, clipping: clipping, accountant: accountant, noise: noise,
      adaptiveClipping: adaptiveClipping)
    privacy.unit = unit
    return privacy
  }
}

extension PrivacySection.AdaptiveClipping {
  /// Reads `privacy.adaptive_clipping` (a mapping; `{}` gives every default).
  static func read(_ section: MappingReader) -> PrivacySection.AdaptiveClipping {
    let targetQuantile = section.number("target_quantile", default: 0.5, .open(0, 1))
    let learningRate = section.number("learning_rate", default: 0.2, .greaterThan(0).representableInFloat)
    let countNoise = section.optionalNumber("count_noise", .greaterThan(0).representableInFloat)
    section.finish()
    return PrivacySection.AdaptiveClipping(targetQuantile: targetQuantile, learningRate: learningRate, countNoise: countNoise)
  }
}

extension PrivacySection {
  func emit(into emitter: inout RecipeEmitter) {
    let number = RecipeEmitter.number
    if let resolved {
      let origin: String
      switch budget {
      case .targetEpsilon(let target): origin = "calibrated (\(accountant.rawValue)) for target_epsilon \(number(target))"
      case .noiseMultiplier: origin = "as given"
      }
      emitter.entry("noise_multiplier", number(resolved.noiseMultiplier), comment: origin)
      emitter.entry("delta", number(resolved.delta), comment: delta == nil ? "default: largest power of ten below 1/N" : nil)
    } else {
      switch budget {
      case .targetEpsilon(let target): emitter.entry("target_epsilon", number(target))
      case .noiseMultiplier(let sigma): emitter.entry("noise_multiplier", number(sigma))
      }
      emitter.entry("delta", delta.map(number) ?? "null", comment: delta == nil ? "default: largest power of ten below 1/N" : nil)
    }
    emitter.entry("max_grad_norm", number(maxGradNorm))
    emitter.entry("clipping", clipping.rawValue)
    emitter.entry("accountant", accountant.rawValue)
    emitter.entry("noise", noise.rawValue)
    // Only when not the default, so that existing recipes' resolved text (and shard fingerprints) stay.
    if unit != .record { emitter.entry("unit", unit.rawValue, comment: "(ε, δ) per user: all of a user's records") }
    if let adaptiveClipping {
      emitter.section("adaptive_clipping") { writer in
        writer.entry("target_quantile", number(adaptiveClipping.targetQuantile))
        writer.entry("learning_rate", number(adaptiveClipping.learningRate))
        if let countNoise = adaptiveClipping.countNoise {
          writer.entry("count_noise", number(countNoise))
        } else if let countNoise = resolved?.countNoise {
          writer.entry("count_noise", number(countNoise), comment: "default: expected batch size / 20")
        } else {
          writer.entry("count_noise", "null", comment: "default: expected batch size / 20")
        }
        if let resolved, let gradient = resolved.gradientNoiseMultiplier {
          writer.comment(
            "the gradient carries noise multiplier z_Δ = \(number(gradient)) and the count noise σ_b, so that the step is "
              + "one Gaussian mechanism with the effective noise_multiplier \(number(resolved.noiseMultiplier))")
        }
      }
    }
    if let resolved {
      emitter.comment(
        "sample_rate q = \(number(resolved.sampleRate)) (training.batch_size / \(resolved.recordCount) "
          + (unit == .user ? "users), " : "training records), ")
          + "steps T = \(resolved.steps)")
    }
  }
}
