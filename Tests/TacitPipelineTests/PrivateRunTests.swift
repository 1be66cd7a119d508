import Foundation
import Testing

/// DP-SGD runs end to end through the executable: the claim, privacy.json, determinism with
/// seeded noise, and the refusals.
@Suite(.serialized) struct PrivateRunTests {
  /// 600 synthetic records (480 in the pool after the test hold-out; the audit's default
  /// member_fraction 0.5 trains on 240 of them), expected batch 32.
  static let privateRecipe =
    BadInputTests.tinyRecipe.replacingOccurrences(of: "samples: 120", with: "samples: 600")
      + """
      privacy:
        target_epsilon: 2
        max_grad_norm: 1.0
        noise: seeded

      """

  /// Runs the run folder's resolved recipe.yaml again and expects the same model, byte for byte.
  func expectResolvedRecipeRepeatsTheRun(_ space: Workspace, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let again = space.root.appendingPathComponent("again/run")
    let rerun = try CommandLineTool.run([
      "run", space.runFolder.appendingPathComponent("recipe.yaml").path, "--output", again.path,
    ])
    #expect(rerun.status == 0, "\(rerun.standardError)", sourceLocation: sourceLocation)
    #expect(
      try Data(contentsOf: again.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: space.runFolder.appendingPathComponent("model.safetensors")), sourceLocation: sourceLocation)
  }

  func summaryAndPrivacy(_ folder: URL) throws -> (summary: [String: Any], privacy: [String: Any]) {
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any])
    let privacy = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("privacy.json"))) as? [String: Any])
    return (summary, privacy)
  }

  @Test func claimNeverExceedsTheTargetAndEveryAccountantIsReported() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.privateRecipe)
    let outcome = try space.run(recipe, "--set", "training.batch_size=32")
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let (summary, privacy) = try summaryAndPrivacy(space.runFolder)
    let claim = try #require(summary["privacy"] as? [String: Any])
    let epsilon = try #require(claim["epsilon"] as? Double)
    #expect(epsilon <= 2 && epsilon > 1.99, "claimed ε \(epsilon) for target 2")
    #expect(claim["accountant"] as? String == "pld")
    // δ defaults to the largest power of ten below 1/N for N = 240 training records (members).
    #expect(claim["delta"] as? Double == 1e-3)
    #expect(abs((claim["sample_rate"] as? Double ?? 0) - 32.0 / 240.0) < 1e-12)
    #expect(claim["steps"] as? Int == 2 * 8)
    let figures = try #require(privacy["epsilons"] as? [[String: Any]])
    #expect(Set(figures.compactMap { $0["accountant"] as? String }) == ["pld", "rdp", "gdp"])
    #expect(privacy["claimed_by"] as? String == "pld")
    let caveats = try #require(privacy["caveats"] as? [String])
    #expect(caveats.contains { $0.contains("NOT FOR RELEASE") })
    let ledger = try #require(privacy["ledger"] as? [[String: Any]])
    #expect(ledger.first?["event"] as? String == "self_composed" && ledger.first?["count"] as? Int == 16)
    // The resolved recipe records the σ used, and running it again repeats the run exactly.
    let resolved = try String(contentsOf: space.runFolder.appendingPathComponent("recipe.yaml"), encoding: .utf8)
    #expect(resolved.contains("noise_multiplier:") && resolved.contains("# calibrated (pld) for target_epsilon 2.0"))
    try expectResolvedRecipeRepeatsTheRun(space)
  }

  @Test func seededNoiseRepeatsAndSecureNoiseDoesNot() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.privateRecipe)
    var models: [Data] = []
    for (index, noise) in ["seeded", "seeded", "secure", "secure"].enumerated() {
      let folder = space.root.appendingPathComponent("runs-\(index)/run")
      let outcome = try CommandLineTool.run(["run", recipe, "--output", folder.path, "--set", "privacy.noise=\(noise)"])
      #expect(outcome.status == 0, "\(outcome.standardError)")
      models.append(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")))
    }
    #expect(models[0] == models[1], "seeded noise must reproduce the run")
    #expect(models[2] != models[3], "secure noise must differ between runs")
    #expect(models[0] != models[2])
  }

  @Test func deltaAtLeastOneOverNIsRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.privateRecipe)
    let outcome = try space.run(recipe, "--set", "privacy.delta=0.01")
    try space.expectCleanFailure(outcome, status: 65, message: "privacy.delta: 0.01 is not below 1/N")
  }

  /// Adaptive clipping end to end: the ledger is one Gaussian per step at the effective σ with
  /// its two components, z_Δ and σ_b recombine to σ, the claim is the accountant's ε for σ (the
  /// `tacit epsilon` command, independently), C moves and is reported per epoch, and the resolved
  /// recipe repeats the run bit for bit.
  @Test func adaptiveClippingSpendsTheBudgetInTheOpen() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "dp.yaml",
      Self.privateRecipe.replacingOccurrences(of: "max_grad_norm: 1.0", with: "max_grad_norm: 0.1")
        + "  adaptive_clipping: {}\n")
    let outcome = try space.run(recipe, "--set", "training.batch_size=32")
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let (summary, privacy) = try summaryAndPrivacy(space.runFolder)
    let sigma = try #require(privacy["noise_multiplier"] as? Double)
    let claimed = try #require(privacy["claimed_epsilon"] as? Double)
    #expect(claimed <= 2 && claimed > 1.99, "claimed ε \(claimed) for target 2")
    let ledger = try #require((privacy["ledger"] as? [[String: Any]])?.first)
    let sampled = try #require(ledger["inner"] as? [String: Any])
    let gaussian = try #require(sampled["inner"] as? [String: Any])
    #expect(gaussian["event"] as? String == "gaussian" && gaussian["noise_multiplier"] as? Double == sigma)
    let components = try #require(gaussian["components"] as? [[String: Any]])
    #expect(components.count == 2)
    let adaptive = try #require(privacy["adaptive_clipping"] as? [String: Any])
    let gradient = try #require(adaptive["gradient_noise_multiplier"] as? Double)
    let countNoise = try #require(adaptive["count_noise"] as? Double)
    // E = 32 expected examples per step: σ_b = 32/20 by default.
    #expect(countNoise == 1.6 && adaptive["count_noise_multiplier"] as? Double == 3.2)
    #expect(components[0]["noise_multiplier"] as? Double == gradient && components[1]["sensitivity"] as? Double == 0.5)
    #expect(gradient > sigma)
    #expect(abs(1 / (1 / (gradient * gradient) + 1 / (4 * countNoise * countNoise)).squareRoot() / sigma - 1) < 1e-12)
    // The claim is exactly what the accountant gives for the effective σ.
    let steps = try #require(privacy["steps"] as? Int)
    let sampleRate = try #require(privacy["sample_rate"] as? Double)
    let delta = try #require(privacy["delta"] as? Double)
    let check = try CommandLineTool.run([
      "epsilon", "--noise-multiplier", "\(sigma)", "--sample-rate", "\(sampleRate)", "--steps", "\(steps)", "--delta",
      "\(delta)", "--accountant", "pld", "--json",
    ])
    #expect(check.status == 0, "\(check.standardError)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(check.standardOutput.utf8)) as? [String: Any])
    let accountantEpsilon = try #require(object["epsilon"] as? Double)
    #expect(abs(accountantEpsilon - claimed) < 1e-9 * claimed, "accountant ε \(accountantEpsilon), claimed \(claimed)")
    // C moved from C₀ = 0.1, and metrics.json reports it per epoch, ending where privacy.json says.
    let final = try #require(adaptive["final_max_grad_norm"] as? Double)
    #expect(final != 0.1 && final > 0)
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: space.runFolder.appendingPathComponent("metrics.json")))
        as? [String: Any])
    let epochs = try #require(metrics["epochs"] as? [[String: Any]])
    #expect(epochs.count == 2 && epochs.last?["max_grad_norm"] as? Double == final)
    let summaryAdaptive = try #require((summary["privacy"] as? [String: Any])?["adaptive_clipping"] as? [String: Any])
    #expect(summaryAdaptive["final_max_grad_norm"] as? Double == final)
    // The resolved recipe fills in σ_b and repeats the run exactly (the count noise is seeded too).
    let resolved = try String(contentsOf: space.runFolder.appendingPathComponent("recipe.yaml"), encoding: .utf8)
    #expect(resolved.contains("count_noise: 1.6  # default: expected batch size / 20"), "\(resolved)")
    try expectResolvedRecipeRepeatsTheRun(space)
    // The same recipe with a fixed C trains a different model.
    let fixed = space.root.appendingPathComponent("fixed/run")
    let fixedRun = try CommandLineTool.run([
      "run", recipe, "--output", fixed.path, "--set", "training.batch_size=32", "--set", "privacy.adaptive_clipping=null",
    ])
    #expect(fixedRun.status == 0, "\(fixedRun.standardError)")
    #expect(
      try Data(contentsOf: fixed.appendingPathComponent("model.safetensors"))
        != Data(contentsOf: space.runFolder.appendingPathComponent("model.safetensors")))
  }

  @Test func countNoiseTooSmallForTheNoiseMultiplierIsRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("dp.yaml", Self.privateRecipe + "  adaptive_clipping: {count_noise: 0.1}\n")
    let outcome = try space.run(recipe, "--set", "training.batch_size=32")
    try space.expectCleanFailure(
      outcome, status: 65, message: "privacy.adaptive_clipping.count_noise: σ_b = 0.1 is too small for the noise multiplier")
  }

  @Test func epsilonAndCalibrateCommands() throws {
    let epsilon = try CommandLineTool.run([
      "epsilon", "--noise-multiplier", "1.1", "--sample-rate", "0.0042667", "--steps", "14062", "--delta", "1e-5",
      "--accountant", "rdp", "--json",
    ])
    #expect(epsilon.status == 0, "\(epsilon.standardError)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(epsilon.standardOutput.utf8)) as? [String: Any])
    #expect(object["accountant"] as? String == "rdp")
    // TF Privacy's tutorial setting with the improved conversion (../shared/REFERENCES.md).
    #expect(abs((object["epsilon"] as? Double ?? 0) - 2.5966) < 1e-3)

    let calibrate = try CommandLineTool.run([
      "calibrate", "--epsilon", "8", "--delta", "1e-5", "--sample-rate", "0.04", "--steps", "2250", "--accountant", "rdp",
      "--json",
    ])
    #expect(calibrate.status == 0, "\(calibrate.standardError)")
    let result = try #require(try JSONSerialization.jsonObject(with: Data(calibrate.standardOutput.utf8)) as? [String: Any])
    let sigma = try #require(result["noise_multiplier"] as? Double)
    let reached = try #require(result["epsilon"] as? Double)
    // Opacus: σ ≈ 1.416 for this target (90 epochs at q = 0.04); never above the target.
    #expect(abs(sigma - 1.416) < 2e-3 && reached <= 8)

    for bad in [
      ["--noise-multiplier", "0", "--sample-rate", "0.1", "--steps", "10", "--delta", "1e-5"],
      ["--noise-multiplier", "1", "--sample-rate", "1.5", "--steps", "10", "--delta", "1e-5"],
      ["--noise-multiplier", "1", "--sample-rate", "0.1", "--steps", "0", "--delta", "1e-5"],
      ["--noise-multiplier", "1", "--sample-rate", "0.1", "--steps", "10", "--delta", "1"],
    ] {
      let outcome = try CommandLineTool.run(["epsilon"] + bad)
      #expect(outcome.status == 64, "\(bad): \(outcome.standardError)")
      #expect(outcome.standardError.contains("must be"), "\(bad): \(outcome.standardError)")
    }
  }
}
