import RealModule
import Testing

@testable import TacitAudit

/// The hypothesis-test lower bound on randomised response, whose ε is known exactly.
///
/// Randomised response with parameter ε reports a record's membership bit truthfully with
/// probability p = e^ε/(1 + e^ε) and flipped otherwise. It is (ε, 0)-DP, and the threshold test
/// "score ≥ 1" has FPR = FNR = 1 − p, so ln((1 − FNR)/FPR) = ε: the bound is tight, and with
/// exact rates it would reach ε exactly.
@Suite struct HypothesisTestBoundTests {
  static func randomisedResponse(epsilon: Double, records: Int, using generator: inout some RandomNumberGenerator)
    -> MembershipScores
  {
    let keep = 1 / (1 + Double.exp(-epsilon))
    var scores: [Double] = []
    var labels: [Bool] = []
    for index in 0..<records {
      let member = index % 2 == 0
      let truthful = Double.random(in: 0..<1, using: &generator) < keep
      scores.append(member == truthful ? 1 : 0)
      labels.append(member)
    }
    return try! MembershipScores(scores: scores, isMember: labels)
  }

  @Test func closedForm() {
    #expect(HypothesisTestBound.epsilon(falsePositiveRateUpper: 0.1, falseNegativeRateUpper: 0.2, delta: 0) == Double.log(8))
    #expect(
      abs(HypothesisTestBound.epsilon(falsePositiveRateUpper: 0.1, falseNegativeRateUpper: 0.2, delta: 0.05) - Double.log(7.5))
        < 1e-15)
    #expect(HypothesisTestBound.epsilon(falsePositiveRateUpper: 0.3, falseNegativeRateUpper: 0.1, delta: 0) == Double.log(7))
    // A useless test gives no evidence rather than a negative ε.
    #expect(HypothesisTestBound.epsilon(falsePositiveRateUpper: 0.6, falseNegativeRateUpper: 0.5, delta: 0) == 0)
  }

  /// 200 audits of 1,000 records at ε = 1, 95% confidence: a valid bound exceeds ε in at most 5%
  /// of them. The test allows 19 of 200 (the 5% expectation plus three binomial standard
  /// deviations); a bound using the point estimates instead of Clopper–Pearson exceeds ε in
  /// about half of the audits and fails it.
  @Test(arguments: [HypothesisTestBound.ThresholdSelection.heldOutHalf, .correctedForAllThresholds])
  func exceedsTheTrueEpsilonAtMostAtTheStatedRate(selection: HypothesisTestBound.ThresholdSelection) {
    var generator = SplitMix64(seed: 31)
    let epsilon = 1.0
    var exceed = 0
    var total = 0.0
    for _ in 0..<200 {
      let scores = Self.randomisedResponse(epsilon: epsilon, records: 1000, using: &generator)
      let bound = HypothesisTestBound.epsilonLowerBound(
        scores, delta: 0, confidence: 0.95, selection: selection, generator: &generator)
      if bound.epsilon > epsilon { exceed += 1 }
      total += bound.epsilon
    }
    print("HypothesisTestBound \(selection): exceeded ε = 1 in \(exceed) of 200 audits, mean bound \(total / 200)")
    #expect(exceed <= 19, "\(selection): the bound exceeded ε = \(epsilon) in \(exceed) of 200 audits")
    // And it is not vacuous: on average within 0.4 of ε at this size.
    #expect(total / 200 > epsilon - 0.4, "\(selection): mean bound \(total / 200)")
  }

  /// With 10⁵ records (2.5·10⁴ measured per class on the held-out half) each rate's upper bound
  /// sits ≈ 1.96·s above the truth, s = √(p(1 − p)/n) ≈ 0.003, give or take s; ε moves by
  /// ΔFPR + ΔFNR over p(1 − p), so the expected gap is 0.04–0.08 for ε = 0.5…2 with a spread of
  /// ±0.02–0.03. The test allows a gap of 0.15 (and no excess).
  @Test(arguments: [0.5, 1.0, 2.0])
  func approachesTheTrueEpsilonWithManyRecords(epsilon: Double) {
    var generator = SplitMix64(seed: 5)
    let scores = Self.randomisedResponse(epsilon: epsilon, records: 100_000, using: &generator)
    for selection in [HypothesisTestBound.ThresholdSelection.heldOutHalf, .correctedForAllThresholds] {
      let bound = HypothesisTestBound.epsilonLowerBound(
        scores, delta: 0, confidence: 0.95, selection: selection, generator: &generator)
      print("HypothesisTestBound \(selection), ε = \(epsilon), 10⁵ records: \(bound.epsilon)")
      #expect(bound.epsilon <= epsilon && bound.epsilon >= epsilon - 0.15, "\(selection): \(bound)")
      #expect(bound.threshold == 1)
    }
  }

  /// δ enters as stated: a larger δ can only lower the bound, and it is recorded.
  @Test func deltaLowersTheBound() {
    var generator = SplitMix64(seed: 8)
    let scores = Self.randomisedResponse(epsilon: 2, records: 4000, using: &generator)
    var first = SplitMix64(seed: 1)
    var second = SplitMix64(seed: 1)
    let pure = HypothesisTestBound.epsilonLowerBound(
      scores, delta: 0, confidence: 0.95, selection: .heldOutHalf, generator: &first)
    let approximate = HypothesisTestBound.epsilonLowerBound(
      scores, delta: 0.1, confidence: 0.95, selection: .heldOutHalf, generator: &second)
    #expect(approximate.epsilon < pure.epsilon)
    #expect(approximate.delta == 0.1 && pure.delta == 0)
    #expect(pure.method.contains("held-out half"))
  }

  /// Scores that carry no information give no evidence.
  @Test func noLeakageGivesZero() {
    var generator = SplitMix64(seed: 12)
    let scores = gaussianScores(members: 500, nonMembers: 500, shift: 0, using: &generator)
    let bound = HypothesisTestBound.epsilonLowerBound(
      scores, delta: 1e-5, confidence: 0.95, selection: .correctedForAllThresholds, generator: &generator)
    #expect(bound.epsilon < 0.5, "\(bound)")
  }
}
