import TacitNN
import TacitTensor

/// Everything `Trainer.train` needs to continue a run after a completed epoch exactly as if it had
/// never stopped: written at the end of every epoch when the caller asks for checkpoints
/// (`TrainerCheckpoints`), handed back to resume.
///
/// A seeded run resumed from a checkpoint draws the same batches, dropout masks, augmentations
/// and noise, and applies the same updates, as the uninterrupted run: its model and curves are
/// bit for bit the same. Under secure noise the noise source has no state to save
/// (`NoiseSource.seededState` is `nil`): the resumed run continues with fresh secure randomness,
/// so it is a valid DP-SGD run but not the one the interrupted run would have finished.
///
/// Storage: `tensors` holds the `Float` state by name, `P` a parameter path of
/// `Sequential.namedParameters` (e.g. `layers.1.weight`):
/// - `model.P`: the parameters as they are at the end of the epoch (the weight average while it
///   is swapped in, at the last epoch or when early stopping ended the run);
/// - `optimizer.P.first`, `optimizer.P.second`: the optimizer's buffers (`OptimizerParameterState`;
///   `second` only for Adam), each of the parameter's shape;
/// - `average.P`: the weight average's other copy (`WeightAverage.savedAverages`);
/// - `best.P`: the parameters early stopping keeps to restore.
///
/// `state` holds the rest (`Codable`, JSON in the checkpoint file).
public struct TrainerCheckpoint {
  public var tensors: [String: Tensor]
  public var state: State

  public init(tensors: [String: Tensor], state: State) {
    self.tensors = tensors
    self.state = state
  }

  /// The non-tensor state of a checkpoint.
  public struct State: Codable, Sendable {
    /// The epochs completed (1-based number of the last one).
    public var epoch: Int
    /// Whether training ended with this epoch (the last epoch, or early stopping's decision):
    /// a resumed run then runs no further epoch.
    public var trainingEnded: Bool
    /// The history so far (`TrainingHistory.epochs`, `finalEpoch`, `stoppedEarly`).
    public var epochs: [EpochMetrics]
    public var finalEpoch: Int
    public var stoppedEarly: Bool
    /// Seconds of training steps so far (for the progress line's rate) and of the whole training.
    public var trainingSeconds: Double
    public var seconds: Double
    /// Each parameter's optimizer step count, `nil` where the optimizer keeps no state.
    public var optimizerSteps: [Int?]
    /// The weight average's update count, `nil` without an average.
    public var averageUpdates: Int?
    public var earlyStopping: EarlyStoppingState?
    public var adaptiveClipping: AdaptiveClipping.State?
    public var canaries: GradientCanaries.State?
    /// The generators of dropout, data order and augmentation.
    public var dropout: SeededGenerator
    public var dataOrder: SeededGenerator
    public var augmentation: SeededGenerator
    /// The noise source's kind (`NoiseSource.Kind`), `nil` without one.
    public var noiseKind: String?
    /// A seeded noise source's streams; `nil` for a secure source (nothing to replay) or none.
    public var noise: NoiseSource.SeededState?
  }

  /// Early stopping's tracker (`EarlyStopping.Tracker`) between epochs.
  public struct EarlyStoppingState: Codable, Sendable, Equatable {
    public var bestValue: Double?
    public var bestEpoch: Int?
    public var epochsWithoutImprovement: Int
  }

  /// The tensor `name`, checked to have `shape`; throws `Mismatch` naming it otherwise.
  func tensor(_ name: String, shape: [Int]) throws(Mismatch) -> Tensor {
    guard let tensor = tensors[name] else { throw Mismatch(description: "checkpoint: tensor '\(name)' is missing") }
    guard tensor.shape == shape else {
      throw Mismatch(description: "checkpoint: tensor '\(name)' has shape \(tensor.shape), the run expects \(shape)")
    }
    return tensor
  }

  /// A checkpoint that does not fit the run resuming from it (another model, optimizer or
  /// setting): which tensor or setting differs.
  public struct Mismatch: Error, CustomStringConvertible, Sendable {
    public let description: String
  }
}

/// What `Trainer.train` does about checkpoints: where it resumes from, and the two calls that
/// let its caller record every epoch before it starts (a privacy ledger counts the steps of an
/// epoch a crash interrupts) and save the state after it ends.
public struct TrainerCheckpoints {
  /// The checkpoint to continue from, `nil` to start afresh.
  public var resumeFrom: TrainerCheckpoint?
  /// Called with the epoch's number before its first step; an error ends training.
  public var epochStarting: (Int) throws -> Void
  /// Called with the checkpoint at the end of every epoch; an error ends training.
  public var epochEnded: (TrainerCheckpoint) throws -> Void

  public init(
    resumeFrom: TrainerCheckpoint?, epochStarting: @escaping (Int) throws -> Void,
    epochEnded: @escaping (TrainerCheckpoint) throws -> Void
  ) {
    self.resumeFrom = resumeFrom
    self.epochStarting = epochStarting
    self.epochEnded = epochEnded
  }
}
