import TacitData
import TacitNN

/// How each step's batch is drawn.
public enum BatchSampling: Sendable, Equatable {
  /// Each epoch visits every record once, in a fresh random order, in batches of `batchSize`
  /// (the last may be smaller). Non-private runs only.
  case shuffled
  /// Every record joins every step independently with probability `batchSize / N`
  /// (`PoissonSampler`), for `⌈N / batchSize⌉` steps per epoch. What DP-SGD's accountants
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
  /// What the end-of-epoch evaluations measure (`Evaluation`, and early stopping on the
  /// validation loss), whatever the step's training objective: the hard-label loss for a
  /// classifier (a distilled student too is evaluated on its labels), next-token loss,
  /// perplexity and bits per byte for a language model.
  public var evaluation: EvaluationMetric
  /// Records evaluated after every epoch for the learning curves only (`EpochMetrics.test`): a
  /// language model's test records, whose perplexity and bits per byte per epoch the log shows.
  /// Nothing reads them to choose (early stopping reads the validation records); `nil`: none.
  public var monitor: LabeledDataset? = nil
  /// DP-SGD's privacy units when larger than a record (`PrivacyUnits`; token records, Poisson
  /// sampling): sampled, clipped and counted as one, an epoch being ⌈U / batchSize⌉ steps of
  /// expected batchSize units. `nil`: every record is its own unit.
  public var units: PrivacyUnits? = nil

  public init(
    epochs: Int, batchSize: Int, sampling: BatchSampling = .shuffled, schedule: LearningRateSchedule,
    earlyStopping: EarlyStopping?, evaluateTrain: Bool, weightAverageDecay: Double? = nil,
    augmentation: Augmentation? = nil, evaluation: EvaluationMetric = .classification
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
    self.evaluation = evaluation
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
