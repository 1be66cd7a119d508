import TacitData
import TacitNN
import TacitRecipe
import TacitTensor
import TacitTraining

/// One model trained from a recipe's `model` and `training` sections: the run's target, a
/// distillation's teacher or student, or a reference model (trained exactly like the target, on
/// other records). Every model of every run is built, trained and evaluated through here.
struct ModelTraining {
  let recipe: Recipe
  /// The DP-SGD mechanism, or `nil` for a non-private run.
  let plan: PrivacyPlan?
  /// The step's noise and Poisson-sampling source (required with `plan` or Poisson sampling).
  let noise: NoiseSource?
  /// White-box audit canaries for the DP-SGD step, or `nil`.
  var canaries: GradientCanaries?
  /// Test-only defects of the DP-SGD step (`DPSGDFault`, e.g. `.noiseDisabled`: no noise while
  /// the plan and its claimed ε stay); empty for every real run, ignored without a plan.
  var faults: Set<DPSGDFault> = []
  /// A teacher to distil from (the step's objective: `DistillationLoss` on its logits), or `nil`.
  var distillation: Distillation?
  /// DP-SGD's privacy units (`privacy.unit: user`, `RunContext.units(of:)`), `nil`: records.
  var units: PrivacyUnits?

  /// Training for `recipe` under `plan`, drawing its noise and sampling from `root`
  /// (`noiseSource`).
  init(recipe: Recipe, plan: PrivacyPlan?, root: SeededGenerator, distillation: Distillation? = nil) {
    self.recipe = recipe
    self.plan = plan
    self.noise = Self.noiseSource(recipe: recipe, plan: plan, root: root)
    self.distillation = distillation
  }

  /// The noise source a recipe asks for: secure or seeded (split "noise" of `root`) under
  /// privacy, seeded (split "sampling") for non-private Poisson sampling, none otherwise.
  static func noiseSource(recipe: Recipe, plan: PrivacyPlan?, root: SeededGenerator) -> NoiseSource? {
    if let plan {
      return plan.section.noise == .secure ? NoiseSource.secure() : NoiseSource.seeded(root.split("noise"))
    }
    return recipe.training.sampling == .poisson ? NoiseSource.seeded(root.split("sampling")) : nil
  }

  /// A freshly initialised model (split "init" of `root`), checked against the class count; a
  /// language model is made by its `LanguageModelSetup` (fresh, or the pretrained weights).
  /// With `standardization` (a `data.features.private_norm` release) that frozen layer comes
  /// first, before the recipe's layers (whose parameters are then `layers.1.…` onwards).
  func buildModel(
    inputShape: [Int], classCount: Int, root: SeededGenerator, standardization: ChannelStandardization? = nil
  ) throws -> Sequential {
    var initGenerator = root.split("init")
    if let language = try LanguageModelSetup.make(recipe) { return try language.makeModel(generator: &initGenerator) }
    var model = try ModelBuilder.build(recipe.model, inputShape: inputShape, generator: &initGenerator)
    if let standardization {
      do {
        model = try Sequential([standardization] + model.layers, inputShape: inputShape)
      } catch {
        throw PipelineError("data.features.private_norm: \(error.description)")
      }
    }
    try RunPipeline.checkOutput(of: model, classCount: classCount, specs: recipe.model)
    return model
  }

  /// `data.features.private_norm`'s release from `trainingSet` for a private model, with the
  /// plan's noise kind (seeded: from `root`); `nil` without one.
  func featureNormRelease(on trainingSet: LabeledDataset, root: SeededGenerator) -> FeatureNormRelease? {
    guard let plan, let features = recipe.data.features, let settings = features.privateNorm else { return nil }
    return FeatureNormRelease.make(
      settings, channels: features.channels, trainingSet: trainingSet, noise: plan.section.noise, root: root)
  }

  /// Trains `model` on `train` (validating on `validation` when non-empty), resuming from and
  /// writing `checkpoints` when given.
  func train(
    _ model: Sequential, on train: LabeledDataset, validation: LabeledDataset?, monitor: LabeledDataset? = nil,
    root: SeededGenerator, checkpoints: TrainerCheckpoints? = nil, progress: (TrainingProgress) -> Void = { _ in },
    epochCompleted: (EpochMetrics) -> Void = { _ in }
  ) throws -> TrainingHistory {
    let training = recipe.training
    // The training loss without a teacher, and the evaluation loss always.
    let hardLabelLoss = SoftmaxCrossEntropy(labelSmoothing: Float(training.regularization.labelSmoothing))
    let language = try LanguageModelSetup.make(recipe)
    let evaluation = language.map { EvaluationMetric.nextToken(tokenByteLengths: $0.tokenByteLengths) }
    var configuration = TrainerConfiguration(
      epochs: training.epochs, batchSize: training.batchSize, sampling: training.sampling == .poisson ? .poisson : .shuffled,
      schedule: TrainingFactory.schedule(training),
      earlyStopping: TrainingFactory.earlyStopping(training), evaluateTrain: training.evaluateTrain,
      weightAverageDecay: training.emaDecay,
      augmentation: training.augmentation.map { spec in
        Augmentation(
          imageShape: recipe.data.imageShape ?? [1, 1, train.featuresPerExample], cropPadding: spec.cropPadding,
          flip: spec.flip, cutoutSize: spec.cutout, noiseStandardDeviation: Float(spec.noiseStandardDeviation))
      }, evaluation: evaluation ?? .classification(hardLabelLoss))
    configuration.monitor = monitor
    if plan != nil { configuration.units = units }
    var gradientMode = GradientMode.mean
    if var settings = plan?.stepSettings {
      settings.faults = faults
      settings.augmentationMultiplicity = training.augmentation?.multiplicity ?? 1
      gradientMode = .privateSum(settings)
    }
    let objective: any TrainingObjective =
      if let distillation { distillation } else if language != nil { NextTokenCrossEntropy() } else { hardLabelLoss }
    let step = TrainingStep(
      model: model, optimizer: TrainingFactory.optimizer(training.optimizer), objective: objective,
      regularization: TacitNN.Regularization(l1: Float(training.regularization.l1), l2: Float(training.regularization.l2)),
      gradientMode: gradientMode, noise: noise, canaries: canaries)
    let history = try Trainer(step: step, configuration: configuration).train(
      on: train, validation: validation.flatMap { $0.count > 0 ? $0 : nil }, generator: root, checkpoints: checkpoints,
      progress: progress, epochCompleted: epochCompleted)
    if let divergence = history.divergence { throw divergenceError(divergence) }
    return history
  }

  /// The error for a run whose loss or parameters became non-finite: where, and the settings most
  /// likely responsible (an input error: the recipe's values, exit 65).
  func divergenceError(_ divergence: TrainingDivergence) -> PipelineError {
    var suspects = ["training.optimizer.learning_rate (this step used \(divergence.learningRate))"]
    if recipe.training.regularization.l1 > 0 || recipe.training.regularization.l2 > 0 {
      suspects.append(
        "training.regularization (l1 \(recipe.training.regularization.l1), l2 \(recipe.training.regularization.l2))")
    }
    if let plan {
      suspects.append("privacy.max_grad_norm (\(plan.section.maxGradNorm))")
      suspects.append("privacy.noise_multiplier (\(plan.noiseMultiplier))")
    }
    let what: String
    switch divergence.symptom {
    case .nonFiniteLoss(let sum):
      what = "the loss became \(sum.isNaN ? "NaN" : "infinite") at epoch \(divergence.epoch), step \(divergence.step)"
    case .nonFiniteParameter(let name, let element, let value):
      what =
        "parameter \(name) (element \(element)) became \(value.isNaN ? "NaN" : "infinite") in epoch"
        + " \(divergence.epoch), by its last step (\(divergence.step)), while every loss was still finite"
    case .nonFiniteOutputs(let records, let loss):
      what =
        "the model's outputs became \(loss.isNaN ? "NaN" : "infinite") on the first \(records) training records after"
        + " epoch \(divergence.epoch) (its last step, \(divergence.step)), while every loss was still finite"
    }
    let advice = plan == nil ? "lower the learning rate" : "lower the learning rate or privacy.max_grad_norm"
    return PipelineError(
      "training diverged: \(what);"
        + " the model's numbers overflowed 32-bit floating point. Most likely responsible: "
        + suspects.joined(separator: ", ") + "; \(advice) and run again")
  }
}

extension ModelTraining {
  /// Trains `model` on `trainingSet` (validating on `data.validation` when `validates`) and
  /// evaluates it on the test, training and validation records: the train → evaluate step every
  /// run's target, teacher and student share.
  func fit(
    _ model: Sequential, on trainingSet: LabeledDataset, data: PreparedData, root: SeededGenerator,
    checkpoints: TrainerCheckpoints? = nil, progress: (TrainingProgress) -> Void = { _ in },
    epochCompleted: (EpochMetrics) -> Void = { _ in }
  ) throws -> TrainedModel {
    let start = Clock.seconds()
    let metric = try LanguageModelSetup.make(recipe).map { EvaluationMetric.nextToken(tokenByteLengths: $0.tokenByteLengths) }
    let history = try train(
      model, on: trainingSet, validation: data.validation, monitor: metric == nil ? nil : data.test, root: root,
      checkpoints: checkpoints, progress: progress, epochCompleted: epochCompleted)
    return TrainedModel.evaluate(
      model, plan: plan, history: history, trainingSet: trainingSet, data: data, metric: metric ?? .classification,
      start: start)
  }
}
