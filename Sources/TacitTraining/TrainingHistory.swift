/// The metrics of one epoch.
public struct EpochMetrics: Sendable, Equatable, Codable {
  /// 1-based epoch number.
  public var epoch: Int
  /// Mean loss and accuracy over the epoch's training batches (training mode, as the model
  /// changed during the epoch; the step objective's loss). The accuracy is NaN when the
  /// objective has no notion of a correct prediction (`ObjectiveResult.correct`).
  public var runningLoss: Double
  public var runningAccuracy: Double
  /// Loss and accuracy on the training records at the end of the epoch (inference mode), when
  /// the recipe asks for it.
  public var train: Evaluation?
  /// Loss and accuracy on the validation records at the end of the epoch, when there are any.
  public var validation: Evaluation?
  /// The evaluation on the test records at the end of the epoch, when the trainer is given them
  /// to monitor (language models: perplexity and bits per byte per epoch); never read by early
  /// stopping or anything else that chooses.
  public var test: Evaluation? = nil
  /// The learning rate of the epoch's last step.
  public var learningRate: Double
  /// Wall-clock seconds of the epoch's training steps (evaluation excluded).
  public var seconds: Double
  /// Under adaptive clipping, the clipping norm at the end of the epoch (what the next step
  /// clips at); `nil` otherwise.
  public var clipNorm: Double? = nil
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
  /// Set when a step's loss, or at the end of an epoch the model, became non-finite: training
  /// stopped there, and the model holds the parameters that produced it (no evaluation of that
  /// epoch); `nil` for a normal run.
  public var divergence: TrainingDivergence? = nil

  public init(epochs: [EpochMetrics], finalEpoch: Int, stoppedEarly: Bool, seconds: Double) {
    self.epochs = epochs
    self.finalEpoch = finalEpoch
    self.stoppedEarly = stoppedEarly
    self.seconds = seconds
  }
}
