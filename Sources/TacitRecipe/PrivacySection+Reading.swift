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
      budget = section.requiredNumber("noise_multiplier", .greaterThan(0)).map(Budget.noiseMultiplier)
      section.ignore(["target_epsilon"])
    } else {
      section.reportMissing("target_epsilon", hint: " (or noise_multiplier); e.g. `target_epsilon: 3`")
      section.ignore(["target_epsilon", "noise_multiplier"])
    }
    let delta = section.optionalNumber("delta", .open(0, 1))
    let maxGradNorm = section.number("max_grad_norm", default: 1.0, .greaterThan(0))
    let clipping = section.choice("clipping", default: Clipping.flat)
    let accountant = section.choice("accountant", default: Accountant.pld)
    let noise = section.choice("noise", default: Noise.secure)
    section.finish()
    guard let budget else { return nil }
    return PrivacySection(
      budget: budget, delta: delta, maxGradNorm: maxGradNorm, clipping: clipping, accountant: accountant, noise: noise)
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
    if let resolved {
      emitter.comment(
        "sample_rate q = \(number(resolved.sampleRate)) (training.batch_size / \(resolved.recordCount) training records), "
          + "steps T = \(resolved.steps)")
    }
  }
}
