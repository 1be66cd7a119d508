import Foundation
import TacitAudit
import TacitPipeline
import TacitTensor
import Testing

/// The headline bound of `tacit audit canaries` (`OneRunCanaryAudit`: two analyses over
/// a Bonferroni grid, each at 1 − α/2, the larger reported) must hold at the stated confidence:
/// on randomised-response canaries whose true ε is known, it may exceed that ε in at most about
/// α of the audits.
@Suite struct CanaryBoundsCoverageTests {
  /// Randomised response at ε: each of m canaries is included with probability ½, and its score
  /// reports the inclusion bit truthfully with probability e^ε/(1 + e^ε), plus a jitter that
  /// orders the scores at random within each bit. This mechanism is exactly (ε, 0)-DP for each
  /// canary, so every valid (ε, δ) lower bound is at most ε.
  static func randomisedResponse(epsilon: Double, canaries: Int, generator: inout SeededGenerator)
    -> (scores: [Double], included: [Bool])
  {
    let truthful = 1 / (1 + Foundation.exp(-epsilon))
    var scores: [Double] = []
    var included: [Bool] = []
    for _ in 0..<canaries {
      let inside = Bool.random(using: &generator)
      let reported = Double.random(in: 0..<1, using: &generator) < truthful ? inside : !inside
      scores.append((reported ? 1 : 0) + Double.random(in: 0..<0.5, using: &generator))
      included.append(inside)
    }
    return (scores, included)
  }

  /// 300 audits of 500 canaries at each ε; at 95% the expected number of exceedances is at most
  /// 15, and 26 is above the 99.9th percentile of Binomial(300, 0.05).
  @Test(arguments: [0.5, 1.0, 2.0])
  func headlineBoundCoversTheTruth(epsilon: Double) throws {
    var generator = SeededGenerator(seed: UInt64(epsilon * 1000))
    var exceedances = 0
    var total = 0.0
    for _ in 0..<300 {
      let file = Self.randomisedResponse(epsilon: epsilon, canaries: 500, generator: &generator)
      let audit = try OneRunCanaryAudit(
        scores: file.scores, included: file.included, guesses: .bonferroniGrid, delta: 0, confidence: 0.95)
      let headline = audit.headline.epsilonLowerBound
      total += headline
      if headline > epsilon { exceedances += 1 }
    }
    #expect(exceedances <= 26, "ε = \(epsilon): \(exceedances) of 300 headline bounds exceed the truth")
    // And the audit has power: the mean bound is a sizeable part of the truth (measured: 0.25,
    // 0.72 and 1.62 at ε = 0.5, 1 and 2, with 3, 3 and 8 exceedances of 300).
    #expect(total / 300 > 0.3 * epsilon, "ε = \(epsilon): mean bound \(total / 300)")
  }
}
