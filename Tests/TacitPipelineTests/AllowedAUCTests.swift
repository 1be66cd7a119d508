import Foundation
import TacitAudit
import Testing

@testable import TacitPipeline
@testable import TacitReport

/// What a DP claim allows an attack's AUC (issue 14's "every attack's AUC within what (ε, δ)
/// allows"): the bound e^ε/(1 + e^ε)-like area of `TradeOffCurve.maximumAUC`, in audit.json,
/// summary.json, the terminal lines and the report; absent without a claim.
@Suite struct AllowedAUCTests {
  @Test func aPerfectAttackExceedsWhatASmallClaimAllows() throws {
    // The outcome's one attack separates members from non-members perfectly (AUC 1).
    let outcome = try BlindBaselineVerdictTests.outcome(claimed: 3, bound: 1, gate: nil)
    let allowed = try #require(outcome.allowedAUC)
    #expect(abs(allowed - TradeOffCurve.approximate(epsilon: 3, delta: 1e-5).maximumAUC) < 1e-15)
    #expect(allowed > 0.95 && allowed < 0.96)
    #expect(outcome.attacksExceedingAllowedAUC == ["loss"])
    let object = try #require(outcome.summaryObject["auc_allowed"] as? [String: Any])
    #expect(object["exceeded_by"] as? [String] == ["loss"])
    #expect(outcome.jsonObject["auc_allowed"] != nil)
    #expect(
      outcome.lines.contains { $0.hasPrefix("(ε, δ) allows an attack AUC of at most 0.952") && $0.hasSuffix("EXCEEDED by loss") })
    #expect(RunReport.auditSection(outcome).contains("<b>exceeded</b> by loss"))
  }

  @Test func aLargeClaimAllowsThePerfectAttackAndNoClaimAllowsNothing() throws {
    let large = try BlindBaselineVerdictTests.outcome(claimed: 40, bound: 1, gate: nil)
    #expect(large.attacksExceedingAllowedAUC.isEmpty)
    #expect(large.lines.contains { $0.hasSuffix("every attack is within it") })
    let none = try BlindBaselineVerdictTests.outcome(claimed: nil, bound: 1, gate: nil)
    #expect(none.allowedAUC == nil && none.summaryObject["auc_allowed"] == nil)
    #expect(!none.lines.contains { $0.contains("allows an attack AUC") })
  }
}
