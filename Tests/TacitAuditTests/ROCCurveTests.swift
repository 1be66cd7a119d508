import RealModule
import TacitMath
import Testing

@testable import TacitAudit

/// The ROC curve and its metrics against scikit-learn (Fixtures/roc.json) and against the
/// Gaussian attack model's closed forms.
@Suite struct ROCCurveTests {
  struct Case: Decodable, CustomStringConvertible {
    let name: String
    let scores: [Double]
    let isMember: [Bool]
    let falsePositiveRates: [Double]
    let truePositiveRates: [Double]
    let thresholdsAfterInfinity: [Double]
    let auc: Double
    let tprAtFPR: [String: Double]

    enum CodingKeys: String, CodingKey {
      case name, scores, auc
      case isMember = "is_member"
      case falsePositiveRates = "false_positive_rates"
      case truePositiveRates = "true_positive_rates"
      case thresholdsAfterInfinity = "thresholds_after_infinity"
      case tprAtFPR = "tpr_at_fpr"
    }

    var description: String { name }
  }

  struct Fixture: Decodable { let cases: [Case] }

  static let cases = loadFixture("roc", as: Fixture.self).cases

  @Test(arguments: cases)
  func matchesScikitLearn(_ fixture: Case) throws {
    let curve = ROCCurve(try MembershipScores(scores: fixture.scores, isMember: fixture.isMember))
    #expect(curve.thresholds.first == .infinity)
    #expect(Array(curve.thresholds.dropFirst()) == fixture.thresholdsAfterInfinity)
    #expect(curve.falsePositiveRates == fixture.falsePositiveRates)
    #expect(curve.truePositiveRates == fixture.truePositiveRates)
    #expect(abs(curve.auc - fixture.auc) <= 1e-14, "AUC \(curve.auc) vs scikit-learn \(fixture.auc)")
    let metrics = AttackMetrics(try MembershipScores(scores: fixture.scores, isMember: fixture.isMember))
    #expect(metrics.auc == curve.auc)
    #expect(metrics.tprAtFPR == fixture.tprAtFPR, "\(metrics.tprAtFPR) vs \(fixture.tprAtFPR)")
    let advantage = zip(fixture.truePositiveRates, fixture.falsePositiveRates).map { $0 - $1 }.max()!
    #expect(metrics.advantage == advantage)
    #expect(metrics.balancedAccuracy == (1 + advantage) / 2)
  }

  @Test func handMadeCurveByHand() throws {
    // Scores 3 (member), 2 (member, non-member tied), 1 (non-member): the tie is one diagonal step.
    let curve = ROCCurve(try MembershipScores(scores: [3, 2, 2, 1], isMember: [true, true, false, false]))
    #expect(curve.thresholds == [.infinity, 3, 2, 1])
    #expect(curve.falsePositiveRates == [0, 0, 0.5, 1])
    #expect(curve.truePositiveRates == [0, 0.5, 1, 1])
    // Mann–Whitney: pairs (3,2) win, (3,1) win, (2,2) tie ½, (2,1) win → 3.5/4.
    #expect(curve.auc == 0.875)
    #expect(curve.maximumAdvantage == 0.5)
    #expect(curve.truePositiveRate(atFalsePositiveRate: 0.49) == 0.5)
    #expect(curve.truePositiveRate(atFalsePositiveRate: 0.5) == 1)
    #expect(curve.truePositiveRate(atFalsePositiveRate: 0) == 0.5)
  }

  /// Members N(Δ, 1), non-members N(0, 1), 20,000 each: AUC = Φ(Δ/√2). The tolerance is four
  /// standard errors of the empirical AUC (Hanley & McNeil 1982).
  @Test(arguments: [0.5, 1.0, 2.0])
  func gaussianAUCMatchesTheClosedForm(shift: Double) {
    var generator = SplitMix64(seed: 7)
    let count = 20_000
    let scores = gaussianScores(members: count, nonMembers: count, shift: shift, using: &generator)
    let expected = StandardNormal.cdf(shift / 2.0.squareRoot())
    let q1 = expected / (2 - expected)
    let q2 = 2 * expected * expected / (1 + expected)
    let n = Double(count)
    let variance =
      (expected * (1 - expected) + (n - 1) * (q1 - expected * expected) + (n - 1) * (q2 - expected * expected)) / (n * n)
    let curve = ROCCurve(scores)
    #expect(abs(curve.auc - expected) <= 4 * variance.squareRoot(), "AUC \(curve.auc) vs Φ(Δ/√2) = \(expected)")
  }

  /// TPR at FPR f is Φ(Φ⁻¹(f) + Δ) in the Gaussian model. Its standard error combines the members'
  /// binomial error t(1 − t)/P with the error of the threshold τ = −Φ⁻¹(f), the non-members'
  /// empirical (1 − f)-quantile (variance f(1 − f)/(N φ(τ)²)), propagated through dTPR/dτ =
  /// −φ(τ − Δ); the test allows four of them.
  @Test(arguments: [0.1, 0.01])
  func gaussianTPRAtLowFPRMatchesTheClosedForm(level: Double) {
    var generator = SplitMix64(seed: 11)
    let count = 20_000
    let shift = 1.0
    let curve = ROCCurve(gaussianScores(members: count, nonMembers: count, shift: shift, using: &generator))
    let threshold = -StandardNormal.quantile(level)
    let expected = StandardNormal.cdf(shift - threshold)
    func density(_ x: Double) -> Double { Double.exp(-x * x / 2) / (2 * Double.pi).squareRoot() }
    let n = Double(count)
    let thresholdSlope = density(threshold - shift) / density(threshold)
    let variance = expected * (1 - expected) / n + thresholdSlope * thresholdSlope * level * (1 - level) / n
    let measured = curve.truePositiveRate(atFalsePositiveRate: level)
    #expect(abs(measured - expected) <= 4 * variance.squareRoot(), "TPR@\(level) \(measured) vs \(expected)")
  }
}
