import Foundation
import TacitTraining
import Testing

@testable import TacitPipeline

/// The mutation suite (issue 11): each test-only DP-SGD fault, injected into a quick-start-sized
/// DP run through the internal API, must end in VIOLATION; the unmutated run passes for three
/// seeds.
///
/// The run is the quick start's audit problem at a fifth of its data: Fashion-MNIST, the same MLP
/// (784-128-10), 12,000 pool records of which 6,000 are members, expected batch 102, so the same
/// sampling rate q ≈ 0.017, the same T ≈ 294 steps and the same σ at (ε = 3, δ = 1e-5), with 1,000
/// gradient canaries. What the canaries see depends on q, T, σ and m only, so this run's audit
/// has the quick start's power (no reference models: the canaries carry the audit).
///
/// Which part of the audit catches each fault (docs/auditing.md, "Bug classes"): the mechanism
/// checks measured by the canaries during training, and for the grosser faults the one-run ε
/// bound as well.
@Suite(.serialized) struct MutationSuiteTests {
  static func recipe(seed: Int, clipping: String = "flat", maxGradNorm: Double = 1, canaries: String = "gradient")
    -> String
  {
    """
    version: 1
    name: mutation
    seed: \(seed)
    data:
      source: fashion_mnist
      train_size: 12000
      test_size: 2000
    model:
      - type: flatten
      - type: dense
        units: 128
      - type: tanh
      - type: dense
        units: 10
    training:
      epochs: 5
      batch_size: 102
      optimizer:
        type: sgd
        learning_rate: 1.0
        momentum: 0.9
      evaluate_train: false
    privacy:
      target_epsilon: 3
      max_grad_norm: \(maxGradNorm)
      delta: 1.0e-5
      clipping: \(clipping)
      noise: seeded
    audit:
      member_fraction: 0.5
      reference_models: 0
      canaries:
        count: 1000
        kind: \(canaries)

    """
  }

  /// Runs the recipe with `faults`; returns the verdict and audit.json.
  func run(_ text: String, faults: Set<DPSGDFault>) throws -> (result: RunResult, audit: [String: Any], log: [String]) {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("mutation.yaml", text)
    var lines: [String] = []
    let result = try RunPipeline.run(
      recipePath: recipe, overrides: [], outputDirectory: space.runFolder.path,
      options: RunOptions(threads: 1, showProgress: false, faults: faults), log: { lines.append($0) })
    let audit = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: space.runFolder.appendingPathComponent("audit.json")))
        as? [String: Any])
    return (result, audit, lines)
  }

  /// The mechanism checks of audit.json by kind: (status, measured).
  func checks(_ audit: [String: Any]) throws -> [String: (status: String, measured: Double)] {
    let canaries = try #require(audit["canaries"] as? [String: Any])
    let list = try #require(canaries["mechanism_checks"] as? [[String: Any]])
    var result: [String: (String, Double)] = [:]
    for check in list {
      let kind = try #require(check["kind"] as? String)
      result[kind] = (try #require(check["status"] as? String), check["measured"] as? Double ?? .nan)
    }
    return result
  }

  /// Each fault with the recipe it breaks (C = 5 for the fault that forgets C; per-layer clipping
  /// for the per-layer fault) and the mechanism check it must fail.
  static let mutations: [(DPSGDFault, String, String)] = [
    (.noiseDisabled, recipe(seed: 1), "noise scale"),
    (.noiseScaledDown, recipe(seed: 1), "noise scale"),
    (.noiseNotScaledByClipNorm, recipe(seed: 1, maxGradNorm: 5), "noise scale"),
    (.clippingSkipped, recipe(seed: 1), "clipped contribution"),
    (.clippingLoosened, recipe(seed: 1), "clipped contribution"),
    (.batchGradientClipped, recipe(seed: 1), "clipped contribution"),
    (.perLayerBoundUndivided, recipe(seed: 1, clipping: "per_layer"), "clipped contribution"),
    (.sampleRateQuadrupled, recipe(seed: 1), "sampling rate"),
    (.noiseReused, recipe(seed: 1), "noise independence"),
  ]

  @Test(arguments: mutations.indices)
  func everyFaultIsAViolation(index: Int) throws {
    let (fault, text, check) = Self.mutations[index]
    let (result, audit, log) = try run(text, faults: [fault])
    let bound = audit["epsilon_lower_bound"] as? Double ?? .nan
    print("mutation \(fault): verdict \(String(describing: result.auditVerdict)), ε bound \(bound)")
    let measured = try checks(audit)
    print("mutation \(fault): verdict \(String(describing: result.auditVerdict)), ε bound \(bound), \(check) \(measured[check].map { "\($0.status) \($0.measured)" } ?? "missing")")
    #expect(result.isViolation, "\(fault): verdict \(String(describing: result.auditVerdict))")
    #expect(measured[check]?.status == "failed", "\(fault): \(check) \(String(describing: measured[check]))")
    #expect(log.contains { $0.contains("TEST-ONLY FAULT INJECTION (\(fault))") })
  }

  @Test(arguments: [1, 2, 3])
  func theUnmutatedRunPasses(seed: Int) throws {
    let (result, audit, _) = try run(Self.recipe(seed: seed), faults: [])
    let bound = audit["epsilon_lower_bound"] as? Double ?? .nan
    print("unmutated seed \(seed): verdict \(String(describing: result.auditVerdict)), ε bound \(bound)")
    let measured = try checks(audit)
    print("unmutated seed \(seed): verdict \(String(describing: result.auditVerdict)), ε bound \(bound), checks \(measured)")
    #expect(result.auditVerdict == .pass, "seed \(seed): verdict \(String(describing: result.auditVerdict))")
    #expect(bound <= 3)
    #expect(measured.count == 4 && measured.values.allSatisfy { $0.status == "passed" }, "\(measured)")
  }

  /// What black-box (mislabeled) canaries see of the same faults: a measurement for
  /// docs/auditing.md, run by hand (`TACIT_MUTATION_MISLABELED=1 swift test -c release
  /// -Xswiftc -enable-testing --filter mislabeledCanariesSee`), not in CI (nine more runs).
  /// The verdicts it asserts are the ones documented.
  @Test(
    .enabled(if: ProcessInfo.processInfo.environment["TACIT_MUTATION_MISLABELED"] != nil),
    arguments: mutations.indices)
  func mislabeledCanariesSee(index: Int) throws {
    let (fault, _, _) = Self.mutations[index]
    let maxGradNorm = fault == .noiseNotScaledByClipNorm ? 5.0 : 1
    let clipping = fault == .perLayerBoundUndivided ? "per_layer" : "flat"
    let text = Self.recipe(seed: 1, clipping: clipping, maxGradNorm: maxGradNorm, canaries: "mislabeled")
    let (result, audit, _) = try run(text, faults: [fault])
    let canaries = audit["canaries"] as? [String: Any]
    print(
      "mislabeled \(fault): verdict \(String(describing: result.auditVerdict)), ε bound \(audit["epsilon_lower_bound"] ?? "-"),"
        + " canary bound \(canaries?["epsilon_lower_bound"] ?? "-")")
    // Measured 2026-12-06: 1,000 mislabeled canaries saw none of the nine faults (bounds 0 to 0.26).
    #expect(result.auditVerdict == .pass)
  }
}
