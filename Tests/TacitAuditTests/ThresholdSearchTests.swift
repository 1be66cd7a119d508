import Testing

@testable import TacitAudit

/// The pruned threshold search against the exhaustive one: every ROC point's bounded value
/// computed directly, the maximum compared exactly.
@Suite struct ThresholdSearchTests {
  @Test(arguments: [(0.0, 300), (0.7, 500), (2.5, 400)])
  func prunedSearchFindsTheExhaustiveMaximum(shift: Double, count: Int) {
    var generator = SplitMix64(seed: UInt64(count))
    var scores = gaussianScores(members: count, nonMembers: count + 37, shift: shift, using: &generator)
    // Round to create ties, as integer-valued attacks do.
    scores = try! MembershipScores(scores: scores.scores.map { ($0 * 8).rounded() / 8 }, isMember: scores.isMember)
    let curve = ROCCurve(scores)
    let alphaEach = 0.025
    let functions: [(String, (Double, Double) -> Double)] = [
      ("ε_LB", { HypothesisTestBound.unboundedEpsilon(falsePositiveRate: $0, falseNegativeRate: $1, delta: 1e-3) }),
      ("μ", { GDPEstimate.signedMu(falsePositiveRate: $0, falseNegativeRate: $1) }),
    ]
    for (name, value) in functions {
      var exhaustive = -Double.infinity
      for index in curve.thresholds.indices {
        let fprUpper = ClopperPearson.upperBound(
          successes: curve.falsePositiveCounts[index], trials: curve.nonMemberCount, alpha: alphaEach)
        let fnrUpper = ClopperPearson.upperBound(
          successes: curve.memberCount - curve.truePositiveCounts[index], trials: curve.memberCount, alpha: alphaEach)
        exhaustive = max(exhaustive, value(fprUpper, fnrUpper))
      }
      let pruned = ThresholdSearch.maximise(curve, alphaEach: alphaEach, value: value)
      #expect(pruned.value == exhaustive, "\(name), shift \(shift): pruned \(pruned.value), exhaustive \(exhaustive)")
    }
  }
}
