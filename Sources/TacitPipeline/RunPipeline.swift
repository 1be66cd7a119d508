import Foundation
import TacitData
import TacitNN
import TacitRecipe
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
  public static func run(
    recipePath: String, overrides: [String], outputDirectory: String?, threads: Int,
    showProgress: Bool, log: (String) -> Void
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

    let root = SeededGenerator(seed: recipe.seed)
    let data: PreparedData
    do {
      data = try DataPreparation.prepare(recipe.data, generator: root)
    } catch let error as DataError {
      throw PipelineError(error.description)
    }
    note(
      "data: \(data.train.count) train, \(data.validation.count) validation, \(data.test.count) test records of shape \(data.train.exampleShape), \(data.train.classCount) classes"
    )

    let plan = try recipe.privacy.map {
      try PrivacyPlan.make($0, training: recipe.training, recordCount: data.train.count)
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

    var initGenerator = root.split("init")
    let model = try ModelBuilder.build(recipe.model, inputShape: data.train.exampleShape, generator: &initGenerator)
    try checkOutput(of: model, classCount: data.train.classCount, specs: recipe.model)
    note(ModelSummary.describe(model))

    let training = recipe.training
    let configuration = TrainerConfiguration(
      epochs: training.epochs, batchSize: training.batchSize, sampling: training.sampling == .poisson ? .poisson : .shuffled,
      schedule: TrainingFactory.schedule(training),
      earlyStopping: TrainingFactory.earlyStopping(training), evaluateTrain: training.evaluateTrain,
      weightAverageDecay: training.emaDecay)
    let step = TrainingStep(
      model: model, optimizer: TrainingFactory.optimizer(training.optimizer),
      loss: SoftmaxCrossEntropy(labelSmoothing: Float(training.regularization.labelSmoothing)),
      regularization: TacitNN.Regularization(l1: Float(training.regularization.l1), l2: Float(training.regularization.l2)),
      gradientMode: plan.map { .privateSum($0.stepSettings) } ?? .mean,
      noise: plan.map { $0.section.noise == .secure ? NoiseSource.secure() : NoiseSource.seeded(root.split("noise")) }
        ?? (training.sampling == .poisson ? NoiseSource.seeded(root.split("sampling")) : nil))
    let progressLine = ProgressLine(enabled: showProgress && isatty(STDERR_FILENO) == 1)
    let history = Trainer(step: step, configuration: configuration).train(
      on: data.train, validation: data.validation.count > 0 ? data.validation : nil, generator: root,
      progress: progressLine.update,
      epochCompleted: { metrics in
        progressLine.finish()
        note(EpochLine.format(metrics))
      })
    progressLine.finish()
    if history.stoppedEarly {
      note("early stopping after epoch \(history.epochs.count); keeping the parameters of epoch \(history.finalEpoch)")
    }

    let test = Evaluation.evaluate(model, on: data.test, loss: SoftmaxCrossEntropy())
    let train = Evaluation.evaluate(model, on: data.train, loss: SoftmaxCrossEntropy())
    let validation = data.validation.count > 0 ? Evaluation.evaluate(model, on: data.validation) : nil
    note(String(format: "test accuracy %.2f%%, train accuracy %.2f%%", 100 * test.accuracy, 100 * train.accuracy))

    let privacyReport = try plan.map { try PrivacyReport.make(plan: $0, training: training, history: history) }
    for line in privacyReport?.lines ?? [] { note(line) }

    let summary = RunSummary(
      name: recipe.name, seed: recipe.seed, threads: threads, test: test, train: train, validation: validation,
      history: history, parameterCount: model.parameterCount, trainingRecords: data.train.count,
      seconds: Clock.seconds() - start, privacy: privacyReport)
    try folder.write("recipe.yaml", resolvedRecipe.resolvedYAML())
    if let privacyReport { try folder.write("privacy.json", privacyReport.json()) }
    do {
      try model.save(to: folder.file("model.safetensors"), metadata: ["recipe": recipe.name, "format": "tacit-1"])
    } catch {
      throw PipelineError(error.description, isInputError: false)
    }
    try folder.write("metrics.json", RunSummary.metricsJSON(history))
    let summaryJSON = summary.json()
    try folder.write("summary.json", summaryJSON + "\n")
    try folder.write("report.html", RunReport.html(recipe: resolvedRecipe, summary: summary, history: history, model: model))
    note(String(format: "finished in %.1f s", Clock.seconds() - start))
    try folder.write("log.txt", logLines.joined(separator: "\n") + "\n")
    try folder.commit()
    return RunResult(
      directory: folder.path, summaryJSON: summaryJSON,
      terminalSummary: summary.terminalTable(directory: folder.path))
  }
}
