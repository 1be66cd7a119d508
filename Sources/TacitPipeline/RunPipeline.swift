import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitTraining

/// What `RunPipeline.run` produced.
public struct RunResult: Sendable {
  /// The run folder.
  public var directory: String
  /// The contents of `summary.json`.
  public var summaryJSON: String
  /// A few lines for the terminal.
  public var terminalSummary: String
  /// The audit's verdict, `nil` when the audit is off.
  public var auditVerdict: AuditVerdict?

  /// Whether the audit found the claimed ε violated (`tacit run` then exits with code 3).
  public var isViolation: Bool { auditVerdict == .violation }
}

/// recipe → data → model → training → evaluation → run folder. No argument parsing.
public enum RunPipeline {
  /// Test-only: set to `1`, a private run trains WITHOUT noise while still claiming its ε, so that
  /// tests can check that the audit catches it (the run says so loudly in its log and report).
  public static let disableNoiseVariable = "TACIT_TEST_ONLY_DISABLE_NOISE"

  /// Loads and checks a recipe, turning its errors into one `PipelineError`.
  public static func loadRecipe(path: String, overrides: [String]) throws -> Recipe {
    do {
      return try Recipe.load(path: path, overrides: overrides)
    } catch {
      throw PipelineError(error.description)
    }
  }

  /// `tacit validate`: the resolved recipe and the model it builds, or the recipe's errors.
  public static func validate(recipePath: String, overrides: [String]) throws -> String {
    let recipe = try loadRecipe(path: recipePath, overrides: overrides)
    var lines = ["\(recipePath): valid recipe"]
    if let distillation = recipe.distillation {
      // The teacher must fit the student (seed, data, members): check it now, not after training.
      let teacher = try DistillationRun.loadTeacher(distillation, student: recipe, overrides: overrides)
      lines.append(
        "distillation: teacher \(teacher.recipe.name) " + (teacher.runFolder.map { "loaded from \($0)" } ?? "trained in the run")
          + ", \(distillation.transfer.rawValue) transfer set")
    }
    if let inputShape = knownInputShape(recipe.data) {
      var generator = SeededGenerator(seed: recipe.seed).split("init")
      let model = try ModelBuilder.build(recipe.model, inputShape: inputShape, generator: &generator)
      if let classCount = knownClassCount(recipe.data) {
        try checkOutput(of: model, classCount: classCount, specs: recipe.model)
      }
      lines.append(ModelSummary.describe(model))
    }
    lines.append("")
    lines.append(recipe.resolvedYAML())
    return lines.joined(separator: "\n")
  }

  /// The per-example input shape a data section produces, when it is known without reading data.
  static func knownInputShape(_ data: DataSection) -> [Int]? {
    switch data.source {
    case .fashionMNIST: return data.flatten ? [784] : [28, 28, 1]
    case .synthetic(let source): return [source.features]
    case .csv: return nil
    }
  }

  /// The number of classes a data section has, when it is known without reading data.
  static func knownClassCount(_ data: DataSection) -> Int? {
    switch data.source {
    case .fashionMNIST: return FashionMNIST.classCount
    case .synthetic(let source): return source.classes
    case .csv: return nil
    }
  }

  /// Checks that the model ends in one score per class, naming the last layer if not.
  static func checkOutput(of model: Sequential, classCount: Int, specs: [LayerSpec]) throws {
    guard model.outputShape != [classCount] else { return }
    let layer = specs.indices.last.map { "model[\($0)] (\(specs[$0].typeName))" } ?? "model"
    throw PipelineError(
      "\(layer): the last layer produces shape \(model.outputShape) per example, but the data has \(classCount) classes; end the model with `- type: dense` and `units: \(classCount)`"
    )
  }

  /// Runs the recipe at `recipePath` and writes its run folder (atomically).
  ///
  /// - Parameters:
  ///   - outputDirectory: the run folder; default `runs/NAME`.
  ///   - threads: BLAS threads.
  ///   - log: receives progress messages (one line each).
  ///   - referenceDirectories: shard folders written by `tacit shadow` for this recipe: the audit
  ///     reads its reference models from them instead of training them (`tacit audit merge`).
  public static func run(
    recipePath: String, overrides: [String], outputDirectory: String?, threads: Int,
    showProgress: Bool, referenceDirectories: [String] = [], log: (String) -> Void
  ) throws -> RunResult {
    let start = Clock.seconds()
    var logLines: [String] = []
    func note(_ line: String) {
      logLines.append(line)
      log(line)
    }
    let recipe = try loadRecipe(path: recipePath, overrides: overrides)
    BLAS.setThreadCount(threads)
    Allocator.configureForTraining()
    let folder = try RunFolder(path: outputDirectory ?? "runs/\(recipe.name)")
    defer { folder.discard() }
    note("tacit run \(recipePath) → \(folder.path) (seed \(recipe.seed), \(threads) BLAS thread\(threads == 1 ? "" : "s"))")

    if let distillation = recipe.distillation {
      guard referenceDirectories.isEmpty else {
        throw PipelineError("reference shards (tacit audit merge) do not support distillation recipes yet")
      }
      let outcome = try DistillationRun.run(
        recipe: recipe, section: distillation, overrides: overrides, folder: folder, threads: threads, start: start,
        note: { note($0) })
      note(String(format: "finished in %.1f s", Clock.seconds() - start))
      try folder.write("log.txt", logLines.joined(separator: "\n") + "\n")
      try folder.commit()
      return RunResult(
        directory: folder.path, summaryJSON: outcome.summaryJSON, terminalSummary: outcome.terminalSummary,
        auditVerdict: outcome.verdict)
    }

    let root = SeededGenerator(seed: recipe.seed)
    let data = try DataPreparation.prepare(recipe.data, generator: root)
    note(
      "data: \(data.train.count) train, \(data.validation.count) validation, \(data.test.count) test records of shape \(data.train.exampleShape), \(data.train.classCount) classes"
    )

    try RunAudit.validate(recipe.audit, data: recipe.data)
    let auditGenerator = root.split("audit")
    let population = try AuditPopulation.make(recipe.audit, pool: data.train, generator: auditGenerator)
    let trainingSet = population.targetTrainingSet
    if recipe.audit.enabled {
      note(
        "audit protocol: the target trains on \(population.memberCount) of \(population.auditIndices.count) pool records "
          + "(member_fraction \(recipe.audit.memberFraction)), \(population.nonMemberCount) non-members"
          + (population.canaryIndices.isEmpty
            ? ""
            : ", plus \(population.canaryIncluded.filter { $0 }.count) of \(population.canaryIndices.count) mislabeled canaries"))
    }

    let plan = try recipe.privacy.map {
      try PrivacyPlan.make($0, training: recipe.training, recordCount: trainingSet.count)
    }
    var resolvedRecipe = recipe
    resolvedRecipe.privacy = plan?.resolvedSection
    if let plan {
      note(
        String(
          format: "DP-SGD: σ = %.4f, q = %.6f (expected batch %.1f), T = %d steps, C = %g, δ = %.1e, ",
          plan.noiseMultiplier, plan.sampleRate, plan.expectedBatchSize, plan.steps, plan.section.maxGradNorm, plan.delta)
          + "\(plan.section.noise.rawValue) noise, \(plan.section.clipping.rawValue) clipping")
    }

    var training = ModelTraining(
      recipe: recipe, plan: plan, noise: ModelTraining.noiseSource(recipe: recipe, plan: plan, root: root))
    let model = try training.buildModel(inputShape: trainingSet.exampleShape, classCount: trainingSet.classCount, root: root)
    note(ModelSummary.describe(model))
    var runCaveats: [String] = []
    if plan != nil, ProcessInfo.processInfo.environment[disableNoiseVariable] == "1" {
      training.disablesNoise = true
      let warning =
        "TEST-ONLY HOOK \(disableNoiseVariable)=1: DP-SGD ran WITHOUT NOISE; the claimed ε is false and the model must not be released"
      note(warning)
      runCaveats.append(warning)
    }
    if let plan, recipe.audit.enabled, let canaries = recipe.audit.canaries, canaries.kind == .gradient {
      guard canaries.count <= model.parameterCount else {
        throw PipelineError(
          "audit.canaries.count: \(canaries.count) gradient canaries need as many parameter coordinates; the model has \(model.parameterCount)"
        )
      }
      // Per-layer clipping bounds each layer's share by C/√L: a one-coordinate canary can be no larger.
      let layers = Double(model.layers.filter { !$0.parameters.isEmpty }.count)
      let norm = plan.section.clipping == .flat ? plan.section.maxGradNorm : plan.section.maxGradNorm / layers.squareRoot()
      training.canaries = GradientCanaries(
        count: canaries.count, parameterCounts: model.parameters.map(\.value.count), sampleRate: plan.sampleRate,
        gradientNorm: Float(norm), generator: auditGenerator.split("gradient-canaries"))
      note("audit: \(canaries.count) white-box gradient canaries (norm \(norm)) join the DP-SGD steps")
    }
    let progressLine = ProgressLine(enabled: showProgress && isatty(STDERR_FILENO) == 1)
    let history = training.train(
      model, on: trainingSet, validation: data.validation, root: root, progress: progressLine.update,
      epochCompleted: { metrics in
        progressLine.finish()
        note(EpochLine.format(metrics))
      })
    progressLine.finish()
    if history.stoppedEarly {
      note("early stopping after epoch \(history.epochs.count); keeping the parameters of epoch \(history.finalEpoch)")
    }

    let test = Evaluation.evaluate(model, on: data.test, loss: SoftmaxCrossEntropy())
    let train = Evaluation.evaluate(model, on: trainingSet, loss: SoftmaxCrossEntropy())
    let validation = data.validation.count > 0 ? Evaluation.evaluate(model, on: data.validation) : nil
    note(String(format: "test accuracy %.2f%%, train accuracy %.2f%%", 100 * test.accuracy, 100 * train.accuracy))

    let privacyReport = try plan.map { try PrivacyReport.make(plan: $0, training: recipe.training, history: history) }
    for line in privacyReport?.lines ?? [] { note(line) }

    var audit: AuditOutcome?
    if recipe.audit.enabled {
      let auditStart = Clock.seconds()
      audit = try RunAudit.perform(
        RunAudit.Inputs(
          recipe: recipe, data: data, population: population, target: model, plan: plan,
          claimedEpsilon: privacyReport?.claimedEpsilon, gradientCanaries: training.canaries, threads: threads,
          generator: auditGenerator, caveats: runCaveats, referenceDirectories: referenceDirectories),
        note: { note($0) })
      for line in audit?.lines ?? [] { note(line) }
      note(String(format: "audit finished in %.1f s", Clock.seconds() - auditStart))
    }

    let summary = RunSummary(
      name: recipe.name, seed: recipe.seed, threads: threads, test: test, train: train, validation: validation,
      history: history, parameterCount: model.parameterCount, trainingRecords: trainingSet.count,
      seconds: Clock.seconds() - start, privacy: privacyReport, audit: audit)
    let summaryJSON = try writeModelFiles(
      into: folder, prefix: "", recipe: resolvedRecipe, summary: summary, history: history, model: model)
    note(String(format: "finished in %.1f s", Clock.seconds() - start))
    try folder.write("log.txt", logLines.joined(separator: "\n") + "\n")
    try folder.commit()
    return RunResult(
      directory: folder.path, summaryJSON: summaryJSON,
      terminalSummary: summary.terminalTable(directory: folder.path), auditVerdict: audit?.verdict)
  }

  /// Writes one trained model's files into `folder`, each name prefixed by `prefix` ("" for the
  /// run itself, "teacher/" for a distillation run's teacher): recipe.yaml (resolved),
  /// privacy.json (private runs), audit.json (audited runs), model.safetensors, metrics.json,
  /// summary.json and report.html. Returns the contents of summary.json.
  static func writeModelFiles(
    into folder: RunFolder, prefix: String, recipe: Recipe, summary: RunSummary, history: TrainingHistory,
    model: Sequential
  ) throws -> String {
    try folder.write(prefix + "recipe.yaml", recipe.resolvedYAML())
    if let privacyReport = summary.privacy { try folder.write(prefix + "privacy.json", privacyReport.json()) }
    if let audit = summary.audit { try folder.write(prefix + "audit.json", JSONText.encode(audit.jsonObject) + "\n") }
    do {
      try model.save(to: folder.file(prefix + "model.safetensors"), metadata: ["recipe": recipe.name, "format": "tacit-1"])
    } catch {
      throw PipelineError(error.description, isInputError: false)
    }
    try folder.write(prefix + "metrics.json", RunSummary.metricsJSON(history))
    let summaryJSON = summary.json()
    try folder.write(prefix + "summary.json", summaryJSON + "\n")
    try folder.write(prefix + "report.html", RunReport.html(recipe: recipe, summary: summary, history: history, model: model))
    return summaryJSON
  }
}
