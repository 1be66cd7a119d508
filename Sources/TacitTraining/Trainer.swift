import TacitData
import TacitNN
import TacitTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The metrics of one epoch.
public struct EpochMetrics: Sendable, Equatable {
  /// 1-based epoch number.
  public var epoch: Int
  /// Mean loss and accuracy over the epoch's training batches (training mode, as the model
  /// changed during the epoch).
  public var runningLoss: Double
  public var runningAccuracy: Double
  /// Loss and accuracy on the training records at the end of the epoch (inference mode), when
  /// the recipe asks for it.
  public var train: Evaluation?
  /// Loss and accuracy on the validation records at the end of the epoch, when there are any.
  public var validation: Evaluation?
  /// The learning rate of the epoch's last step.
  public var learningRate: Double
  /// Wall-clock seconds of the epoch's training steps (evaluation excluded).
  public var seconds: Double
}

/// Progress of a training run, reported after every step.
public struct TrainingProgress: Sendable {
  public var epoch: Int
  public var epochs: Int
  public var examplesDone: Int
  public var examplesTotal: Int
  public var examplesPerSecond: Double
  /// Estimated seconds left for the training steps.
  public var secondsRemaining: Double
}

/// What the trainer needs besides the model and data.
public struct TrainerConfiguration {
  public var epochs: Int
  public var batchSize: Int
  public var schedule: LearningRateSchedule
  public var earlyStopping: EarlyStopping?
  public var evaluateTrain: Bool

  public init(epochs: Int, batchSize: Int, schedule: LearningRateSchedule, earlyStopping: EarlyStopping?, evaluateTrain: Bool) {
    precondition(epochs >= 1 && batchSize >= 1, "epochs \(epochs) and batch size \(batchSize) must be ≥ 1")
    self.epochs = epochs
    self.batchSize = batchSize
    self.schedule = schedule
    self.earlyStopping = earlyStopping
    self.evaluateTrain = evaluateTrain
  }
}

/// The outcome of `Trainer.train`.
public struct TrainingHistory: Sendable {
  public var epochs: [EpochMetrics]
  /// The epoch whose parameters the model holds at the end (the best one when early stopping
  /// restored it, else the last).
  public var finalEpoch: Int
  /// Whether early stopping ended the run before the configured number of epochs.
  public var stoppedEarly: Bool
  public var seconds: Double
}

/// Non-private minibatch training: each epoch visits the training records once in a fresh
/// shuffled order, in batches of `batchSize` (the last one may be smaller).
///
/// Shuffled fixed-size batches are for non-private runs only: DP-SGD's accountant assumes Poisson
/// sampling (DESIGN.md §4).
public struct Trainer {
  public let step: TrainingStep
  public let configuration: TrainerConfiguration

  public init(step: TrainingStep, configuration: TrainerConfiguration) {
    self.step = step
    self.configuration = configuration
  }

  /// Trains on `train`, evaluating on `validation` after each epoch.
  ///
  /// - Parameters:
  ///   - generator: draws the data order (split "data-order") and dropout masks (split "dropout").
  ///   - progress: called after every step.
  ///   - epochCompleted: called with each epoch's metrics as soon as they are known.
  public func train(
    on train: LabeledDataset, validation: LabeledDataset?, generator: SeededGenerator,
    progress: (TrainingProgress) -> Void = { _ in }, epochCompleted: (EpochMetrics) -> Void = { _ in }
  ) -> TrainingHistory {
    var orderGenerator = generator.split("data-order")
    var dropoutGenerator = generator.split("dropout")
    let count = train.labels.count
    let batchSize = configuration.batchSize
    let stepsPerEpoch = max(1, (count + batchSize - 1) / batchSize)
    let totalExamples = count * configuration.epochs
    var history = TrainingHistory(epochs: [], finalEpoch: 0, stoppedEarly: false, seconds: 0)
    var tracker = configuration.earlyStopping.map(EarlyStopping.Tracker.init)
    var bestParameters: [Tensor]?
    var globalStep = 0
    let start = Clock.seconds()
    var trainingSeconds = 0.0

    for epoch in 1...configuration.epochs {
      let order = Random.permutation(count, using: &orderGenerator)
      let epochStart = Clock.seconds()
      var lossSum = 0.0
      var correct = 0
      var learningRate: Float = 0
      for stepIndex in 0..<stepsPerEpoch {
        let lower = stepIndex * batchSize
        let upper = min(lower + batchSize, count)
        let indices = Array(order[lower..<upper])
        let inputs = train.features.gathering(rows: indices)
        let labels = indices.map { train.labels[$0] }
        learningRate = configuration.schedule.learningRate(
          step: globalStep, stepsPerEpoch: stepsPerEpoch, totalEpochs: configuration.epochs)
        let result = step.run(inputs: inputs, labels: labels, learningRate: learningRate, generator: &dropoutGenerator)
        lossSum += result.lossSum
        correct += result.correct
        globalStep += 1
        let elapsed = trainingSeconds + Clock.seconds() - epochStart
        let done = (epoch - 1) * count + upper
        let rate = Double(done) / max(elapsed, 1e-9)
        progress(
          TrainingProgress(
            epoch: epoch, epochs: configuration.epochs, examplesDone: done, examplesTotal: totalExamples,
            examplesPerSecond: rate, secondsRemaining: Double(totalExamples - done) / max(rate, 1e-9)))
      }
      step.model.releaseCaches()
      let epochSeconds = Clock.seconds() - epochStart
      trainingSeconds += epochSeconds
      var metrics = EpochMetrics(
        epoch: epoch, runningLoss: lossSum / Double(max(count, 1)),
        runningAccuracy: Double(correct) / Double(max(count, 1)),
        train: configuration.evaluateTrain ? Evaluation.evaluate(step.model, on: train, loss: step.loss) : nil,
        validation: nil, learningRate: Double(learningRate), seconds: epochSeconds)
      if let validation, validation.labels.count > 0 {
        metrics.validation = Evaluation.evaluate(step.model, on: validation, loss: step.loss)
      }
      history.epochs.append(metrics)
      history.finalEpoch = epoch
      epochCompleted(metrics)

      if var current = tracker, let rule = configuration.earlyStopping, let validationMetrics = metrics.validation {
        let value = rule.monitor == .validationLoss ? validationMetrics.loss : validationMetrics.accuracy
        if current.record(value, epoch: epoch), rule.restoreBest {
          bestParameters = step.model.parameters.map(\.value)
        }
        tracker = current
        if current.shouldStop {
          history.stoppedEarly = epoch < configuration.epochs
          break
        }
      }
    }
    if let bestParameters, let bestEpoch = tracker?.bestEpoch, bestEpoch != history.finalEpoch {
      for (parameter, value) in zip(step.model.parameters, bestParameters) { parameter.value = value }
      history.finalEpoch = bestEpoch
    }
    history.seconds = Clock.seconds() - start
    return history
  }
}

/// A monotonic clock in seconds.
public enum Clock {
  public static func seconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }
}
