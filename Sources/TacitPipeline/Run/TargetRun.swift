import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitText
import TacitTraining

/// A plain run (a recipe without a `distillation` section), step by step:
/// set-up (`RunContext`) → the DP-SGD plan → the model → test-only faults and white-box canaries
/// → training and evaluation → the privacy report → the audit → the run folder's files.
enum TargetRun {
  /// Trains, audits and writes the target's files into `folder` (not committed: `RunPipeline`
  /// writes the log and commits).
  static func run(
    _ recipe: Recipe, into folder: RunFolder, fingerprint: String, options: RunOptions, start: Double,
    note: (String) -> Void
  ) throws -> RunOutcome {
    let context = try RunContext.make(recipe)
    for line in context.data.notes { note(line) }
    note(context.dataLine)
    if let line = context.populationLine { note(line) }
    for line in context.canarySizing.lines { note(line) }
    let trainingSet = context.targetTrainingSet
    let units = context.units(of: trainingSet)
    if let units { note(context.unitsLine(units)) }
    let plan = try context.plan(for: recipe, on: trainingSet, units: units)
    if let plan { note(planLine(plan)) }

    var training = ModelTraining(recipe: recipe, plan: plan, root: context.root)
    training.units = units
    let featureNorm = try featureNormRelease(plan: plan, context: context, folder: folder, note: note)
    let model = try training.buildModel(
      inputShape: trainingSet.exampleShape, classCount: trainingSet.classCount, root: context.root,
      standardization: featureNorm?.layer)
    note(ModelSummary.describe(model))
    let caveats = injectFaults(options.faults, into: &training, note: note)
    training.canaries = try gradientCanaries(
      context.audit, plan: plan, model: model, generator: context.auditGenerator, note: note)
    let checkpoints = try RunCheckpoints(
      folder: folder, fingerprint: fingerprint,
      stepsPerEpoch: TrainerConfiguration.stepsPerEpoch(
        records: units?.count ?? trainingSet.count, batchSize: recipe.training.batchSize))
    for line in checkpoints.resumeLines(secureNoise: plan?.section.noise == .secure) { note(line) }
    let trained = try train(
      model, with: training, context: context, checkpoints: checkpoints, showProgress: options.showProgress, note: note)
    note(checkpoints.overheadLine)

    let privacy = try plan.map {
      try PrivacyReport.make(
        plan: $0.counting(extraSteps: checkpoints.extraSteps), training: recipe.training, history: trained.history,
        featureNorm: featureNorm)
    }
    for line in privacy?.lines ?? [] { note(line) }
    let audit =
      recipe.audit.enabled
      ? try auditTarget(
        trained, context: context, claimedEpsilon: privacy?.claimedEpsilon, canaries: training.canaries,
        caveats: caveats, options: options, note: note)
      : nil

    var summary = trained.summary(
      name: recipe.name, seed: recipe.seed, threads: options.threads, seconds: Clock.seconds() - start,
      privacy: privacy, audit: audit)
    if let language = context.language {
      summary.compressorBitsPerByte = compressorBaselines(context.data.test, tokenizer: language.tokenizer, note: note)
    }
    var resolved = recipe
    resolved.privacy = plan?.resolvedSection
    let summaryJSON = try RunPipeline.writeModelFiles(
      into: folder, prefix: "", recipe: resolved, summary: summary, history: trained.history, model: model)
    if let language = context.language, let gpt2 = model.layers.first as? GPT2 {
      // The language model in Hugging Face GPT-2 format, beside Tacit's model.safetensors.
      try LanguageModelExport.write(
        gpt2, tokenizer: language.tokenizer, tokenizerFolder: language.pretrainedPath.map(LanguageModelFolder.gpt2Folder),
        into: folder)
      note("wrote hf/: the model in Hugging Face GPT-2 format (config.json, model.safetensors, tokenizer)")
    }
    return RunOutcome(
      summaryJSON: summaryJSON, terminalSummary: summary.terminalTable(directory: folder.path), verdict: audit?.verdict)
  }

  /// A language model's compressor baselines on the test text (`CompressionBaseline`), logged.
  static func compressorBaselines(_ test: LabeledDataset, tokenizer: any Tokenizer, note: (String) -> Void)
    -> [(compressor: String, bitsPerByte: Double)]
  {
    let measured = CompressionBaseline.measure(test, tokenizer: tokenizer)
    var baselines: [(compressor: String, bitsPerByte: Double)] = []
    if let xz = measured.xz { baselines.append(("xz -9e", xz)) }
    baselines.append(("zlib -9", measured.zlib))
    note(
      "test text (\(measured.bytes) bytes): "
        + baselines.map { String(format: "%@ %.4f", $0.compressor as NSString, $0.bitsPerByte) }.joined(separator: ", ")
        + " bits per byte" + (measured.xz == nil ? " (xz not installed: apt-get install xz-utils)" : ""))
    return baselines
  }

  /// `data.features.private_norm`'s release from the target's training records (members and
  /// included canaries), kept in the staging folder (reused when resuming), logged; `nil`
  /// without one.
  static func featureNormRelease(plan: PrivacyPlan?, context: RunContext, folder: RunFolder, note: (String) -> Void)
    throws -> FeatureNormRelease?
  {
    guard let plan, let features = context.recipe.data.features, let settings = features.privateNorm else { return nil }
    let (release, reused) = try FeatureNormRelease.target(
      settings, channels: features.channels, trainingSet: context.targetTrainingSet, noise: plan.section.noise,
      root: context.root, folder: folder)
    note(release.line + (reused ? " (the interrupted attempt's release, reused: released once)" : ""))
    return release
  }

  /// The log line of the DP-SGD mechanism.
  static func planLine(_ plan: PrivacyPlan) -> String {
    let normalization =
      plan.featureNorm.map {
        String(
          format: "feature normalisation: 2 Gaussian releases, σ_n = %g, C_μ = %g, C₂ = %g; ", $0.noiseMultiplier, $0.meanClip,
          $0.squareClip)
      } ?? ""
    return normalization
      + String(
        format: "DP-SGD: σ = %.4f, q = %.6f (expected batch %.1f), T = %ld steps, C = %g, δ = %.1e, ",
        plan.noiseMultiplier, plan.sampleRate, plan.expectedBatchSize, plan.steps, plan.section.maxGradNorm, plan.delta)
      + "\(plan.section.noise.rawValue) noise, \(plan.section.clipping.rawValue) clipping"
  }

  /// Applies test-only faults to a private run's training, saying so loudly; returns the caveats
  /// the audit's verdict inherits. Faults need a plan: a non-private run has no DP-SGD to break.
  static func injectFaults(_ faults: Set<DPSGDFault>, into training: inout ModelTraining, note: (String) -> Void)
    -> [String]
  {
    guard training.plan != nil, !faults.isEmpty else { return [] }
    training.faults = faults
    let names = faults.map { "\($0)" }.sorted().joined(separator: ", ")
    let warning =
      "TEST-ONLY FAULT INJECTION (\(names)): DP-SGD ran with deliberate faults; the claimed ε is false and the model must not be released"
    note(warning)
    return [warning]
  }

  /// White-box gradient canaries (`audit.canaries.kind: gradient`) for a DP-SGD target, else
  /// `nil`. Each canary is one parameter coordinate, so the model needs at least as many; its raw
  /// gradient norm is 10·C (per-layer clipping: ten times one trainable leaf's bound C/√L).
  static func gradientCanaries(
    _ section: AuditSection, plan: PrivacyPlan?, model: Sequential, generator: SeededGenerator, note: (String) -> Void
  ) throws -> GradientCanaries? {
    guard let plan, section.enabled, let canaries = section.canaries, canaries.kind == .gradient,
      case .fixed(let count) = canaries.count
    else { return nil }
    guard count <= model.parameterCount else {
      throw PipelineError(
        "audit.canaries.count: \(count) gradient canaries need as many parameter coordinates; the model has \(model.parameterCount)"
      )
    }
    let bound =
      plan.section.clipping == .flat
      ? "C"
      : "C/√L = \(DPSGDSettings.perLayerBound(maxGradNorm: plan.section.maxGradNorm, leafCount: model.trainableLeaves.count))"
    let result = GradientCanaries(
      count: count, parameterCounts: model.parameters.map(\.value.count), sampleRate: plan.sampleRate,
      generator: generator.split("gradient-canaries"))
    note(
      "audit: \(count) white-box gradient canaries (\(result.includedCanaries.count) IN) are records of the sampled pool"
        + " with raw gradient norm 10·\(bound), clipped like every record")
    return result
  }

  /// Trains and evaluates the target, with a progress line on a terminal and a log line per epoch.
  static func train(
    _ model: Sequential, with training: ModelTraining, context: RunContext, checkpoints: RunCheckpoints,
    showProgress: Bool, note: (String) -> Void
  ) throws -> TrainedModel {
    let progressLine = ProgressLine(enabled: showProgress && isatty(STDERR_FILENO) == 1)
    let trained = try training.fit(
      model, on: context.targetTrainingSet, data: context.data, root: context.root,
      checkpoints: checkpoints.trainerCheckpoints, progress: progressLine.update,
      epochCompleted: { metrics in
        progressLine.finish()
        note(EpochLine.format(metrics))
      })
    progressLine.finish()
    if trained.history.stoppedEarly {
      note(
        "early stopping after epoch \(trained.history.epochs.count); keeping the parameters of epoch \(trained.history.finalEpoch)"
      )
    }
    if let perplexity = trained.test.perplexity {
      note(
        String(
          format: "test perplexity %.3f, %.4f bits per byte; train perplexity %.3f, %.4f bits per byte", perplexity,
          trained.test.bitsPerByte ?? .nan, trained.train.perplexity ?? .nan, trained.train.bitsPerByte ?? .nan))
    } else {
      note(
        String(format: "test accuracy %.2f%%, train accuracy %.2f%%", 100 * trained.test.accuracy, 100 * trained.train.accuracy))
    }
    return trained
  }

  /// The audit of the trained target (`RunAudit.perform`), its lines logged.
  static func auditTarget(
    _ trained: TrainedModel, context: RunContext, claimedEpsilon: Double?, canaries: GradientCanaries?,
    caveats: [String], options: RunOptions, note: (String) -> Void
  ) throws -> AuditOutcome {
    let auditStart = Clock.seconds()
    var inputs = RunAudit.Inputs(
      recipe: context.recipe, context: context, target: trained.model, plan: trained.plan,
      claimedEpsilon: claimedEpsilon, gradientCanaries: canaries, threads: options.threads, caveats: caveats,
      referenceDirectories: options.referenceDirectories)
    // What the gradient canaries measured of the mechanism during training.
    inputs.mechanismChecks = canaries.map(MechanismChecks.make) ?? []
    let audit = try RunAudit.perform(inputs, note: note)
    for line in audit.lines { note(line) }
    note(String(format: "audit finished in %.1f s", Clock.seconds() - auditStart))
    return audit
  }
}
