import Foundation
import Testing

@testable import TacitPipeline

/// The audit after a run, end to end: a broken DP-SGD (noise switched off by test-only fault
/// injection, reachable only through the internal API) is caught, a correct one at ε = 1 is not, and a non-private run
/// that overfits leaks measurably.
@Suite(.serialized) struct AuditRunTests {
  /// 2,000 synthetic records (1,600 in the pool), an MLP with 1,283 parameters, DP-SGD at
  /// (ε = 1, δ = 1e-6), 1,000 gradient canaries, half the pool as members. (The one-run bound
  /// carries a 2mδ term: with m = 1,000 canaries, δ must be well below 1e-3 for it to say anything.)
  static func privateRecipe(seed: Int) -> String {
    """
    version: 1
    name: audited
    seed: \(seed)
    data:
      source: synthetic
      synthetic:
        classes: 3
        features: 6
        samples: 2000
    model:
      - type: dense
        units: 128
      - type: tanh
      - type: dense
        units: 3
    training:
      epochs: 4
      batch_size: 64
      optimizer:
        type: sgd
        learning_rate: 0.5
    privacy:
      target_epsilon: 1
      delta: 1.0e-6
      max_grad_norm: 1.0
      noise: seeded
    audit:
      member_fraction: 0.5
      bootstrap: 20
      canaries:
        count: 1000
        kind: gradient

    """
  }

  func audit(_ folder: URL) throws -> [String: Any] {
    try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("audit.json"))) as? [String: Any])
  }

  @Test func noiseSwitchedOffIsAViolation() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.privateRecipe(seed: 1))
    var lines: [String] = []
    let result = try RunPipeline.run(
      recipePath: recipe, overrides: [], outputDirectory: space.runFolder.path,
      options: RunOptions(threads: 1, showProgress: false, faults: [.noiseDisabled]), log: { lines.append($0) })
    #expect(result.isViolation, "verdict \(String(describing: result.auditVerdict))")
    #expect(lines.contains { $0.contains("TEST-ONLY FAULT INJECTION (noiseDisabled)") })
    let audit = try audit(space.runFolder)
    #expect(audit["verdict"] as? String == "VIOLATION")
    let caveats = try #require(audit["caveats"] as? [String])
    #expect(caveats.contains { $0.contains("TEST-ONLY FAULT INJECTION") }, "\(caveats)")
    let bound = try #require(audit["epsilon_lower_bound"] as? Double)
    let claimed = try #require(audit["epsilon_claimed"] as? Double)
    #expect(bound > claimed, "bound \(bound), claimed \(claimed)")
    // Without noise an IN canary's score is C/E per inclusion and an OUT canary's is exactly 0:
    // every guess is right except IN canaries never drawn (probability (1 − q)^T each), which
    // tie with the OUT ones.
    let canaries = try #require(audit["canaries"] as? [String: Any])
    let correct = try #require(canaries["correct"] as? Int), guesses = try #require(canaries["guesses"] as? Int)
    // The grid's headline configuration guesses many and gets nearly all of them right.
    #expect(guesses >= 125 && Double(correct) >= 0.97 * Double(guesses), "\(correct) of \(guesses) guesses right")
    #expect(canaries["selection"] as? String == "Bonferroni grid of 6 guess counts (r = m, m/2, m/4, …, half IN, half OUT)")
    // The run folder is still written, so the violation can be inspected.
    #expect(FileManager.default.fileExists(atPath: space.runFolder.appendingPathComponent("report.html").path))
  }

  @Test(arguments: [11, 12, 13])
  func correctDPSGDAtEpsilonOnePasses(seed: Int) throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.privateRecipe(seed: seed))
    let outcome = try space.run(recipe, "--json")
    #expect(outcome.status == 0, "exit \(outcome.status): \(outcome.standardError)")
    let audit = try audit(space.runFolder)
    #expect(audit["verdict"] as? String == "PASS")
    let bound = try #require(audit["epsilon_lower_bound"] as? Double)
    #expect(bound <= 1, "seed \(seed): bound \(bound) above the claimed ε = 1")
    let attacks = try #require(audit["attacks"] as? [String: Any])
    #expect(Set(attacks.keys) == ["loss", "confidence", "entropy", "modified_entropy"])
    for case let (name, value as [String: Any]) in attacks {
      let auc = try #require(value["auc"] as? Double)
      // ε = 1 allows an AUC of at most about 0.73; a small model on 800 members leaks far less.
      #expect(auc > 0.4 && auc < 0.65, "\(name): AUC \(auc)")
      let tpr = try #require(value["tpr_at_fpr"] as? [String: Double])
      #expect(Set(tpr.keys) == ["0.1", "0.01", "0.001"])
    }
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
    let summaryAudit = try #require(summary["audit"] as? [String: Any])
    #expect(summaryAudit["verdict"] as? String == "PASS")
    // The report shows the ledger, the verdict and the canary audit with its ceiling.
    let html = try String(contentsOf: space.runFolder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.contains("× Poisson-sampled (q = ") && html.contains("Gaussian (σ = "))
    #expect(html.contains(">PASS<") && html.contains("Canary audit (one run)") && html.contains("ceiling <strong>"))
    #expect(html.contains("Bonferroni grid") && html.contains("Mahloujifar") && html.contains("Poisson sampler"))
  }

  /// A non-private model trained long on few records: membership leaks, the verdict is MEASURED,
  /// and reference-model attacks run.
  @Test func overfittedModelLeaksAndReferenceAttacksRun() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = """
      version: 1
      name: overfit
      seed: 5
      data:
        source: synthetic
        synthetic:
          classes: 4
          features: 10
          samples: 500
          separation: 1.0
      model:
        - type: dense
          units: 64
        - type: relu
        - type: dense
          units: 4
      training:
        epochs: 60
        batch_size: 16
        optimizer:
          type: adam
          learning_rate: 0.01
      audit:
        reference_models: 4
        bootstrap: 20
        population_size: 100

      """
    let outcome = try space.run(try space.write("overfit.yaml", recipe))
    #expect(outcome.status == 0, "exit \(outcome.status): \(outcome.standardError)")
    let audit = try audit(space.runFolder)
    #expect(audit["verdict"] as? String == "MEASURED")
    let attacks = try #require(audit["attacks"] as? [String: Any])
    #expect(
      Set(attacks.keys)
        == [
          "loss", "confidence", "entropy", "modified_entropy", "learned", "lira_online", "lira_offline", "rmia_offline",
          "rmia_online",
        ])
    let loss = try #require((attacks["loss"] as? [String: Any])?["auc"] as? Double)
    #expect(loss > 0.7, "loss attack AUC \(loss) on an overfitted model")
    let bound = try #require(audit["epsilon_lower_bound"] as? Double)
    #expect(bound > 0, "an overfitted model gives a positive ε lower bound, got \(bound)")
    let html = try String(contentsOf: space.runFolder.appendingPathComponent("report.html"), encoding: .utf8)
    #expect(html.contains("ROC curves (log–log)") && html.contains("MEASURED"))
  }
}
