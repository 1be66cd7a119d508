import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitTraining

/// A plain run (a recipe without a `distillation` section), step by step:
/// set-up (`RunContext`) → the DP-SGD plan → the model → test-only faults and white-box canaries
/// → training and evaluation → the privacy report → the audit → the run folder's files.
enum TargetRun {
  /// Trains, audits and writes the target's files into `folder` (not committed: `RunPipeline`
  /// writes the log and commits).
  static func run(
    _ recipe: Recipe, into folder: RunFolder, options: RunOptions, start: Double, note: (String) -> Void
  ) throws -> RunOutcome {
    let context = try RunContext.make(recipe)
    note(context.dataLine)
    if let line = context.populationLine { note(line) }
    let trainingSet = context.targetTrainingSet
    let plan = try context.plan(for: recipe, on: trainingSet)
    if let plan { note(planLine(plan)) }

    var training = ModelTraining(recipe: recipe, plan: plan, root: context.root)
    let model = try training.buildModel(
      inputShape: trainingSet.exampleShape, classCount: trainingSet.classCount, root: context.root)
    note(ModelSummary.describe(model))
    let caveats = injectFaults(options.faults, into: &training, note: note)
    training.canaries = try gradientCanaries(
      recipe.audit, plan: plan, model: model, generator: context.auditGenerator, note: note)
    let trained = try train(model, with: training, context: context, showProgress: options.showProgress, note: note)

    let privacy = try plan.map { try PrivacyReport.make(plan: $0, training: recipe.training, history: trained.history) }
    for line in privacy?.lines ?? [] { note(line) }
    let audit =
      recipe.audit.enabled
      ? try auditTarget(
        trained, context: context, claimedEpsilon: privacy?.claimedEpsilon, canaries: training.canaries,
        caveats: caveats, options: options, note: note)
      : nil

    let summary = trained.summary(
      name: recipe.name, seed: recipe.seed, threads: options.threads, seconds: Clock.seconds() - start,
      privacy: privacy, audit: audit)
    var resolved = recipe
    resolved.privacy = plan?.resolvedSection
    let summaryJSON = try RunPipeline.writeModelFiles(
      into: folder, prefix: "", recipe: resolved, summary: summary, history: trained.history, model: model)
    return RunOutcome(
      summaryJSON: summaryJSON, terminalSummary: summary.terminalTable(directory: folder.path), verdict: audit?.verdict)
  }

  /// The log line of the DP-SGD mechanism.
  static func planLine(_ plan: PrivacyPlan) -> String {
    String(
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
  /// `nil`. Each canary is one parameter coordinate, so the model needs at least as many; under
  /// per-layer clipping a canary's norm is one trainable leaf's bound C/√L.
  static func gradientCanaries(
    _ section: AuditSection, plan: PrivacyPlan?, model: Sequential, generator: SeededGenerator, note: (String) -> Void
  ) throws -> GradientCanaries? {
    guard let plan, section.enabled, let canaries = section.canaries, canaries.kind == .gradient else { return nil }
    guard canaries.count <= model.parameterCount else {
      throw PipelineError(
        "audit.canaries.count: \(canaries.count) gradient canaries need as many parameter coordinates; the model has \(model.parameterCount)"
      )
    }
    let norm =
      plan.section.clipping == .flat
      ? plan.section.maxGradNorm
      : DPSGDSettings.perLayerBound(maxGradNorm: plan.section.maxGradNorm, leafCount: model.trainableLeaves.count)
    note("audit: \(canaries.count) white-box gradient canaries (norm \(norm)) join the DP-SGD steps")
    return GradientCanaries(
      count: canaries.count, parameterCounts: model.parameters.map(\.value.count), sampleRate: plan.sampleRate,
      gradientNorm: Float(norm), generator: generator.split("gradient-canaries"))
  }

  /// Trains and evaluates the target, with a progress line on a terminal and a log line per epoch.
  static func train(
    _ model: Sequential, with training: ModelTraining, context: RunContext, showProgress: Bool, note: (String) -> Void
  ) throws -> TrainedModel {
    let progressLine = ProgressLine(enabled: showProgress && isatty(STDERR_FILENO) == 1)
    let trained = try training.fit(
      model, on: context.targetTrainingSet, data: context.data, root: context.root, progress: progressLine.update,
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
    note(String(format: "test accuracy %.2f%%, train accuracy %.2f%%", 100 * trained.test.accuracy, 100 * trained.train.accuracy))
    return trained
  }

  /// The audit of the trained target (`RunAudit.perform`), its lines logged.
  static func auditTarget(
    _ trained: TrainedModel, context: RunContext, claimedEpsilon: Double?, canaries: GradientCanaries?,
    caveats: [String], options: RunOptions, note: (String) -> Void
  ) throws -> AuditOutcome {
    let auditStart = Clock.seconds()
    let audit = try RunAudit.perform(
      RunAudit.Inputs(
        recipe: context.recipe, context: context, target: trained.model, plan: trained.plan,
        claimedEpsilon: claimedEpsilon, gradientCanaries: canaries, threads: options.threads, caveats: caveats,
        referenceDirectories: options.referenceDirectories),
      note: note)
    for line in audit.lines { note(line) }
    note(String(format: "audit finished in %.1f s", Clock.seconds() - auditStart))
    return audit
  }
}
