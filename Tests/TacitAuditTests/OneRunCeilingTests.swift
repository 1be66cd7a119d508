import Foundation
import RealModule
import Testing

@testable import TacitAudit

/// The ceiling of a one-run canary audit (`OneRunCeiling`), the sizing to a claim, and the
/// verdict it feeds (`AuditVerdict.judge`).
@Suite struct OneRunCeilingTests {
  /// The quick start's per-bound confidence: 9 attacks and the canaries share α = 0.05.
  static let quickStartConfidence = 1 - 0.05 / 10

  /// Fixed guesses at δ = 0: Steinke et al.'s all-right bound solves q^r = α/2 (each analysis
  /// at 1 − α/2), ε = logit((α/2)^{1/r}); the f-DP analysis is never above the exact (ε, 0)
  /// test, so the ceiling is that closed form whenever the f-DP one is not larger.
  @Test func fixedGuessesAtDeltaZeroMatchTheClosedForm() {
    for (canaries, guesses) in [(100, 100), (1000, 200), (1000, 1000)] {
      let ceiling = OneRunCeiling(
        canaries: canaries, guesses: .fixed(positive: guesses / 2, negative: guesses - guesses / 2), delta: 0,
        confidence: 0.95)
      let q = Double.exp(Double.log(0.025) / Double(guesses))
      let closedForm = Double.log(q / (1 - q))
      let steinke = ceiling.perAnalysis.first { $0.analysis == .epsilonDelta }!.ceiling
      #expect(abs(steinke - closedForm) < 1e-6, "m = \(canaries), r = \(guesses): \(steinke) vs \(closedForm)")
      #expect(ceiling.ceiling >= steinke)
    }
  }

  /// A perfect attack reaches the ceiling: with exactly half of the canaries included and the
  /// included ones scored highest, every grid entry is all right, and the audit's headline equals
  /// the ceiling computed without the scores.
  @Test(arguments: [1000, 4096])
  func aPerfectAttackReachesTheGridCeiling(canaries: Int) throws {
    let included = (0..<canaries).map { $0 % 2 == 0 }
    let scores = included.enumerated().map { ($1 ? 10.0 : 0.0) + Double($0) * 1e-6 }
    let audit = try OneRunCanaryAudit(
      scores: scores, included: included, guesses: .bonferroniGrid, delta: 1e-5, confidence: 0.95)
    let ceiling = OneRunCeiling(canaries: canaries, guesses: .bonferroniGrid, delta: 1e-5, confidence: 0.95)
    #expect(abs(audit.headline.epsilonLowerBound - ceiling.ceiling) < 1e-6, "\(audit.headline) vs \(ceiling.ceiling)")
    #expect(abs(audit.ceiling - ceiling.ceiling) < 1e-12)
    // A random attack stays far below it.
    var generator = SplitMix64(seed: 7)
    let noise = (0..<canaries).map { _ in Double.random(in: 0..<1, using: &generator) }
    let chance = try OneRunCanaryAudit(
      scores: noise, included: included, guesses: .bonferroniGrid, delta: 1e-5, confidence: 0.95)
    #expect(chance.headline.epsilonLowerBound < 0.5 * ceiling.ceiling)
  }

  /// Issue 11: the quick start's 1,000 canaries (grid, both analyses, 99.5% per bound, δ = 1e-5)
  /// can refute a claim of 3 but never one of 8.
  @Test func quickStartCeilingIsAboveThreeAndBelowEight() {
    let ceiling = OneRunCeiling(
      canaries: 1000, guesses: .bonferroniGrid, delta: 1e-5, confidence: Self.quickStartConfidence)
    #expect(ceiling.ceiling > 3 && ceiling.ceiling < 8, "\(ceiling.perAnalysis)")
    #expect(AuditVerdict.judge(claimed: 8, bound: 1.2, audited: true, ceiling: ceiling.ceiling) == .untestable)
    #expect(AuditVerdict.judge(claimed: 3, bound: 1.2, audited: true, ceiling: ceiling.ceiling) == .pass)
  }

  /// Sizing for ε = 8 at δ = 1e-5: the smallest rung whose ceiling has the ln 2 margin, and
  /// every smaller rung lacks it; with the model capped at 5,000 coordinates the claim cannot be
  /// tested and the largest allowed ceiling is returned (below the claim).
  @Test func sizingForEightPicksTheSmallestRungWithTheMargin() throws {
    let sized = try #require(
      OneRunCeiling.sized(
        claimedEpsilon: 8, delta: 1e-5, confidence: Self.quickStartConfidence, maximumCanaries: 1_000_000))
    #expect(sized.ceiling >= 8 + OneRunCeiling.margin, "\(sized.canaries): \(sized.ceiling)")
    for smaller in OneRunCeiling.canaryLadder where smaller < sized.canaries {
      let ceiling = OneRunCeiling(
        canaries: smaller, guesses: .bonferroniGrid, delta: 1e-5, confidence: Self.quickStartConfidence)
      #expect(ceiling.ceiling < 8 + OneRunCeiling.margin, "\(smaller): \(ceiling.ceiling)")
    }
    let capped = try #require(
      OneRunCeiling.sized(claimedEpsilon: 8, delta: 1e-5, confidence: Self.quickStartConfidence, maximumCanaries: 5000))
    #expect(capped.canaries <= 5000 && capped.ceiling <= 8)
    #expect(
      OneRunCeiling.sized(claimedEpsilon: 8, delta: 1e-5, confidence: 0.95, maximumCanaries: 999) == nil)
    // A claim of 3 needs only the first rung.
    let small = try #require(
      OneRunCeiling.sized(
        claimedEpsilon: 3, delta: 1e-5, confidence: Self.quickStartConfidence, maximumCanaries: 1_000_000))
    #expect(small.canaries == 1000)
  }

  /// The verdict rule: a failed mechanism check is a violation whatever the bound; a bound above
  /// the claim is a violation even above the ceiling; a claim at the ceiling is untestable; no
  /// claim is measured; nothing audited is none.
  @Test func verdictRule() {
    #expect(AuditVerdict.judge(claimed: 3, bound: 0.1, audited: true, ceiling: 5, mechanismFailed: true) == .violation)
    #expect(AuditVerdict.judge(claimed: 8, bound: 0.1, audited: true, ceiling: 5, mechanismFailed: true) == .violation)
    #expect(AuditVerdict.judge(claimed: 3, bound: 3.5, audited: true, ceiling: 5) == .violation)
    #expect(AuditVerdict.judge(claimed: 5, bound: 1, audited: true, ceiling: 5) == .untestable)
    #expect(AuditVerdict.judge(claimed: 3, bound: 1, audited: true, ceiling: 5) == .pass)
    #expect(AuditVerdict.judge(claimed: 3, bound: 1, audited: true) == .pass)
    #expect(AuditVerdict.judge(claimed: nil, bound: 1, audited: true, ceiling: 5) == .measured)
    #expect(AuditVerdict.judge(claimed: 3, bound: 0, audited: false, ceiling: nil) == .none)
    #expect(AuditVerdict(rawValue: "UNTESTABLE") == .untestable)
  }

  /// The attacks' ceiling: a perfectly separating score gives exactly it on the held-out half.
  @Test func heldOutHalfCeilingIsAPerfectAttacksBound() {
    let members = 3001
    let nonMembers = 2000
    let isMember = (0..<(members + nonMembers)).map { $0 < members }
    let scores = try! MembershipScores(scores: isMember.map { $0 ? 1 : 0 }, isMember: isMember)
    var generator = SplitMix64(seed: 3)
    let bound = HypothesisTestBound.epsilonLowerBound(
      scores, delta: 1e-5, confidence: 0.99, selection: .heldOutHalf, generator: &generator)
    let ceiling = HypothesisTestBound.heldOutHalfCeiling(
      members: members, nonMembers: nonMembers, delta: 1e-5, confidence: 0.99)
    #expect(abs(bound.epsilon - ceiling) < 1e-9, "\(bound.epsilon) vs \(ceiling)")
    #expect(HypothesisTestBound.heldOutHalfCeiling(members: 1, nonMembers: 10, delta: 0, confidence: 0.95) == 0)
  }

  /// The table of docs/auditing.md ("Canaries each claim needs"): the grid ceiling of each
  /// ladder rung per analysis at δ = 1e-5, at 95% and at the quick start's 99.5% per bound, and
  /// the canaries `count: auto` picks per claim. Printed; run with
  /// `swift test -c release -Xswiftc -enable-testing --filter OneRunCeilingTests/ceilingTable`.
  @Test func ceilingTable() {
    for confidence in [0.95, Self.quickStartConfidence] {
      print(String(format: "ceilings at δ = 1e-5, confidence %.3f:", confidence))
      var previous = 0.0
      for canaries in OneRunCeiling.canaryLadder {
        let ceiling = OneRunCeiling(canaries: canaries, guesses: .bonferroniGrid, delta: 1e-5, confidence: confidence)
        let parts = ceiling.perAnalysis.map { String(format: "%@ %.2f", $0.analysis.rawValue, $0.ceiling) }
        print("  m = \(canaries): ceiling \(String(format: "%.2f", ceiling.ceiling)) (\(parts.joined(separator: ", ")))")
        #expect(ceiling.ceiling > previous, "the ceiling grows with m")
        previous = ceiling.ceiling
      }
      for claim in [1.0, 2, 3, 4, 5, 6, 7, 8, 10] {
        let sized = OneRunCeiling.sized(
          claimedEpsilon: claim, delta: 1e-5, confidence: confidence, maximumCanaries: .max)!
        let verdict = sized.ceiling > claim ? "" : " (UNTESTABLE: below the claim)"
        print(
          String(format: "  claim ε = %g: %d canaries, ceiling %.2f%@", claim, sized.canaries, sized.ceiling, verdict as NSString))
      }
    }
  }
}
