import TacitNN
import TacitRecipe
import TacitTraining

/// Turns the recipe's `training` settings into trainer objects.
enum TrainingFactory {
  static func optimizer(_ spec: OptimizerSpec) -> Optimizer {
    switch spec {
    case .sgd(let settings):
      return SGD(momentum: Float(settings.momentum), nesterov: settings.nesterov)
    case .adam(let settings):
      return Adam(beta1: Float(settings.beta1), beta2: Float(settings.beta2), epsilon: Float(settings.epsilon))
    case .adamw(let settings, let weightDecay):
      return AdamW(
        beta1: Float(settings.beta1), beta2: Float(settings.beta2), epsilon: Float(settings.epsilon),
        weightDecay: Float(weightDecay))
    }
  }

  static func schedule(_ training: TrainingSection) -> LearningRateSchedule {
    let kind: LearningRateSchedule.Kind
    switch training.schedule.kind {
    case .constant: kind = .constant
    case .step(let stepEpochs, let gamma): kind = .step(everyEpochs: stepEpochs, gamma: Float(gamma))
    case .cosine(let minimum): kind = .cosine(minimum: Float(minimum))
    }
    return LearningRateSchedule(
      baseRate: Float(training.optimizer.learningRate), kind: kind, warmUpEpochs: training.schedule.warmupEpochs)
  }

  static func earlyStopping(_ training: TrainingSection) -> TacitTraining.EarlyStopping? {
    guard let spec = training.earlyStopping else { return nil }
    let monitor: TacitTraining.EarlyStopping.Monitor =
      spec.monitor == .validationAccuracy ? .validationAccuracy : .validationLoss
    return TacitTraining.EarlyStopping(
      monitor: monitor, patience: spec.patience, minimumDelta: spec.minDelta, restoreBest: spec.restoreBest)
  }
}
