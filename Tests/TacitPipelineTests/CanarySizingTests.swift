import Foundation
import TacitAudit
@testable import TacitReport
import Testing

@testable import TacitPipeline

/// Issue 11, "audits sized to their claim" and "mechanism checks in the outcome": the verdict
/// rule on synthetic checks (no training), their place in audit.json, summary.json, the terminal
/// and the report, and runs whose canaries are sized (`count: auto`) or too few for the claim.
@Suite(.serialized) struct CanarySizingTests {
  /// An outcome whose only bound is a canary audit of 1,000 canaries scored at chance (bound 0,
  /// ceiling about 5.2 at 95%), claiming `claimed`, carrying `checks`.
  static func outcome(claimed: Double, checks: [MechanismCheck]) throws -> AuditOutcome {
    let included = (0..<1000).map { $0 % 2 == 0 }
    let scores = (0..<1000).map { Double(($0 * 7919) % 1000) }
    let canaries = try AuditRunner.canaryAudit(
      kind: "gradient", scores: scores, included: included, guessFraction: nil, delta: 1e-5, confidence: 0.95,
      mechanismChecks: checks)
    var outcome = AuditOutcome(
      verdict: .none, epsilonClaimed: claimed, epsilonLowerBound: canaries.epsilonLowerBound,
      boundSource: "gradient canaries", confidence: 0.95, delta: 1e-5, deltaIsDefault: false, attacks: [],
      canaries: canaries, memberCount: 0, nonMemberCount: 0, referenceModels: 0, populationSize: 0, caveats: [],
      gdpEstimate: nil)
    RunAudit.judge(&outcome)
    return outcome
  }

  static let consistent = MechanismCheck(
    kind: .sampleRate, measured: 0.0101, accounted: 0.01, standardError: 0.0002, observations: 250_000)
  /// A tenth of the accounted noise: weakens the guarantee.
  static let tooLittleNoise = MechanismCheck(
    kind: .noiseScale, measured: 0.1, accounted: 1, standardError: 0.002, observations: 290_000)
  /// Twice the accounted noise: harmless.
  static let moreNoise = MechanismCheck(
    kind: .noiseScale, measured: 2, accounted: 1, standardError: 0.002, observations: 290_000)

  @Test func aFailedCheckIsAViolationWhateverTheBound() throws {
    #expect(Self.tooLittleNoise.status == .failed && Self.moreNoise.status == .deviates)
    let passing = try Self.outcome(claimed: 3, checks: [Self.consistent])
    #expect(passing.epsilonLowerBound < 1 && passing.verdict == .pass, "\(passing.verdict)")
    #expect(passing.caveats.isEmpty, "\(passing.caveats)")
    let failed = try Self.outcome(claimed: 3, checks: [Self.consistent, Self.tooLittleNoise])
    #expect(failed.epsilonLowerBound < 3 && failed.verdict == .violation)
    #expect(failed.caveats.contains { $0.hasPrefix("MECHANISM CHECK FAILED: noise scale: measured 0.1") }, "\(failed.caveats)")
    // Even an untestable claim is violated by a failed check.
    #expect(try Self.outcome(claimed: 8, checks: [Self.tooLittleNoise]).verdict == .violation)
    let deviating = try Self.outcome(claimed: 3, checks: [Self.moreNoise])
    #expect(deviating.verdict == .pass)
    #expect(deviating.caveats == ["mechanism check deviates in the harmless direction: \(Self.moreNoise.summary)"])
  }

  @Test func aClaimAboveTheCeilingIsUntestable() throws {
    let outcome = try Self.outcome(claimed: 8, checks: [])
    let ceiling = try #require(outcome.ceiling)
    #expect(ceiling > 5 && ceiling < 8, "\(ceiling)")
    #expect(outcome.verdict == .untestable)
    #expect(outcome.caveats.contains { $0.hasPrefix("UNTESTABLE: the claimed ε = 8 is at or above") })
    #expect(outcome.summaryObject["verdict"] as? String == "UNTESTABLE")
    #expect(outcome.lines.last { $0.contains("UNTESTABLE") } != nil)
  }

  /// The checks, selection, per-analysis bounds, ceiling and paths in audit.json, summary.json,
  /// the terminal lines and the report.
  @Test func checksAndCeilingAreRendered() throws {
    let outcome = try Self.outcome(claimed: 3, checks: [Self.consistent, Self.tooLittleNoise])
    let summaryChecks = try #require(outcome.summaryObject["mechanism_checks"] as? [[String: Any]])
    #expect(summaryChecks.count == 2)
    #expect(summaryChecks[1]["kind"] as? String == "noise scale" && summaryChecks[1]["status"] as? String == "failed")
    #expect(summaryChecks[1]["measured"] as? Double == 0.1 && summaryChecks[1]["accounted"] as? Double == 1)
    #expect(summaryChecks[1]["standard_error"] as? Double == 0.002 && summaryChecks[1]["observations"] as? Int == 290_000)
    let canaries = try #require(outcome.jsonObject["canaries"] as? [String: Any])
    #expect((canaries["selection"] as? String)?.hasPrefix("Bonferroni grid of 6 guess counts") == true)
    let bounds = try #require(canaries["bounds"] as? [[String: Any]])
    #expect(bounds.map { $0["analysis"] as? String } == ["epsilon_delta", "trade_off_epsilon_delta"])
    #expect((canaries["paths"] as? [String])?.first == "Poisson sampler (canaries are virtual records of the sampled pool)")
    #expect((canaries["ceiling"] as? Double).map { $0 > 5 } == true)
    let text = outcome.lines.joined(separator: "\n")
    #expect(text.contains("mechanism check: noise scale: measured 0.1") && text.contains("paths exercised: Poisson sampler"))
    let html = RunReport.auditSection(outcome)
    #expect(html.contains("Mechanism checks") && html.contains(">failed<") && html.contains("ceiling <strong>"))
    #expect(html.contains("Bonferroni grid") && html.contains("per-example clip factors (raw norm 10·C)"))
  }

  /// Synthetic records, DP-SGD at `epsilon`, `canaries` gradient canaries and a hidden layer of
  /// `units` (parameters: 6·units + units + 3·units + 3).
  static func recipe(epsilon: Double, canaries: String, units: Int) -> String {
    """
    version: 1
    name: sized
    seed: 4
    data:
      source: synthetic
      synthetic: {classes: 3, features: 6, samples: 2000}
    model:
      - {type: dense, units: \(units)}
      - {type: tanh}
      - {type: dense, units: 3}
    training:
      epochs: 2
      batch_size: 64
      optimizer: {type: sgd, learning_rate: 0.5}
    privacy: {target_epsilon: \(epsilon), delta: 1.0e-6, max_grad_norm: 1.0, noise: seeded}
    audit:
      member_fraction: 0.5
      bootstrap: 0
      canaries: {count: \(canaries), kind: gradient}

    """
  }

  /// Acceptance: a run claiming ε = 8 with a model of 1,283 coordinates cannot hold enough
  /// canaries: it warns before training, exits 0 and its verdict is UNTESTABLE everywhere.
  @Test func claimOfEightOnASmallModelIsUntestable() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.recipe(epsilon: 8, canaries: "auto", units: 128))
    let outcome = try space.run(recipe, "--json")
    #expect(outcome.status == 0, "exit \(outcome.status): \(outcome.standardError)")
    #expect(outcome.standardError.contains("WARNING: UNTESTABLE CLAIM: count auto chose 1000 gradient canaries"))
    #expect(outcome.standardError.contains("audit UNTESTABLE"))
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    let audit = try #require(summary["audit"] as? [String: Any])
    #expect(audit["verdict"] as? String == "UNTESTABLE")
    #expect((audit["ceiling"] as? Double).map { $0 < 8 } == true)
    let log = try String(contentsOf: space.runFolder.appendingPathComponent("log.txt"), encoding: .utf8)
    #expect(log.contains("WARNING: UNTESTABLE CLAIM"))
    let html = try String(contentsOf: space.runFolder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.contains(">UNTESTABLE<"))
  }

  /// `count: auto` for ε = 5 on a model of 20,483 coordinates picks the smallest rung whose
  /// ceiling clears 5 + ln 2 (10,000 at 99% per bound, `OneRunCeilingTests.ceilingTable`), and the
  /// run passes with that ceiling.
  @Test func countAutoSizesTheAuditToTheClaim() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.recipe(epsilon: 5, canaries: "auto", units: 2048))
    let outcome = try space.run(recipe, "--json")
    #expect(outcome.status == 0, "exit \(outcome.status): \(outcome.standardError)")
    let expected = OneRunCeiling.sized(claimedEpsilon: 5, delta: 1e-6, confidence: 0.99, maximumCanaries: 20_483)!
    #expect(outcome.standardError.contains("audit sizing: count auto chose \(expected.canaries) gradient canaries"))
    let audit = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: space.runFolder.appendingPathComponent("audit.json")))
        as? [String: Any])
    #expect(audit["verdict"] as? String == "PASS")
    let canaries = try #require(audit["canaries"] as? [String: Any])
    #expect(canaries["count"] as? Int == expected.canaries)
    let ceiling = try #require(canaries["ceiling"] as? Double)
    #expect(abs(ceiling - expected.ceiling) < 1e-4 && ceiling > 5 + OneRunCeiling.margin, "\(ceiling)")
    // The resolved recipe keeps `auto` (the choice is in the log and audit.json).
    let resolved = try String(contentsOf: space.runFolder.appendingPathComponent("recipe.yaml"), encoding: .utf8)
    #expect(resolved.contains("count: auto"))
  }
}
