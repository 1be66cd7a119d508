import Foundation
import PropertyBased
import Testing

/// Issue 12 item 2, "no crash on any value the schema accepts": property-based tests of the
/// `tacit` command line over recipe values, `--set` overrides, score files and data headers.
///
/// The property, for every generated case: `tacit` exits 0, 3, 64 or 65, is never ended by a
/// signal (a trap, an abort, an allocation refused by the 4 GiB ceiling of
/// `BoundedCommandLine`) and never runs into the time limit. The cases come from
/// swift-property-based's generators driven by a fixed `Xoshiro` state, not `propertyCheck`
/// (which draws a fresh seed on every run: its `.fixedSeed` trait is for reproducing a failure
/// and always records an issue), so every run of the suite sees the same cases. A failure names
/// the case; `FuzzTests.regression…` tests pin each crash found.
@Suite(.serialized) struct FuzzTests {
  /// The generator state every fuzz test starts from.
  static func generator(_ stream: UInt64) -> Xoshiro { Xoshiro(seed: (0x7ac1_7f00, stream, 12, 2)) }

  /// Checks the property for one case, naming it on failure, and counts its exit status in
  /// `statuses`.
  static func expectClean(
    _ outcome: BoundedCommandLine.Outcome, _ description: String, statuses: inout [Int32: Int]
  ) {
    #expect(!outcome.timedOut, "hang (\(BoundedCommandLine.secondsLimit) s): \(description)")
    #expect(
      !outcome.signalled && [0, 3, 64, 65].contains(outcome.status),
      "\(outcome.signalled ? "signal" : "exit") \(outcome.status): \(description)\nstderr: \(outcome.standardError.prefix(800))")
    statuses[outcome.signalled ? -outcome.status : outcome.status, default: 0] += 1
  }

  /// A fuzz run that only ever saw refusals, or only successes, tested less than it seems:
  /// checks that both exit 0 and exit 65 occurred.
  static func expectBothOutcomes(_ statuses: [Int32: Int], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(
      statuses[0, default: 0] > 0 && statuses[65, default: 0] > 0, "exit statuses: \(statuses)", sourceLocation: sourceLocation)
  }

  /// A recipe that validates and trains in a fraction of a second: DP-SGD, a step schedule and
  /// the default audit (no reference models).
  static let baseRecipe = """
    version: 1
    name: fuzz
    seed: 7
    data:
      source: synthetic
      synthetic: {classes: 3, features: 4, samples: 60}
    model:
      - {type: dense, units: 8}
      - {type: relu}
      - {type: dense, units: 3}
    training:
      epochs: 1
      batch_size: 16
      optimizer: {type: sgd, learning_rate: 0.1, momentum: 0.9}
      schedule: {type: step, step_epochs: 1, gamma: 0.5}
    privacy: {noise_multiplier: 1.0, max_grad_norm: 1.0, delta: 1.0e-5, accountant: rdp}

    """

  /// Numbers at the extremes, and things that are not numbers, as YAML scalars.
  static let extremeValues = [
    "0", "-1", "-0.0", "1", "2", "0.5", "1e-50", "1e-320", "4.9e-324", "1e39", "1e308", "-1e308", "1e309", ".nan", ".inf",
    "-.inf", "nan", "NaN", "inf", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "99999999999999999999999", "4294967296", "2147483648", "1000000000", "65536", "0x7fffffff", "1.5", "''", "\"\"",
    "abc", "'\u{0}'", "[]", "{}", "[1, 2]", "{a: 1}", "null", "~", "true", "yes", "1e-38", "3.4e38", "1e-5",
    // Large integers again: valid for many keys, they reach the code behind the reader.
    "1000000000", "4294967296", "9223372036854775807", "100000", "30000",
  ]

  /// Key paths the schema knows, and a few it does not.
  static let keyPaths = [
    "version", "name", "seed", "data.source", "data.train_size", "data.validation_size", "data.test_size",
    "data.normalize", "data.flatten", "data.test_fraction", "data.synthetic.classes", "data.synthetic.features",
    "data.synthetic.samples", "data.synthetic.separation", "model[0].units", "model[0].type", "model[2].units",
    "model[1].type", "model[0]", "training.epochs", "training.batch_size", "training.sampling",
    "training.optimizer.type", "training.optimizer.learning_rate", "training.optimizer.momentum",
    "training.optimizer.weight_decay", "training.schedule.type", "training.schedule.step_epochs",
    "training.schedule.gamma", "training.schedule.warmup_epochs", "training.schedule.min_learning_rate",
    "training.regularization.l1", "training.regularization.l2", "training.regularization.label_smoothing",
    "training.early_stopping.patience", "training.early_stopping.min_delta", "training.ema_decay",
    "training.evaluate_train", "training.augmentation", "privacy.noise_multiplier", "privacy.max_grad_norm",
    "privacy.delta", "privacy.target_epsilon", "privacy.accountant", "privacy.clipping", "privacy.noise",
    "privacy.adaptive_clipping.target_quantile", "privacy.adaptive_clipping.learning_rate", "audit.enabled",
    "audit.member_fraction", "audit.reference_models", "audit.queries", "audit.population_size", "audit.rmia_a",
    "audit.confidence", "audit.bootstrap", "audit.canaries.count", "audit.canaries.kind", "privacy",
    "training", "data", "model", "nonsense", "training.nonsense", "privacy.epsilon", "model[9].units",
  ]

  /// One `--set PATH=VALUE` argument.
  static let override = zip(Gen.element(of: keyPaths), Gen.element(of: extremeValues)).map { "\($0!)=\($1!)" }

  /// `tacit validate` over 1–3 overrides of extreme values at any key path.
  @Test func validateSurvivesExtremeOverrides() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-validate")
    defer { try? FileManager.default.removeItem(at: folder) }
    let recipe = folder.appendingPathComponent("recipe.yaml")
    try Data(Self.baseRecipe.utf8).write(to: recipe)
    var random = Self.generator(1)
    var statuses: [Int32: Int] = [:]
    // Mostly one override: any invalid value makes validation stop before the model is built,
    // so a second one would often mask the first.
    let cases = zip(Self.override, Self.override, Gen.int(in: 0...3)).map { first, second, count in
      count == 0 ? [first, second] : [first]
    }
    for _ in 0..<400 {
      let overrides = cases.run(using: &random)
      let arguments = ["validate", recipe.path] + overrides.flatMap { ["--set", $0] }
      Self.expectClean(try BoundedCommandLine.run(arguments, in: folder), arguments.joined(separator: " "), statuses: &statuses)
    }
    Self.expectBothOutcomes(statuses)
  }

  /// `tacit validate` over recipe texts cut, doubled or overwritten line by line: missing and
  /// repeated keys, broken indentation, stray bytes.
  @Test func validateSurvivesMangledRecipes() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-mangled")
    defer { try? FileManager.default.removeItem(at: folder) }
    let lines = Self.baseRecipe.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let junk = ["", "  ", "\t", "key: value", "- 1", "{", "]", ":", "&a *a", "!!binary x", "? a", "%YAML 9", "\u{FEFF}"]
    let edit = zip(Gen.int(in: 0...2), Gen.int(in: 0...(lines.count - 1)), Gen.element(of: junk))
    let edits = edit.array(of: 1...3)
    var random = Self.generator(2)
    var statuses: [Int32: Int] = [:]
    for index in 0..<120 {
      var text = lines
      for (kind, line, replacement) in edits.run(using: &random) where line < text.count {
        switch kind {
        case 0: text.remove(at: line)
        case 1: text.insert(text[line], at: line)
        default: text[line] = replacement!
        }
      }
      let recipe = folder.appendingPathComponent("recipe-\(index).yaml")
      try Data(text.joined(separator: "\n").utf8).write(to: recipe)
      Self.expectClean(
        try BoundedCommandLine.run(["validate", recipe.path], in: folder), "validate of:\n" + text.joined(separator: "\n"),
        statuses: &statuses)
    }
    Self.expectBothOutcomes(statuses)
  }

  /// A few real one-epoch `tacit run`s with extreme overrides of the training and privacy values
  /// (the accountant stays RDP: see `ExtremeValueTests.pldWithASmallNoiseMultiplierIsBounded`).
  @Test func runSurvivesExtremeTrainingValues() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-run")
    defer { try? FileManager.default.removeItem(at: folder) }
    let recipe = folder.appendingPathComponent("recipe.yaml")
    try Data(Self.baseRecipe.utf8).write(to: recipe)
    // Not the accountant (see above), nor counts that legitimately ask for long work (epochs).
    let paths = Self.keyPaths.filter {
      ["training.", "privacy.", "audit.", "data.synthetic.", "model["].contains(where: $0.hasPrefix)
        && !["privacy.accountant", "training.epochs", "privacy", "training"].contains($0)
    }
    let cases = zip(Gen.element(of: paths), Gen.element(of: Self.extremeValues)).map { "\($0!)=\($1!)" }.array(of: 1...2)
    var random = Self.generator(3)
    var statuses: [Int32: Int] = [:]
    for index in 0..<40 {
      let overrides = cases.run(using: &random)
      let output = folder.appendingPathComponent("run-\(index)").path
      let arguments = ["run", recipe.path, "--output", output] + overrides.flatMap { ["--set", $0] }
      Self.expectClean(try BoundedCommandLine.run(arguments, in: folder), arguments.joined(separator: " "), statuses: &statuses)
    }
    Self.expectBothOutcomes(statuses)
  }

  /// Command-line numbers at the extremes, as `tacit epsilon` and `tacit calibrate` flags take them.
  static let mechanismValues = [
    "0", "-1", "1", "0.5", "1e-300", "1e-30", "1e-3", "0.04", "1e300", "nan", "inf", "-inf", "1e-5", "0.999999",
    "9223372036854775807", "1000000000", "abc",
  ]

  /// `tacit epsilon` and `tacit calibrate` with the RDP and GDP accountants over extreme σ, q, T,
  /// δ and target ε (PLD: see `ExtremeValueTests.pldWithASmallNoiseMultiplierIsBounded`).
  @Test func accountantsSurviveExtremeMechanisms() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-epsilon")
    defer { try? FileManager.default.removeItem(at: folder) }
    let value = Gen.element(of: Self.mechanismValues)
    let cases = zip(Gen.bool, value, value, value, value, Gen.element(of: ["rdp", "gdp"]))
    var random = Self.generator(7)
    var statuses: [Int32: Int] = [:]
    for _ in 0..<80 {
      let (isEpsilon, first, rate, steps, delta, accountant) = cases.run(using: &random)
      let arguments = [
        isEpsilon ? "epsilon" : "calibrate", isEpsilon ? "--noise-multiplier" : "--epsilon", first!, "--sample-rate", rate!,
        "--steps", steps!, "--delta", delta!, "--accountant", accountant!,
      ]
      Self.expectClean(try BoundedCommandLine.run(arguments, in: folder), arguments.joined(separator: " "), statuses: &statuses)
    }
    #expect(statuses[0, default: 0] > 0 && statuses[64, default: 0] > 0, "exit statuses: \(statuses)")
  }
}
