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

  /// Whether the claimed ε is above what the audit could show (`tacit run` warns and exits 0).
  public var isUntestable: Bool { auditVerdict == .untestable }
}

/// What a run (plain or distillation) produced, for `RunPipeline` to finish the folder.
struct RunOutcome {
  var summaryJSON: String
  var terminalSummary: String
  var verdict: AuditVerdict?
}

/// recipe → data → model → training → evaluation → run folder. No argument parsing.
public enum RunPipeline {
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
    if let language = try LanguageModelSetup.make(recipe) {
      try RunContext.checkModelFitsData(recipe, isLanguageModel: true)
      var generator = SeededGenerator(seed: recipe.seed).split("init")
      lines.append(ModelSummary.describe(try language.makeModel(generator: &generator)))
    } else if let inputShape = recipe.data.knownInputShape {
      var generator = SeededGenerator(seed: recipe.seed).split("init")
      let model = try ModelBuilder.build(recipe.model, inputShape: inputShape, generator: &generator)
      if let classCount = recipe.data.knownClassCount {
        try checkOutput(of: model, classCount: classCount, specs: recipe.model)
      }
      lines.append(ModelSummary.describe(model))
    }
    lines.append("")
    lines.append(recipe.resolvedYAML())
    return lines.joined(separator: "\n")
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
  ///   - outputDirectory: the run folder; default `runs/NAME`. An existing folder there is replaced
  ///     only if Tacit wrote it (`RunFolder+Safety.swift`).
  ///   - threads: compute threads (`BLAS.setThreadCount`).
  ///   - log: receives progress messages (one line each).
  ///   - referenceDirectories: shard folders written by `tacit shadow` for this recipe: the audit
  ///     reads its reference models from them instead of training them (`tacit audit merge`).
  ///   - resume: continue the interrupted run of this recipe at the output (`--resume`,
  ///     `RunFolder+Resume.swift`) instead of starting afresh.
  public static func run(
    recipePath: String, overrides: [String], outputDirectory: String?, threads: Int,
    showProgress: Bool, referenceDirectories: [String] = [], resume: Bool = false, log: (String) -> Void
  ) throws -> RunResult {
    try run(
      recipePath: recipePath, overrides: overrides, outputDirectory: outputDirectory,
      options: RunOptions(
        threads: threads, showProgress: showProgress, referenceDirectories: referenceDirectories, resume: resume),
      log: log)
  }

  /// `run` with every option, test-only fault injection included (`RunOptions.faults`): reachable
  /// from tests (`@testable import`), never from the command line or the environment.
  static func run(
    recipePath: String, overrides: [String], outputDirectory: String?, options: RunOptions, log: (String) -> Void
  ) throws -> RunResult {
    let start = Clock.seconds()
    var logLines: [String] = []
    func note(_ line: String) {
      logLines.append(line)
      log(line)
    }
    let recipe = try loadRecipe(path: recipePath, overrides: overrides)
    BLAS.setThreadCount(options.threads)
    Allocator.configureForTraining()
    let output = outputDirectory ?? "runs/\(recipe.name)"
    if let distillation = recipe.distillation { try DistillationRun.checkTeacherRun(distillation, output: output) }
    if options.resume && recipe.distillation != nil {
      throw PipelineError("--resume: distillation runs write no checkpoints yet, so they cannot resume; run without --resume")
    }
    let fingerprint = ReferenceStore.fingerprint(of: recipe.resolvedYAML())
    let folder = try RunFolder(
      path: output, kind: .run, recipePath: recipePath, resumeFingerprint: options.resume ? fingerprint : nil)
    defer { folder.discard() }
    let threads = options.threads
    note(
      "tacit run \(recipePath) → \(folder.path) (seed \(recipe.seed), \(threads) thread\(threads == 1 ? "" : "s"))")
    if let line = folder.staleFoldersLine { note(line) }
    let outcome: RunOutcome
    if let distillation = recipe.distillation {
      guard options.referenceDirectories.isEmpty else {
        throw PipelineError("reference shards (tacit audit merge) do not support distillation recipes yet")
      }
      outcome = try DistillationRun.run(
        recipe: recipe, section: distillation, overrides: overrides, folder: folder, threads: threads, start: start,
        note: note)
    } else {
      outcome = try TargetRun.run(
        recipe, into: folder, fingerprint: fingerprint, options: options, start: start, note: note)
    }
    note(String(format: "finished in %.1f s", Clock.seconds() - start))
    try folder.write("log.txt", logLines.joined(separator: "\n") + "\n")
    try folder.removeResumeFiles()
    try folder.commit()
    return RunResult(
      directory: folder.path, summaryJSON: outcome.summaryJSON, terminalSummary: outcome.terminalSummary,
      auditVerdict: outcome.verdict)
  }

  /// Writes one trained model's files into `folder`, each name prefixed by `prefix` ("" for the
  /// run itself, "teacher/" for a distillation run's teacher): recipe.yaml (resolved),
  /// privacy.json (private runs), audit.json (audited runs; for a language model also its audit's
  /// member and non-member texts, members.jsonl and non-members.jsonl), model.safetensors, metrics.json,
  /// summary.json and report.html. Returns the contents of summary.json.
  static func writeModelFiles(
    into folder: RunFolder, prefix: String, recipe: Recipe, summary: RunSummary, history: TrainingHistory,
    model: Sequential
  ) throws -> String {
    try folder.write(prefix + "recipe.yaml", recipe.resolvedYAML())
    if let privacyReport = summary.privacy { try folder.write(prefix + "privacy.json", privacyReport.json()) }
    if let audit = summary.audit {
      try folder.write(prefix + "audit.json", JSONText.encode(audit.jsonObject) + "\n")
      for (name, texts) in [("members.jsonl", audit.memberTexts), ("non-members.jsonl", audit.nonMemberTexts)]
      where !texts.isEmpty {
        try folder.write(prefix + name, texts.map { JSONText.encodeLine(["text": $0]) + "\n" }.joined())
      }
    }
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
