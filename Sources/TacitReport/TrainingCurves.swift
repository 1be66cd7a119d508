/// Loss and accuracy of a model on a set of records (the figures of an evaluation).
public struct LossAndAccuracy: Sendable, Equatable {
  /// Mean loss (cross-entropy) over the records (a language model: per predicted token, nats).
  public var loss: Double
  /// Fraction of records classified correctly, in [0, 1] (a language model: of tokens
  /// predicted correctly).
  public var accuracy: Double
  /// A language model's per-token perplexity `exp(loss)`; `nil` for a classifier.
  public var perplexity: Double?
  /// A language model's bits per byte of text; `nil` for a classifier.
  public var bitsPerByte: Double?

  public init(loss: Double, accuracy: Double, perplexity: Double? = nil, bitsPerByte: Double? = nil) {
    self.loss = loss
    self.accuracy = accuracy
    self.perplexity = perplexity
    self.bitsPerByte = bitsPerByte
  }

  /// Whether these are a language model's figures (loss per token, perplexity, bits per byte).
  public var isLanguageModel: Bool { perplexity != nil }
}

/// One epoch's figures as the log, `metrics.json` and the report's learning curves show them.
public struct EpochRecord: Sendable, Equatable {
  /// 1-based epoch number.
  public var epoch: Int
  /// The learning rate of the epoch's last step.
  public var learningRate: Double
  /// Mean loss and accuracy over the epoch's training batches.
  public var runningLoss: Double
  public var runningAccuracy: Double
  /// On the training records at the end of the epoch, when the recipe asks for it.
  public var train: LossAndAccuracy?
  /// On the validation records at the end of the epoch, when there are any.
  public var validation: LossAndAccuracy?
  /// On the test records at the end of the epoch (language models: perplexity and bits per byte
  /// per epoch); `nil` when not measured. Never used to choose anything.
  public var test: LossAndAccuracy? = nil
  /// Wall-clock seconds of the epoch's training steps.
  public var seconds: Double
  /// Under adaptive clipping, the clipping norm at the end of the epoch; `nil` otherwise.
  public var clipNorm: Double?

  public init(
    epoch: Int, learningRate: Double, runningLoss: Double, runningAccuracy: Double, train: LossAndAccuracy?,
    validation: LossAndAccuracy?, seconds: Double, clipNorm: Double?
  ) {
    self.epoch = epoch
    self.learningRate = learningRate
    self.runningLoss = runningLoss
    self.runningAccuracy = runningAccuracy
    self.train = train
    self.validation = validation
    self.seconds = seconds
    self.clipNorm = clipNorm
  }
}

/// The epochs a training run went through and which one the model kept.
public struct TrainingCurves: Sendable, Equatable {
  public var epochs: [EpochRecord]
  /// The epoch whose parameters the model holds at the end.
  public var finalEpoch: Int
  /// Whether early stopping ended the run before the configured number of epochs.
  public var stoppedEarly: Bool

  public init(epochs: [EpochRecord], finalEpoch: Int, stoppedEarly: Bool) {
    self.epochs = epochs
    self.finalEpoch = finalEpoch
    self.stoppedEarly = stoppedEarly
  }
}
