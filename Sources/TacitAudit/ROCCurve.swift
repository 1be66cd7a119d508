/// The exact receiver operating characteristic of a membership attack: one point per distinct
/// score, flagging a record "member" when its score is at least the threshold.
///
/// With P members and N non-members, the point for threshold t is
/// FPR(t) = #{non-members with score ≥ t} / N and TPR(t) = #{members with score ≥ t} / P.
/// Records sharing a score enter together, so ties make one diagonal segment rather than an
/// order-dependent staircase (scikit-learn's `roc_curve(drop_intermediate=False)`).
///
/// Points are ordered by decreasing threshold: the first threshold is +∞ (nothing flagged,
/// (0, 0)), then every distinct score from the highest down; the last flags everything, (1, 1).
/// Storage: `thresholds`, `falsePositiveRates`, `truePositiveRates` and the two count arrays all
/// have `[distinct scores + 1]` entries. Cost: O(n log n) for the sort, O(n) after.
public struct ROCCurve: Sendable {
  /// False-positive rates, ascending from 0 to 1.
  public let falsePositiveRates: [Double]
  /// True-positive rates, ascending from 0 to 1.
  public let truePositiveRates: [Double]
  /// The thresholds, descending; the first is +∞.
  public let thresholds: [Double]
  /// Non-members flagged at each threshold (FPR × `nonMemberCount`, exact).
  public let falsePositiveCounts: [Int]
  /// Members flagged at each threshold (TPR × `memberCount`, exact).
  public let truePositiveCounts: [Int]
  /// P, the number of members.
  public let memberCount: Int
  /// N, the number of non-members.
  public let nonMemberCount: Int

  public init(_ scores: MembershipScores) {
    let order = scores.scores.indices.sorted { scores.scores[$0] > scores.scores[$1] }
    var thresholds = [Double.infinity]
    var falsePositives = [0]
    var truePositives = [0]
    var flaggedMembers = 0
    var flaggedNonMembers = 0
    var position = 0
    while position < order.count {
      let threshold = scores.scores[order[position]]
      while position < order.count && scores.scores[order[position]] == threshold {
        if scores.isMember[order[position]] { flaggedMembers += 1 } else { flaggedNonMembers += 1 }
        position += 1
      }
      thresholds.append(threshold)
      falsePositives.append(flaggedNonMembers)
      truePositives.append(flaggedMembers)
    }
    self.thresholds = thresholds
    self.falsePositiveCounts = falsePositives
    self.truePositiveCounts = truePositives
    self.memberCount = flaggedMembers
    self.nonMemberCount = flaggedNonMembers
    let members = Double(flaggedMembers)
    let nonMembers = Double(flaggedNonMembers)
    self.falsePositiveRates = falsePositives.map { Double($0) / nonMembers }
    self.truePositiveRates = truePositives.map { Double($0) / members }
  }

  /// The area under the curve by the trapezoid rule, which equals the Mann–Whitney statistic
  /// P[score(member) > score(non-member)] + ½·P[tie] (Hanley & McNeil 1982). Exact in counts:
  /// Σ (fp_i − fp_{i−1})(tp_i + tp_{i−1}) / (2PN).
  public var auc: Double {
    var twiceArea = 0.0
    for index in 1..<thresholds.count {
      let width = Double(falsePositiveCounts[index] - falsePositiveCounts[index - 1])
      twiceArea += width * Double(truePositiveCounts[index] + truePositiveCounts[index - 1])
    }
    return twiceArea / (2 * Double(memberCount) * Double(nonMemberCount))
  }

  /// The membership advantage max over thresholds of TPR − FPR (Yeom et al. 2018), in [0, 1]
  /// (the point at +∞ gives 0). Balanced accuracy at the best threshold is (1 + advantage)/2.
  public var maximumAdvantage: Double {
    zip(truePositiveRates, falsePositiveRates).map { $0 - $1 }.max() ?? 0
  }

  /// The TPR at a false-positive rate of at most `target`: the largest TPR among the ROC points
  /// with FPR ≤ target. This is a conservative step, no interpolation between points: the
  /// attack can really achieve this TPR with a threshold whose FPR does not exceed the target.
  /// It is what "TPR at 0.1% FPR" means in Carlini et al. 2022 ("Membership inference attacks
  /// from first principles"). With fewer than 1/target non-members only thresholds that flag
  /// no non-member at all qualify, so a small audit reports a low TPR for lack of resolution.
  public func truePositiveRate(atFalsePositiveRate target: Double) -> Double {
    precondition(target >= 0 && target <= 1, "a false-positive rate must be in [0, 1], got \(target)")
    // Both rates ascend, so the answer is the TPR of the last point with FPR ≤ target.
    var low = 0
    var high = falsePositiveRates.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if falsePositiveRates[middle] <= target { low = middle } else { high = middle - 1 }
    }
    return truePositiveRates[low]
  }
}

extension ROCCurve {
  /// A curve from cumulative counts at descending `thresholds` (the first +∞ with counts 0, the
  /// last counts the totals). Points may repeat (a threshold that flags no new record); they add
  /// nothing to the area, the advantage or the TPR at a given FPR.
  init(thresholds: [Double], falsePositiveCounts: [Int], truePositiveCounts: [Int]) {
    precondition(
      thresholds.count == falsePositiveCounts.count && thresholds.count == truePositiveCounts.count,
      "\(thresholds.count) thresholds, \(falsePositiveCounts.count) and \(truePositiveCounts.count) counts")
    self.thresholds = thresholds
    self.falsePositiveCounts = falsePositiveCounts
    self.truePositiveCounts = truePositiveCounts
    self.memberCount = truePositiveCounts.last ?? 0
    self.nonMemberCount = falsePositiveCounts.last ?? 0
    let members = Double(memberCount), nonMembers = Double(nonMemberCount)
    self.falsePositiveRates = falsePositiveCounts.map { Double($0) / nonMembers }
    self.truePositiveRates = truePositiveCounts.map { Double($0) / members }
  }

  /// The curve of member scores against non-member scores (both non-empty, finite).
  init(labelled members: [Double], _ nonMembers: [Double]) {
    let labels = Array(repeating: true, count: members.count) + Array(repeating: false, count: nonMembers.count)
    self.init(try! MembershipScores(scores: members + nonMembers, isMember: labels))
  }
}
