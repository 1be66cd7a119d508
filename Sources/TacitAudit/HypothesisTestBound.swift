import RealModule

/// The hypothesis-testing lower bound on ε from a threshold membership attack (Kairouz, Oh &
/// Viswanath 2015; Jagielski, Ullman & Oprea 2020; Nasr et al. 2021).
///
/// (ε, δ)-DP forces every test of "member" against "non-member" to satisfy
/// FPR + e^ε·FNR ≥ 1 − δ and FNR + e^ε·FPR ≥ 1 − δ. Replacing the unknown rates by one-sided
/// Clopper–Pearson upper bounds FPR_hi, FNR_hi, each failing with probability at most α_each,
///
///   ε_LB = max( ln((1 − δ − FNR_hi)/FPR_hi), ln((1 − δ − FPR_hi)/FNR_hi), 0 )
///
/// is exceeded by the true ε only if one of the two bounds failed: probability ≤ 2·α_each.
/// For a statement at `confidence`, α_each = (1 − confidence)/2 for a threshold fixed in advance.
///
/// The threshold must not be tuned on the records it is measured on. Two ways:
/// - `heldOutHalf`: a random half of the members and a random half of the non-members (split
///   with the caller's generator) choose the threshold maximising the bound there; the other
///   half measures it, at α_each = (1 − confidence)/2.
/// - `correctedForAllThresholds`: every one of the n ROC thresholds is tried on all records at
///   α_each = (1 − confidence)/(2n) (a union bound over the n thresholds).
/// Cost: one sort, plus Clopper–Pearson inversions only at thresholds whose point-estimate ε
/// could still beat the best bound found (see `ThresholdSearch`).
public enum HypothesisTestBound {
  public enum ThresholdSelection: Sendable {
    case heldOutHalf
    case correctedForAllThresholds
  }

  /// ε_LB = max(ln((1 − δ − FNR_hi)/FPR_hi), ln((1 − δ − FPR_hi)/FNR_hi), 0) from one-sided
  /// Clopper–Pearson upper bounds (REFERENCES.md "Empirical ε"). A numerator ≤ 0 contributes
  /// nothing; both upper bounds must be positive (Clopper–Pearson upper bounds always are).
  public static func epsilon(falsePositiveRateUpper: Double, falseNegativeRateUpper: Double, delta: Double) -> Double {
    precondition(
      falsePositiveRateUpper > 0 && falsePositiveRateUpper <= 1 && falseNegativeRateUpper > 0
        && falseNegativeRateUpper <= 1,
      "upper bounds of error rates must be in (0, 1], got FPR_hi = \(falsePositiveRateUpper), FNR_hi = \(falseNegativeRateUpper)")
    precondition(delta >= 0 && delta < 1, "δ must be in [0, 1), got \(delta)")
    return unboundedEpsilon(
      falsePositiveRate: falsePositiveRateUpper, falseNegativeRate: falseNegativeRateUpper, delta: delta)
  }

  /// The lower bound from membership scores at `confidence`, the threshold chosen per
  /// `selection` (see the type's documentation); `generator` draws the held-out split.
  public static func epsilonLowerBound<G: RandomNumberGenerator>(
    _ scores: MembershipScores, delta: Double, confidence: Double, selection: ThresholdSelection, generator: inout G
  ) -> EmpiricalEpsilon {
    precondition(delta >= 0 && delta < 1, "δ must be in [0, 1), got \(delta)")
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    switch selection {
    case .correctedForAllThresholds:
      let curve = ROCCurve(scores)
      let thresholdCount = curve.thresholds.count
      let alphaEach = (1 - confidence) / (2 * Double(thresholdCount))
      let best = bestTest(curve, alphaEach: alphaEach, delta: delta)
      return EmpiricalEpsilon(
        epsilon: best.epsilon, confidence: confidence, delta: delta,
        method: "clopper-pearson, corrected for all \(thresholdCount) thresholds (α/(2n) per bound)",
        threshold: best.threshold, falsePositiveRateUpper: best.falsePositiveRateUpper,
        falseNegativeRateUpper: best.falseNegativeRateUpper)
    case .heldOutHalf:
      var members = scores.scores.indices.filter { scores.isMember[$0] }.map { scores.scores[$0] }
      var nonMembers = scores.scores.indices.filter { !scores.isMember[$0] }.map { scores.scores[$0] }
      let method = "clopper-pearson, threshold chosen on a held-out half"
      guard members.count >= 2 && nonMembers.count >= 2 else {
        return EmpiricalEpsilon(
          epsilon: 0, confidence: confidence, delta: delta,
          method: method + " (too few records to split: \(members.count) members, \(nonMembers.count) non-members)")
      }
      members.shuffle(using: &generator)
      nonMembers.shuffle(using: &generator)
      let alphaEach = (1 - confidence) / 2
      // The selection half is the smaller one (floor), so the measurement keeps the extra record.
      let selectionMembers = members.count / 2
      let selectionNonMembers = nonMembers.count / 2
      let selection = ROCCurve(
        labelled: Array(members[..<selectionMembers]), Array(nonMembers[..<selectionNonMembers]))
      let chosen = bestTest(selection, alphaEach: alphaEach, delta: delta)
      guard let threshold = chosen.threshold, chosen.epsilon > 0 else {
        return EmpiricalEpsilon(epsilon: 0, confidence: confidence, delta: delta, method: method)
      }
      let measuredMembers = members[selectionMembers...]
      let measuredNonMembers = nonMembers[selectionNonMembers...]
      let falsePositives = measuredNonMembers.lazy.filter { $0 >= threshold }.count
      let falseNegatives = measuredMembers.lazy.filter { $0 < threshold }.count
      let falsePositiveRateUpper = ClopperPearson.upperBound(
        successes: falsePositives, trials: measuredNonMembers.count, alpha: alphaEach)
      let falseNegativeRateUpper = ClopperPearson.upperBound(
        successes: falseNegatives, trials: measuredMembers.count, alpha: alphaEach)
      return EmpiricalEpsilon(
        epsilon: epsilon(
          falsePositiveRateUpper: falsePositiveRateUpper, falseNegativeRateUpper: falseNegativeRateUpper, delta: delta),
        confidence: confidence, delta: delta, method: method, threshold: threshold,
        falsePositiveRateUpper: falsePositiveRateUpper, falseNegativeRateUpper: falseNegativeRateUpper)
    }
  }

  /// The ROC point maximising ε_LB at α_each per bound.
  static func bestTest(_ curve: ROCCurve, alphaEach: Double, delta: Double) -> (
    epsilon: Double, threshold: Double?, falsePositiveRateUpper: Double?, falseNegativeRateUpper: Double?
  ) {
    let best = ThresholdSearch.maximise(curve, alphaEach: alphaEach) {
      unboundedEpsilon(falsePositiveRate: $0, falseNegativeRate: $1, delta: delta)
    }
    guard let index = best.index, best.value > 0 else { return (0, nil, nil, nil) }
    return (best.value, curve.thresholds[index], best.falsePositiveRateUpper, best.falseNegativeRateUpper)
  }

  /// The ε formula without the range checks: a zero rate gives +∞ (used on point estimates,
  /// as an optimistic bound, by `ThresholdSearch`).
  static func unboundedEpsilon(falsePositiveRate: Double, falseNegativeRate: Double, delta: Double) -> Double {
    var best = 0.0
    let first = 1 - delta - falseNegativeRate
    if first > 0 { best = max(best, Double.log(first / falsePositiveRate)) }
    let second = 1 - delta - falsePositiveRate
    if second > 0 { best = max(best, Double.log(second / falseNegativeRate)) }
    return best
  }
}
