/// The `training` section: how long, in what batches, with which optimizer and schedule.
///
/// ```yaml
/// training:
///   epochs: 10                 # >= 1, default 10
///   batch_size: 256            # >= 1, default 256
///   optimizer: {type: sgd, learning_rate: 0.1, momentum: 0.9, nesterov: false}
///   schedule: {type: constant, warmup_epochs: 0}
///   regularization: {l1: 0, l2: 0, label_smoothing: 0}
///   early_stopping: null       # default off; a mapping (even {}) turns it on
///   evaluate_train: true       # default true
///   sampling: shuffle          # shuffle (default) | poisson (the default, and the only choice, with privacy)
///   ema_decay: null            # default off; β in (0, 1) averages the parameters (evaluate and release the average)
///   augmentation: null         # default off; {crop_padding: 2, flip: true, cutout: 0, noise_std: 0} (images)
/// ```
public struct TrainingSection: Sendable, Equatable {
  /// `training.epochs`: passes over the training records, >= 1, default 10.
  public var epochs: Int
  /// `training.batch_size`: records per step, >= 1, default 256.
  public var batchSize: Int
  /// `training.optimizer`, see `OptimizerSpec`; default SGD with momentum 0.9.
  public var optimizer: OptimizerSpec
  /// `training.schedule`, see `ScheduleSpec`; default constant learning rate.
  public var schedule: ScheduleSpec
  /// `training.regularization`, see `RegularizationSpec`; default none.
  public var regularization: RegularizationSpec
  /// `training.early_stopping`, see `EarlyStoppingSpec`; `nil` (absent or `null`) is off.
  public var earlyStopping: EarlyStoppingSpec?
  /// `training.evaluate_train`: evaluate loss and accuracy on the training records after
  /// each epoch, default true (costs one extra forward pass over them).
  public var evaluateTrain: Bool
  /// `training.sampling`: how batches are drawn, see `Sampling`; default `shuffle` without a
  /// `privacy` section and `poisson` with one.
  public var sampling: Sampling
  /// `training.ema_decay`: β of an exponential moving average of the parameters, in (0, 1);
  /// `nil` (absent or `null`, the default) is off. With it, evaluations, early stopping and the
  /// saved model use the average (post-processing: no privacy cost under DP-SGD).
  public var emaDecay: Double?
  /// `training.augmentation`, see `AugmentationSpec`; `nil` (absent or `null`) is off.
  public var augmentation: AugmentationSpec?

  /// `training.sampling`.
  public enum Sampling: String, Sendable, Equatable, CaseIterable {
    /// Each epoch visits every record once in a fresh random order, in batches of `batch_size`.
    case shuffle
    /// Every record joins every step independently with probability `batch_size / N`
    /// (expected batch size `batch_size`). The only sampling allowed with `privacy`: the
    /// accountants analyse it, and shuffled fixed-size batches can have a several times larger ε.
    case poisson
  }

  /// A training section with every value given.
  public init(
    epochs: Int, batchSize: Int, optimizer: OptimizerSpec, schedule: ScheduleSpec, regularization: RegularizationSpec,
    earlyStopping: EarlyStoppingSpec?, evaluateTrain: Bool, sampling: Sampling = .shuffle, emaDecay: Double? = nil,
    augmentation: AugmentationSpec? = nil
  ) {
    self.sampling = sampling
    self.emaDecay = emaDecay
    self.augmentation = augmentation
    self.epochs = epochs
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.schedule = schedule
    self.regularization = regularization
    self.earlyStopping = earlyStopping
    self.evaluateTrain = evaluateTrain
  }
}

/// `training.schedule`: the learning rate over training, as a function of the (fractional)
/// epoch e.
///
/// First `warmup_epochs` of linear warm-up from 0 to the optimizer's learning rate, then:
/// - `type: constant` (default): the learning rate.
/// - `type: step`: multiply by `gamma` (> 0, default 0.1) every `step_epochs` (>= 1,
///   default 10) epochs.
/// - `type: cosine`: from the learning rate down to `min_learning_rate` (>= 0, at most the
///   learning rate, default 0) along half a cosine (Loshchilov & Hutter 2017, no restarts).
public struct ScheduleSpec: Sendable, Equatable {
  /// The schedule type and its own keys.
  public enum Kind: Sendable, Equatable {
    /// `type: constant`.
    case constant
    /// `type: step` with `step_epochs` and `gamma`.
    case step(stepEpochs: Int, gamma: Double)
    /// `type: cosine` with `min_learning_rate`.
    case cosine(minLearningRate: Double)
  }

  /// `type` and its keys.
  public var kind: Kind
  /// `warmup_epochs`: epochs of linear warm-up (fractions allowed), >= 0, at most
  /// `training.epochs`, default 0.
  public var warmupEpochs: Double

  /// A schedule with every value given.
  public init(kind: Kind, warmupEpochs: Double) {
    self.kind = kind
    self.warmupEpochs = warmupEpochs
  }

  /// The spelling of `type` in recipes.
  public var typeName: String {
    switch kind {
    case .constant: "constant"
    case .step: "step"
    case .cosine: "cosine"
    }
  }
}

/// `training.regularization`: penalties added to the loss.
public struct RegularizationSpec: Sendable, Equatable {
  /// `l1`: coefficient λ₁ of λ₁·Σ|w| over decayed weights (not biases or norm scales), >= 0,
  /// default 0.
  public var l1: Double
  /// `l2`: coefficient λ₂ of (λ₂/2)·Σw² over decayed weights, >= 0, default 0.
  public var l2: Double
  /// `label_smoothing`: ε of label smoothing, targets (1 − ε)·one-hot + ε/K for K classes
  /// (Szegedy et al. 2016), in [0, 1), default 0.
  public var labelSmoothing: Double

  /// RegularizationSpec with every value given.
  public init(l1: Double, l2: Double, labelSmoothing: Double) {
    self.l1 = l1
    self.l2 = l2
    self.labelSmoothing = labelSmoothing
  }
}

/// `training.early_stopping`: stop when the validation metric stops improving.
///
/// Needs `data.validation_size` > 0. Absent or `null` turns it off; any mapping, even `{}`,
/// turns it on with the defaults below.
public struct EarlyStoppingSpec: Sendable, Equatable {
  /// `monitor`: the metric watched after each epoch.
  public enum Monitor: String, Sendable, Equatable, CaseIterable {
    /// `validation_loss` (default): lower is better.
    case validationLoss = "validation_loss"
    /// `validation_accuracy`: higher is better.
    case validationAccuracy = "validation_accuracy"
  }

  /// `monitor`, default `validation_loss`.
  public var monitor: Monitor
  /// `patience`: epochs without improvement before stopping, >= 1, default 3.
  public var patience: Int
  /// `min_delta`: smallest change that counts as an improvement, >= 0, default 0.
  public var minDelta: Double
  /// `restore_best`: end with the weights of the best epoch, default true.
  public var restoreBest: Bool
}

/// `training.augmentation`: random transforms of every training batch (images only).
///
/// ```yaml
/// augmentation:
///   crop_padding: 2     # >= 0, default 0: random shifts by up to ±p pixels (pad with zeros, crop)
///   flip: true          # default false: horizontal flips with probability ½
///   cutout: 0           # >= 0, default 0: side of a zeroed square at a random place
///   noise_std: 0.0      # >= 0, default 0: Gaussian pixel noise (in normalised units)
///   multiplicity: 1     # >= 1, default 1: K augmented copies per record under DP-SGD
/// ```
public struct AugmentationSpec: Sendable, Equatable {
  public var cropPadding: Int = 0
  public var flip: Bool = false
  public var cutout: Int = 0
  public var noiseStandardDeviation: Double = 0
  /// Augmentation multiplicity K (De et al. 2022): under DP-SGD each sampled record is augmented
  /// K times and its gradient is the mean over the copies, clipped as one (the record still counts
  /// once). Requires `privacy` and at least one transform.
  public var multiplicity: Int = 1
}
