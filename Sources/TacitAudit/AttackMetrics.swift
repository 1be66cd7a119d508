/// The summary numbers of a membership attack, read off its exact ROC curve, optionally with
/// bootstrap confidence intervals.
///
/// - `auc`: area under the ROC (Mann–Whitney, ties ½).
/// - `advantage`: max over thresholds of TPR − FPR (Yeom et al. 2018).
/// - `balancedAccuracy`: (1 + advantage)/2, the accuracy of the best threshold on a balanced
///   member/non-member mix.
/// - `tprAtFPR`: TPR at FPR ≤ 10%, 1%, 0.1% (conservative step; see
///   `ROCCurve.truePositiveRate(atFalsePositiveRate:)`), keyed "0.1", "0.01", "0.001"
///   (Carlini et al. 2022 argue these low-FPR figures, not AUC, measure an attack).
///
/// Intervals are percentile bootstrap intervals (Efron & Tibshirani 1993): each replicate draws
/// P members from the P members and N non-members from the N non-members with replacement
/// (stratified, so both classes stay present), and recomputes the metrics. Cost per replicate
/// O(n log n).
public struct AttackMetrics: Sendable, Codable {
  public var auc: Double
  public var advantage: Double
  public var balancedAccuracy: Double
  public var tprAtFPR: [String: Double]
  /// The bootstrap interval of the AUC; `nil` when no replicates were drawn.
  public var aucInterval: ConfidenceInterval?
  /// The bootstrap intervals of `tprAtFPR`, same keys; `nil` when no replicates were drawn.
  public var tprAtFPRIntervals: [String: ConfidenceInterval]?

  /// The false-positive rates at which the TPR is reported: 10%, 1%, 0.1%.
  public static let fprLevels: [Double] = [0.1, 0.01, 0.001]

  /// The key of a level in `tprAtFPR`: its shortest decimal ("0.1", "0.01", "0.001").
  public static func key(forLevel level: Double) -> String { "\(level)" }

  enum CodingKeys: String, CodingKey {
    case auc, advantage
    case balancedAccuracy = "balanced_accuracy"
    case tprAtFPR = "tpr_at_fpr"
    case aucInterval = "auc_interval"
    case tprAtFPRIntervals = "tpr_at_fpr_intervals"
  }

  /// The point metrics, without intervals.
  public init(_ scores: MembershipScores) {
    self.init(curve: ROCCurve(scores))
  }

  /// The metrics of a computed curve, without intervals.
  public init(curve: ROCCurve) {
    auc = curve.auc
    advantage = curve.maximumAdvantage
    balancedAccuracy = (1 + advantage) / 2
    tprAtFPR = Dictionary(
      uniqueKeysWithValues: Self.fprLevels.map { (Self.key(forLevel: $0), curve.truePositiveRate(atFalsePositiveRate: $0)) })
    aucInterval = nil
    tprAtFPRIntervals = nil
  }

  /// The metrics with percentile bootstrap intervals at `confidence` from `bootstrapResamples`
  /// stratified replicates drawn with `generator`; with 0 replicates the intervals are `nil`.
  public init<G: RandomNumberGenerator>(
    _ scores: MembershipScores, bootstrapResamples: Int, confidence: Double, generator: inout G
  ) {
    precondition(bootstrapResamples >= 0, "bootstrapResamples must be non-negative, got \(bootstrapResamples)")
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    self.init(scores)
    guard bootstrapResamples > 0 else { return }
    let members = scores.scores.indices.filter { scores.isMember[$0] }.map { scores.scores[$0] }
    let nonMembers = scores.scores.indices.filter { !scores.isMember[$0] }.map { scores.scores[$0] }
    // Sort once: a replicate's ROC is the full curve's thresholds with resampled counts (a
    // threshold no resampled record reaches repeats the previous point, which changes no
    // metric), so each replicate costs O(n) instead of a sort.
    let thresholds = ROCCurve(scores).thresholds
    func group(_ score: Double) -> Int {
      // thresholds[1...] are the distinct scores, descending.
      var low = 1, high = thresholds.count - 1
      while low < high {
        let middle = (low + high) / 2
        if thresholds[middle] > score { low = middle + 1 } else { high = middle }
      }
      return low
    }
    let memberGroups = members.map(group), nonMemberGroups = nonMembers.map(group)
    var aucs: [Double] = []
    var tprs = Array(repeating: [Double](), count: Self.fprLevels.count)
    aucs.reserveCapacity(bootstrapResamples)
    var flaggedMembers = [Int](repeating: 0, count: thresholds.count)
    var flaggedNonMembers = [Int](repeating: 0, count: thresholds.count)
    for _ in 0..<bootstrapResamples {
      for index in flaggedMembers.indices {
        flaggedMembers[index] = 0
        flaggedNonMembers[index] = 0
      }
      for _ in members.indices { flaggedMembers[memberGroups[uniformIndex(below: members.count, using: &generator)]] += 1 }
      for _ in nonMembers.indices {
        flaggedNonMembers[nonMemberGroups[uniformIndex(below: nonMembers.count, using: &generator)]] += 1
      }
      for index in 1..<thresholds.count {
        flaggedMembers[index] += flaggedMembers[index - 1]
        flaggedNonMembers[index] += flaggedNonMembers[index - 1]
      }
      let curve = ROCCurve(
        thresholds: thresholds, falsePositiveCounts: flaggedNonMembers, truePositiveCounts: flaggedMembers)
      aucs.append(curve.auc)
      for (index, level) in Self.fprLevels.enumerated() {
        tprs[index].append(curve.truePositiveRate(atFalsePositiveRate: level))
      }
    }
    aucInterval = .percentile(of: aucs, confidence: confidence)
    tprAtFPRIntervals = Dictionary(
      uniqueKeysWithValues: Self.fprLevels.enumerated().map {
        (Self.key(forLevel: $0.element), ConfidenceInterval.percentile(of: tprs[$0.offset], confidence: confidence))
      })
  }
}

/// A uniform integer in `0..<bound` (bound ≥ 1) from one 64-bit draw (usually), by Lemire's
/// multiply-and-reject method ("Fast Random Integer Generation in an Interval", 2019): exact,
/// and without the generic-metadata lookups `Int.random(in:using:)` costs when it is not
/// specialised across modules (it was most of the bootstrap's time).
func uniformIndex<G: RandomNumberGenerator>(below bound: Int, using generator: inout G) -> Int {
  precondition(bound >= 1, "bound must be at least 1, got \(bound)")
  let range = UInt64(bound)
  var product = generator.next().multipliedFullWidth(by: range)
  if product.low < range {
    let threshold = (0 &- range) % range
    while product.low < threshold { product = generator.next().multipliedFullWidth(by: range) }
  }
  return Int(product.high)
}
