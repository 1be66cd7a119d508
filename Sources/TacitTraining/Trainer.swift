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
  /// Under adaptive clipping, the clipping norm at the end of the epoch (what the next step
  /// clips at); `nil` otherwise.
  public var clipNorm: Double? = nil
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

/// How each step's batch is drawn.
public enum BatchSampling: Sendable, Equatable {
  /// Each epoch visits every record once, in a fresh random order, in batches of `batchSize`
  /// (the last may be smaller). Non-private runs only.
  case shuffled
  /// Every record joins every step independently with probability `batchSize / N`
  /// (`PoissonSampler`), for `round(N / batchSize)` steps per epoch. What DP-SGD's accountants
  /// assume; the randomness comes from the step's `NoiseSource` (secure or seeded).
  case poisson
}

/// What the trainer needs besides the model and data.
public struct TrainerConfiguration {
  public var epochs: Int
  /// The batch size (shuffled), or the expected batch size (Poisson).
  public var batchSize: Int
  public var sampling: BatchSampling
  public var schedule: LearningRateSchedule
  public var earlyStopping: EarlyStopping?
  public var evaluateTrain: Bool
  /// The decay β of an exponential moving average of the parameters (`WeightAverage`), or `nil`
  /// for none. With an average, every evaluation (and early stopping) sees the averaged
  /// parameters, and the model ends training holding them.
  public var weightAverageDecay: Double?
  /// Random augmentation of every training batch (`Augmentation`), or `nil` for none.
  public var augmentation: Augmentation?

  public init(
    epochs: Int, batchSize: Int, sampling: BatchSampling = .shuffled, schedule: LearningRateSchedule,
    earlyStopping: EarlyStopping?, evaluateTrain: Bool, weightAverageDecay: Double? = nil,
    augmentation: Augmentation? = nil
  ) {
    precondition(epochs >= 1 && batchSize >= 1, "epochs \(epochs) and batch size \(batchSize) must be ≥ 1")
    self.epochs = epochs
    self.batchSize = batchSize
    self.sampling = sampling
    self.schedule = schedule
    self.earlyStopping = earlyStopping
    self.evaluateTrain = evaluateTrain
    self.weightAverageDecay = weightAverageDecay
    self.augmentation = augmentation
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

  public init(epochs: [EpochMetrics], finalEpoch: Int, stoppedEarly: Bool, seconds: Double) {
    self.epochs = epochs
    self.finalEpoch = finalEpoch
    self.stoppedEarly = stoppedEarly
    self.seconds = seconds
  }
}

/// Minibatch training, non-private (shuffled batches) or DP-SGD (Poisson batches).
///
/// Shuffled fixed-size batches are for non-private runs only: DP-SGD's accountant assumes Poisson
/// sampling (DESIGN.md §4), and the trainer refuses a private step with shuffled batches.
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
    var augmentationGenerator = generator.split("augmentation")
    var multiplicity = 1
    if case .privateSum(let settings) = step.gradientMode { multiplicity = settings.augmentationMultiplicity }
    let count = train.labels.count
    let batchSize = configuration.batchSize
    let isPrivate: Bool
    if case .privateSum = step.gradientMode { isPrivate = true } else { isPrivate = false }
    precondition(
      !isPrivate || configuration.sampling == .poisson,
      "DP-SGD needs Poisson sampling: its accountant's guarantee does not cover shuffled batches")
    let sampler = PoissonSampler(recordCount: count, sampleRate: min(1, Double(batchSize) / Double(max(count, 1))))
    let stepsPerEpoch = TrainerConfiguration.stepsPerEpoch(records: count, batchSize: batchSize)
    // Examples per epoch: every record once (shuffled), or the expected `steps · batchSize` (Poisson).
    let examplesPerEpoch = configuration.sampling == .shuffled ? count : stepsPerEpoch * batchSize
    let totalExamples = examplesPerEpoch * configuration.epochs
    var history = TrainingHistory(epochs: [], finalEpoch: 0, stoppedEarly: false, seconds: 0)
    var tracker = configuration.earlyStopping.map(EarlyStopping.Tracker.init)
    var bestParameters: [Tensor]?
    let average = configuration.weightAverageDecay.map { WeightAverage(parameters: step.model.parameters, decay: $0) }
    var globalStep = 0
    let start = Clock.seconds()
    var trainingSeconds = 0.0

    for epoch in 1...configuration.epochs {
      let order = configuration.sampling == .shuffled ? Random.permutation(count, using: &orderGenerator) : []
      let epochStart = Clock.seconds()
      var lossSum = 0.0
      var correct = 0
      var learningRate: Float = 0
      var examplesThisEpoch = 0
      for stepIndex in 0..<stepsPerEpoch {
        let indices: [Int]
        switch configuration.sampling {
        case .shuffled:
          indices = Array(order[(stepIndex * batchSize)..<min(stepIndex * batchSize + batchSize, count)])
        case .poisson:
          guard let noise = step.noise else { preconditionFailure("Poisson sampling draws from the step's noise source") }
          indices = noise.sample(sampler)
        }
        examplesThisEpoch += indices.count
        // Augmentation multiplicity: K consecutive copies of every sampled record, each augmented.
        let rows = multiplicity == 1 ? indices : indices.flatMap { Array(repeating: $0, count: multiplicity) }
        var inputs = train.features.gathering(rows: rows)
        if let augmentation = configuration.augmentation {
          inputs = augmentation.apply(inputs, generator: &augmentationGenerator)
        }
        let labels = rows.map { train.labels[$0] }
        learningRate = configuration.schedule.learningRate(
          step: globalStep, stepsPerEpoch: stepsPerEpoch, totalEpochs: configuration.epochs)
        let result = step.run(inputs: inputs, labels: labels, learningRate: learningRate, generator: &dropoutGenerator)
        lossSum += result.lossSum
        correct += result.correct
        average?.update(step.model.parameters)
        globalStep += 1
        let elapsed = trainingSeconds + Clock.seconds() - epochStart
        let done = min((epoch - 1) * examplesPerEpoch + examplesThisEpoch, totalExamples)
        let rate = Double(done) / max(elapsed, 1e-9)
        progress(
          TrainingProgress(
            epoch: epoch, epochs: configuration.epochs, examplesDone: done, examplesTotal: totalExamples,
            examplesPerSecond: rate, secondsRemaining: Double(totalExamples - done) / max(rate, 1e-9)))
      }
      step.model.releaseCaches()
      let epochSeconds = Clock.seconds() - epochStart
      trainingSeconds += epochSeconds
      // Evaluations and early stopping see the averaged parameters; training resumes from the iterate.
      average?.swap(with: step.model.parameters)
      var metrics = EpochMetrics(
        epoch: epoch, runningLoss: lossSum / Double(max(examplesThisEpoch, 1)),
        runningAccuracy: Double(correct) / Double(max(examplesThisEpoch, 1)),
        train: configuration.evaluateTrain ? Evaluation.evaluate(step.model, on: train, loss: step.loss) : nil,
        validation: nil, learningRate: Double(learningRate), seconds: epochSeconds)
      metrics.clipNorm = step.adaptiveClipping?.clipNorm
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
      if epoch < configuration.epochs { average?.swap(with: step.model.parameters) }
    }
    if let bestParameters, let bestEpoch = tracker?.bestEpoch, bestEpoch != history.finalEpoch {
      for (parameter, value) in zip(step.model.parameters, bestParameters) { parameter.value = value }
      history.finalEpoch = bestEpoch
    }
    history.seconds = Clock.seconds() - start
    return history
  }
}

extension TrainerConfiguration {
  /// Steps per epoch: `⌈N / batchSize⌉` for shuffled batches (the last one short), and the same
  /// for Poisson batches, whose expected size is `batchSize` (so an epoch is `N` expected
  /// examples; DP-SGD's step count `T = epochs · stepsPerEpoch`).
  public static func stepsPerEpoch(records: Int, batchSize: Int) -> Int {
    max(1, (records + batchSize - 1) / batchSize)
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
