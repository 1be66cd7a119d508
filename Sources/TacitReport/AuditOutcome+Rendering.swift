import Foundation
import TacitAudit

extension AuditOutcome {
  /// `summary.json`'s `audit` object.
  public var summaryObject: [String: Any] {
    var attackObjects: [String: Any] = [:]
    for attack in attacks {
      attackObjects[attack.name] = [
        "auc": rounded(attack.metrics.auc), "advantage": rounded(attack.metrics.advantage),
        "tpr_at_fpr": attack.metrics.tprAtFPR.mapValues(rounded),
      ]
    }
    var object: [String: Any] = [
      "verdict": verdict.rawValue, "epsilon_claimed": epsilonClaimed as Any? ?? NSNull(),
      "epsilon_lower_bound": rounded(epsilonLowerBound), "confidence": confidence, "attacks": attackObjects,
      "ceiling": ceiling.map { rounded($0) as Any } ?? NSNull(),
      "mechanism_checks": (canaries?.mechanismChecks ?? []).map(Self.checkObject), "caveats": caveats,
    ]
    if let blindBaseline { object["blind_baseline"] = Self.blindBaselineObject(blindBaseline, detailed: false) }
    if let allowed = allowedAUC, !attacks.isEmpty {
      object["auc_allowed"] = [
        "maximum": rounded(allowed), "exceeded_by": attacksExceedingAllowedAUC,
        "method": "area under the (epsilon, delta)-DP trade-off curve's best ROC, integral of min(1, delta + e^eps x, "
          + "1 - e^-eps (1 - delta - x)) over x in [0, 1]; exceeded when an attack's AUC interval lies above it",
      ]
    }
    return object
  }

  /// A mechanism check as JSON: `{kind, measured, accounted, standard_error, observations, status}`
  /// (a non-finite measurement is `null`).
  static func checkObject(_ check: MechanismCheck) -> [String: Any] {
    [
      "kind": check.kind.rawValue, "measured": check.measured,
      "accounted": check.accounted, "standard_error": check.standardError,
      "observations": check.observations, "status": check.status.rawValue,
    ]
  }

  /// `audit.json`'s `canaries` object: the headline, each analysis' bound, the selection, the
  /// ceiling, the mechanism checks and the paths the canaries exercised.
  static func canaryObject(_ canaries: CanaryResult) -> [String: Any] {
    [
      "kind": canaries.kind, "count": canaries.count, "guesses": canaries.guesses, "correct": canaries.correct,
      "epsilon_lower_bound": rounded(canaries.epsilonLowerBound), "ceiling": rounded(canaries.ceiling),
      "bound_confidence": canaries.confidence, "selection": canaries.selection,
      "bounds": canaries.bounds.map { bound -> [String: Any] in
        [
          "analysis": bound.analysis.rawValue, "method": bound.names.method, "guesses": bound.guesses,
          "positive_guesses": bound.positiveGuesses, "negative_guesses": bound.negativeGuesses,
          "correct": bound.correct, "epsilon_lower_bound": rounded(bound.epsilonLowerBound),
          "ceiling": rounded(bound.ceiling), "configuration_confidence": bound.configurationConfidence,
        ]
      },
      "mechanism_checks": canaries.mechanismChecks.map(checkObject), "paths": canaries.paths,
    ]
  }

  /// `audit.json`: the summary object plus intervals, per-attack bounds, the protocol, canaries,
  /// GDP estimate and ROC curves (thinned to at most 300 points each for plotting).
  public var jsonObject: [String: Any] {
    var object = summaryObject
    object["delta"] = delta
    object["delta_is_default"] = deltaIsDefault
    object["bound_source"] = boundSource ?? NSNull()
    object["method"] =
      "largest of the attacks' Clopper-Pearson hypothesis-test bounds (threshold chosen on a random half, "
      + "measured on the other) and the one-run canary bound; each at confidence 1 - alpha/B for the B bounds"
    object["population"] = [
      "members": memberCount, "non_members": nonMemberCount, "reference_models": referenceModels,
      "rmia_population": populationSize,
    ]
    var details: [String: Any] = [:]
    for attack in attacks {
      var entry: [String: Any] = [
        "auc": rounded(attack.metrics.auc), "advantage": rounded(attack.metrics.advantage),
        "balanced_accuracy": rounded(attack.metrics.balancedAccuracy),
        "tpr_at_fpr": attack.metrics.tprAtFPR.mapValues(rounded),
        "epsilon_lower_bound": rounded(attack.epsilon.epsilon), "bound_confidence": attack.epsilon.confidence,
        "roc": Self.thinnedROC(attack.roc),
      ]
      if let interval = attack.metrics.aucInterval {
        entry["auc_interval"] = [rounded(interval.lower), rounded(interval.upper)]
      }
      if let intervals = attack.metrics.tprAtFPRIntervals {
        entry["tpr_at_fpr_intervals"] = intervals.mapValues { [rounded($0.lower), rounded($0.upper)] }
      }
      details[attack.name] = entry
    }
    object["attack_details"] = details
    object["attack_ceiling"] = attackCeiling.map { rounded($0) as Any } ?? NSNull()
    if let canaries { object["canaries"] = Self.canaryObject(canaries) }
    if let gdpEstimate {
      object["gdp_estimate"] = [
        "attack": gdpEstimate.attack, "mu": rounded(gdpEstimate.mu), "epsilon": rounded(gdpEstimate.epsilon),
        "note": "an estimate under a Gaussian-DP assumption, not a bound",
      ]
    }
    if let blindBaseline { object["blind_baseline"] = Self.blindBaselineObject(blindBaseline, detailed: true) }
    if !secrets.isEmpty {
      object["secrets"] = secrets.map { secret -> [String: Any] in
        var entry: [String: Any] = [
          "insertions": secret.insertions, "secret": secret.secret, "exposure": rounded(secret.exposure),
          "maximum_exposure": rounded(secret.maximum), "method": secret.method, "extracted": secret.extracted,
        ]
        entry["rank"] = secret.rank.map { rounded($0) as Any } ?? NSNull()
        if let claimed = epsilonClaimed, !deltaIsDefault {
          entry["dp_allowed_exposure_95"] =
            SecretCanaryResult.allowedExposure(
              epsilon: claimed, delta: delta, insertions: accountedCopies(insertions: secret.insertions),
              maximum: secret.maximum
            ).map { rounded($0) as Any } ?? NSNull()
        }
        return entry
      }
    }
    if !secrets.isEmpty { object["secret_copies_are_one_user"] = secretCopiesAreOneUser }
    object["caveats"] = caveats
    return object
  }

  /// At most `limit` ROC points, evenly spaced in log FPR (plus the ends): `{"fpr": […], "tpr": […]}`.
  static func thinnedROC(_ roc: ROCCurve, limit: Int = 300) -> [String: [Double]] {
    let points = Array(zip(roc.falsePositiveRates, roc.truePositiveRates))
    guard points.count > limit else {
      return ["fpr": points.map(\.0).map(rounded), "tpr": points.map(\.1).map(rounded)]
    }
    var kept: [(Double, Double)] = [points[0]]
    var nextLog = -6.0
    let step = 6.0 / Double(limit - 2)
    for point in points.dropFirst() where point.0 > 0 && log10(point.0) >= nextLog {
      kept.append(point)
      nextLog = log10(point.0) + step
    }
    if kept.last! != points.last! { kept.append(points.last!) }
    return ["fpr": kept.map(\.0).map(rounded), "tpr": kept.map(\.1).map(rounded)]
  }

  /// Terminal lines: one per attack, then the bound and verdict.
  public var lines: [String] {
    var lines = [
      "audit: \(memberCount) members, \(nonMemberCount) non-members, \(referenceModels) reference models",
      "attack              AUC     adv    TPR@10%  TPR@1%   TPR@0.1%  ε_LB",
    ]
    for attack in attacks {
      let tpr = attack.metrics.tprAtFPR
      lines.append(
        attack.name.padding(toLength: 18, withPad: " ", startingAt: 0)
          + String(
            format: " %6.4f  %6.4f  %7.4f  %7.4f  %8.4f  %.3f", attack.metrics.auc,
            attack.metrics.advantage, tpr["0.1"] ?? .nan, tpr["0.01"] ?? .nan, tpr["0.001"] ?? .nan, attack.epsilon.epsilon))
    }
    if let allowed = allowedAUC, !attacks.isEmpty {
      let exceeding = attacksExceedingAllowedAUC
      lines.append(
        String(format: "(ε, δ) allows an attack AUC of at most %.5f: ", allowed)
          + (exceeding.isEmpty ? "every attack is within it" : "EXCEEDED by " + exceeding.joined(separator: ", ")))
    }
    if let canaries { lines += Self.canaryLines(canaries) }
    if let blindBaseline { lines.append(Self.blindBaselineLine(blindBaseline)) }
    lines += secretLines
    if let gdpEstimate {
      lines.append(
        String(
          format: "GDP estimate (%@, not a bound): μ = %.3f, ε ≈ %.3f", gdpEstimate.attack as NSString, gdpEstimate.mu,
          gdpEstimate.epsilon))
    }
    let claim = epsilonClaimed.map { String(format: "claimed ε = %.3g", $0) } ?? "no ε claimed for these records"
    let ceilingText = ceiling.map { String(format: ", ceiling %.3f", $0) } ?? ""
    lines.append(
      String(
        format: "empirical ε lower bound %.3f at %.0f%% confidence (δ = %.1e%@); ", epsilonLowerBound, 100 * confidence, delta,
        ceilingText as NSString)
        + claim + ": " + verdict.rawValue)
    lines += caveats.map { "note: " + $0 }
    return lines
  }
}

extension AuditOutcome {
  /// The validity gate as JSON: AUC, interval and verdict (`summary.json`), plus the texts it
  /// trained and tested on and the classifier (`detailed`, `audit.json`).
  static func blindBaselineObject(_ gate: BlindBaseline, detailed: Bool) -> [String: Any] {
    var object: [String: Any] = [
      "auc": rounded(gate.auc), "auc_interval": [rounded(gate.aucInterval.lower), rounded(gate.aucInterval.upper)],
      "verdict": gate.verdict.rawValue,
    ]
    if detailed {
      object["training_members"] = gate.trainingCounts.members
      object["training_non_members"] = gate.trainingCounts.nonMembers
      object["held_out_members"] = gate.heldOut.memberCount
      object["held_out_non_members"] = gate.heldOut.nonMemberCount
      object["classifier"] = "multinomial naive Bayes on hashed byte 1-3-grams; never sees the model"
    }
    return object
  }

  /// Terminal lines of the secret-sharer canaries: one per insertion count (mean, least and
  /// largest exposure, extractions), and what a DP claim allows.
  var secretLines: [String] {
    guard let maximum = secrets.first?.maximum else { return [] }
    var lines = [String(format: "secret canaries (exposure in bits, at most %.2f; %@):", maximum, secrets[0].method as NSString)]
    for insertions in Array(Set(secrets.map(\.insertions))).sorted() {
      let group = secrets.filter { $0.insertions == insertions }
      let exposures = group.map(\.exposure)
      var line = String(
        format: "  inserted %4d×: exposure mean %.2f (min %.2f, max %.2f) over %d canaries; %d extracted by greedy decoding",
        insertions, exposures.reduce(0, +) / Double(exposures.count), exposures.min()!, exposures.max()!, group.count,
        group.filter(\.extracted).count)
      if let claimed = epsilonClaimed, !deltaIsDefault {
        let allowed = SecretCanaryResult.allowedExposure(
          epsilon: claimed, delta: delta, insertions: accountedCopies(insertions: insertions), maximum: maximum)
        line += allowed.map { String(format: "; (ε, δ) allows up to %.2f at 95%%", $0) } ?? "; (ε, δ) bounds nothing here"
      }
      lines.append(line)
    }
    return lines
  }

  /// The validity gate in one line.
  static func blindBaselineLine(_ gate: BlindBaseline) -> String {
    String(
      format: "blind baseline (byte n-grams, never sees the model): AUC %.4f [%.4f, %.4f] on %d + %d held-out texts: %@",
      gate.auc, gate.aucInterval.lower, gate.aucInterval.upper, gate.heldOut.memberCount, gate.heldOut.nonMemberCount,
      gate.verdict == .valid
        ? "VALID (no distribution shift between members and non-members detected)"
        : "INVALID (members and non-members differ without the model: the attacks measure that shift)")
  }

  /// Terminal lines of the canary audit: the headline against its ceiling, each analysis, the
  /// paths exercised and the mechanism checks.
  static func canaryLines(_ canaries: CanaryResult) -> [String] {
    var lines = [
      String(
        format: "canaries (%@): %d of %d guesses right among %d canaries: ε_LB %.3f (ceiling %.3f); %@",
        canaries.kind as NSString, canaries.correct, canaries.guesses, canaries.count, canaries.epsilonLowerBound,
        canaries.ceiling, canaries.selection as NSString)
    ]
    for bound in canaries.bounds {
      lines.append(
        "  " + bound.names.short.padding(toLength: 16, withPad: " ", startingAt: 0)
          + String(
            format: "ε ≥ %.3f from %d guesses (%d IN, %d OUT), %d right", bound.epsilonLowerBound, bound.guesses,
            bound.positiveGuesses, bound.negativeGuesses, bound.correct))
    }
    lines.append("  paths exercised: " + canaries.paths.joined(separator: "; "))
    for check in canaries.mechanismChecks { lines.append("  mechanism check: " + check.summary) }
    return lines
  }
}

/// `value` rounded to 6 significant decimals (JSON readability; NaN/∞ pass through).
func rounded(_ value: Double) -> Double {
  guard value.isFinite, value != 0 else { return value }
  return (value * 1e6).rounded() / 1e6
}
