/// Early stopping on a validation metric (Prechelt 1998): stop when the monitored metric has not
/// improved by more than `minimumDelta` for `patience` consecutive epochs, and optionally restore
/// the parameters of the best epoch.
///
/// On private data the stopping epoch is a data-dependent choice: DP-SGD's accounting does not
/// cover it unless the validation records are public or the choice is privatised (reported by the
/// pipeline).
public struct EarlyStopping: Sendable, Equatable {
  /// The metric watched.
  public enum Monitor: String, Sendable {
    case validationLoss = "validation_loss"
    case validationAccuracy = "validation_accuracy"

    /// Whether larger values are better.
    public var isMaximized: Bool { self == .validationAccuracy }
  }

  public let monitor: Monitor
  public let patience: Int
  public let minimumDelta: Double
  public let restoreBest: Bool

  public init(monitor: Monitor, patience: Int, minimumDelta: Double, restoreBest: Bool) {
    precondition(patience >= 1, "early-stopping patience must be ≥ 1, got \(patience)")
    precondition(minimumDelta >= 0, "early-stopping min_delta must be ≥ 0, got \(minimumDelta)")
    self.monitor = monitor
    self.patience = patience
    self.minimumDelta = minimumDelta
    self.restoreBest = restoreBest
  }

  /// The running state: best value so far, its epoch, and epochs since an improvement.
  public struct Tracker: Sendable {
    public let rule: EarlyStopping
    public private(set) var bestValue: Double?
    public private(set) var bestEpoch: Int?
    public private(set) var epochsWithoutImprovement = 0

    public init(rule: EarlyStopping) { self.rule = rule }

    /// A tracker in a saved state (a checkpoint's), for a resumed run.
    public init(rule: EarlyStopping, bestValue: Double?, bestEpoch: Int?, epochsWithoutImprovement: Int) {
      self.rule = rule
      self.bestValue = bestValue
      self.bestEpoch = bestEpoch
      self.epochsWithoutImprovement = epochsWithoutImprovement
    }

    /// Records the metric of `epoch`; returns whether it is a new best.
    public mutating func record(_ value: Double, epoch: Int) -> Bool {
      let improved: Bool
      if let best = bestValue {
        improved = rule.monitor.isMaximized ? value > best + rule.minimumDelta : value < best - rule.minimumDelta
      } else {
        improved = !value.isNaN
      }
      if improved {
        bestValue = value
        bestEpoch = epoch
        epochsWithoutImprovement = 0
      } else {
        epochsWithoutImprovement += 1
      }
      return improved
    }

    /// Whether training should stop now.
    public var shouldStop: Bool { epochsWithoutImprovement >= rule.patience }
  }
}
