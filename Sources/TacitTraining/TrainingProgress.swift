#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// The trainer's progress accounting: examples done against the run's total, and the rate over
/// the training steps' wall-clock time (evaluations excluded).
struct ProgressMeter {
  let epochs: Int
  let stepsPerEpoch: Int
  /// Examples per epoch: every record once (shuffled), or the expected `steps · batchSize`
  /// (Poisson).
  let examplesPerEpoch: Int
  let totalExamples: Int
  /// Wall-clock seconds of the finished epochs' steps.
  var trainingSeconds = 0.0

  init(configuration: TrainerConfiguration, records: Int) {
    epochs = configuration.epochs
    stepsPerEpoch = TrainerConfiguration.stepsPerEpoch(records: records, batchSize: configuration.batchSize)
    examplesPerEpoch = configuration.sampling == .shuffled ? records : stepsPerEpoch * configuration.batchSize
    totalExamples = examplesPerEpoch * epochs
  }

  /// The progress after a step of `epoch` that brought the epoch's examples to
  /// `examplesThisEpoch`, the epoch having started at `epochStart` (`Clock.seconds()`).
  func progress(epoch: Int, examplesThisEpoch: Int, epochStart: Double) -> TrainingProgress {
    let elapsed = trainingSeconds + Clock.seconds() - epochStart
    let done = min((epoch - 1) * examplesPerEpoch + examplesThisEpoch, totalExamples)
    let rate = Double(done) / max(elapsed, 1e-9)
    return TrainingProgress(
      epoch: epoch, epochs: epochs, examplesDone: done, examplesTotal: totalExamples, examplesPerSecond: rate,
      secondsRemaining: Double(totalExamples - done) / max(rate, 1e-9))
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
