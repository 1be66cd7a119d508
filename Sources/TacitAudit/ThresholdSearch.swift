/// The search over ROC thresholds shared by the hypothesis-test bound and the GDP estimate: find
/// the point maximising value(FPR_hi, FNR_hi), the rates replaced by one-sided Clopper–Pearson
/// upper bounds at α_each.
///
/// `value` must be non-increasing in both rates (both ε_LB and μ are). A Clopper–Pearson upper
/// bound is at least the point estimate (k/n ≤ p_hi for α_each < ½), so value(k_fp/N, k_fn/P) is
/// an optimistic bound on a threshold's bounded value. Thresholds are visited in decreasing order
/// of that optimistic value, and the search stops once it cannot beat the best bounded value found:
/// the result is the exact maximum, usually after a few inversions instead of one per threshold.
/// Inversions are cached per count (`UpperBoundCache`).
enum ThresholdSearch {
  static func maximise(_ curve: ROCCurve, alphaEach: Double, value: (Double, Double) -> Double) -> (
    value: Double, index: Int?, falsePositiveRateUpper: Double?, falseNegativeRateUpper: Double?
  ) {
    precondition(alphaEach > 0 && alphaEach < 0.5, "α per bound must be in (0, ½), got \(alphaEach)")
    let nonMembers = Double(curve.nonMemberCount)
    let members = Double(curve.memberCount)
    let optimistic = curve.thresholds.indices.map { index -> (index: Int, value: Double) in
      let falsePositiveRate = Double(curve.falsePositiveCounts[index]) / nonMembers
      let falseNegativeRate = Double(curve.memberCount - curve.truePositiveCounts[index]) / members
      return (index, value(falsePositiveRate, falseNegativeRate))
    }.sorted { $0.value > $1.value || ($0.value == $1.value && $0.index < $1.index) }
    var falsePositiveUpper = UpperBoundCache(trials: curve.nonMemberCount, alpha: alphaEach)
    var falseNegativeUpper = UpperBoundCache(trials: curve.memberCount, alpha: alphaEach)
    var best: (value: Double, index: Int?, falsePositiveRateUpper: Double?, falseNegativeRateUpper: Double?) = (
      -.infinity, nil, nil, nil
    )
    for candidate in optimistic {
      if candidate.value <= best.value { break }
      let fprUpper = falsePositiveUpper[curve.falsePositiveCounts[candidate.index]]
      let fnrUpper = falseNegativeUpper[curve.memberCount - curve.truePositiveCounts[candidate.index]]
      let bounded = value(fprUpper, fnrUpper)
      if bounded > best.value { best = (bounded, candidate.index, fprUpper, fnrUpper) }
    }
    return best
  }
}

/// Clopper–Pearson upper bounds for k = 0…n successes at a fixed n and α, computed on demand.
struct UpperBoundCache {
  let trials: Int
  let alpha: Double
  private var values: [Double?]

  init(trials: Int, alpha: Double) {
    self.trials = trials
    self.alpha = alpha
    values = Array(repeating: nil, count: trials + 1)
  }

  subscript(successes: Int) -> Double {
    mutating get {
      if let value = values[successes] { return value }
      let value = ClopperPearson.upperBound(successes: successes, trials: trials, alpha: alpha)
      values[successes] = value
      return value
    }
  }
}
