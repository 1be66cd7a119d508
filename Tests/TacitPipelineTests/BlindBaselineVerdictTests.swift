import Foundation
import TacitAudit
import TacitTensor
import Testing

@testable import TacitPipeline
@testable import TacitReport

/// The validity gate in the after-run verdict (issue 14): a blind baseline that tells member from
/// non-member texts makes the audit INVALID whatever its attacks say; a failed mechanism check or
/// a canary violation, which do not depend on the texts, stand; a VALID gate changes nothing. The
/// gate is in audit.json, the terminal lines and the report.
@Suite struct BlindBaselineVerdictTests {
  /// Member and non-member texts from one distribution (`shifted: false`) or from two.
  static func gate(shifted: Bool, seed: UInt64 = 3) throws -> BlindBaseline {
    var generator = SeededGenerator(seed: seed)
    let words = ["the", "a", "fool", "money", "wise", "time", "love", "never", "always", "life"]
    let other = ["QUUX", "ZORK", "XYZZY", "PLUGH", "FROB", "GRUE", "BLARG", "WUMPUS", "SNARF", "GLORP"]
    func text(_ vocabulary: [String]) -> String {
      (0..<12).map { _ in vocabulary[Int(Random.uniform(using: &generator) * Float(vocabulary.count)) % vocabulary.count] }
        .joined(separator: " ")
    }
    let members = (0..<60).map { _ in text(words) }
    let nonMembers = (0..<60).map { _ in text(shifted ? other : words) }
    var split = SeededGenerator(seed: seed + 100)
    return try BlindBaseline(memberTexts: members, nonMemberTexts: nonMembers, generator: &split)
  }

  /// A membership outcome: one attack whose bound is `bound`, claiming `claimed`, with `gate`.
  static func outcome(claimed: Double?, bound: Double, gate: BlindBaseline?, boundSource: String = "attack loss")
    throws -> AuditOutcome
  {
    let scores = try MembershipScores(scores: (0..<40).map(Double.init), isMember: (0..<40).map { $0 >= 20 })
    let attack = AttackResult(
      name: "loss", scores: scores, metrics: AttackMetrics(scores),
      epsilon: EmpiricalEpsilon(epsilon: bound, confidence: 0.95, delta: 1e-5, method: "test"), roc: ROCCurve(scores))
    var outcome = AuditOutcome(
      verdict: .none, epsilonClaimed: claimed, epsilonLowerBound: bound, boundSource: boundSource, confidence: 0.95,
      delta: 1e-5, deltaIsDefault: claimed == nil, attacks: [attack], canaries: nil, memberCount: 20, nonMemberCount: 20,
      referenceModels: 0, populationSize: 0, caveats: [], gdpEstimate: nil, attackCeiling: 10)
    outcome.blindBaseline = gate
    RunAudit.judge(&outcome)
    return outcome
  }

  @Test func aShiftedSplitIsInvalidWhateverTheAttacksSay() throws {
    let shifted = try Self.gate(shifted: true)
    #expect(shifted.verdict == .invalid && shifted.auc > 0.9, "\(shifted.auc)")
    for (claimed, bound) in [(nil, 0.5), (3.0, 1.0), (3.0, 5.0)] as [(Double?, Double)] {
      let outcome = try Self.outcome(claimed: claimed, bound: bound, gate: shifted)
      #expect(outcome.verdict == .invalid, "claimed \(String(describing: claimed)), bound \(bound)")
      #expect(outcome.caveats.contains { $0.hasPrefix("INVALID: a classifier that never sees the model") })
    }
    // A canary bound above the claim does not depend on the texts: the VIOLATION stands.
    #expect(try Self.outcome(claimed: 3, bound: 5, gate: shifted, boundSource: "gradient canaries").verdict == .violation)
    let outcome = try Self.outcome(claimed: nil, bound: 0.5, gate: shifted)
    let json = outcome.jsonObject
    let gate = try #require(json["blind_baseline"] as? [String: Any])
    #expect(gate["verdict"] as? String == "INVALID")
    #expect((outcome.summaryObject["blind_baseline"] as? [String: Any])?["verdict"] as? String == "INVALID")
    #expect(outcome.summaryObject["verdict"] as? String == "INVALID")
    #expect(
      outcome.lines.contains {
        $0.hasPrefix("blind baseline (byte n-grams, never sees the model): AUC")
          && $0.hasSuffix("the attacks measure that shift)")
      })
    #expect(RunReport.blindBaselineSection(shifted).contains("The interval excludes 0.5"))
  }

  @Test func aValidGateChangesNothing() throws {
    let valid = try Self.gate(shifted: false)
    #expect(valid.verdict == .valid, "\(valid.auc) \(valid.aucInterval)")
    #expect(try Self.outcome(claimed: nil, bound: 0.5, gate: valid).verdict == .measured)
    #expect(try Self.outcome(claimed: 3, bound: 1, gate: valid).verdict == .pass)
    #expect(try Self.outcome(claimed: 3, bound: 5, gate: valid).verdict == .violation)
    #expect(try Self.outcome(claimed: 3, bound: 1, gate: nil).verdict == .pass)
  }
}
