import TacitNN
import TacitTensor

/// Early stopping during one `Trainer.train` run: the tracker of the monitored validation metric
/// and, when the rule restores the best epoch, that epoch's parameters.
struct EarlyStoppingRun {
  let rule: EarlyStopping
  private var tracker: EarlyStopping.Tracker
  private var bestParameters: [Tensor]?

  init(rule: EarlyStopping) {
    self.rule = rule
    tracker = EarlyStopping.Tracker(rule: rule)
  }

  /// Records the epoch's validation metric (nothing without validation metrics), keeping a copy
  /// of `model`'s parameters on a new best when the rule restores; returns whether to stop now.
  mutating func record(_ metrics: EpochMetrics, model: Sequential) -> Bool {
    guard let validation = metrics.validation else { return false }
    let value = rule.monitor == .validationLoss ? validation.loss : validation.accuracy
    if tracker.record(value, epoch: metrics.epoch), rule.restoreBest {
      bestParameters = model.parameters.map(\.value)
    }
    return tracker.shouldStop
  }

  /// The tracker's state and the kept parameters (`nil` when none are kept), for a checkpoint.
  var saved: (state: TrainerCheckpoint.EarlyStoppingState, bestParameters: [Tensor]?) {
    (
      TrainerCheckpoint.EarlyStoppingState(
        bestValue: tracker.bestValue, bestEpoch: tracker.bestEpoch, epochsWithoutImprovement: tracker.epochsWithoutImprovement),
      bestParameters
    )
  }

  /// Puts back a checkpoint's tracker state and kept parameters (`saved`).
  mutating func restore(_ state: TrainerCheckpoint.EarlyStoppingState, bestParameters saved: [Tensor]?) {
    tracker = EarlyStopping.Tracker(
      rule: rule, bestValue: state.bestValue, bestEpoch: state.bestEpoch,
      epochsWithoutImprovement: state.epochsWithoutImprovement)
    bestParameters = saved
  }

  /// Puts the best epoch's parameters back into `model` when they were kept and the run ended on
  /// another epoch (`finalEpoch`); returns the best epoch then, `nil` when nothing changed.
  func restoreBest(into model: Sequential, finalEpoch: Int) -> Int? {
    guard let bestParameters, let bestEpoch = tracker.bestEpoch, bestEpoch != finalEpoch else { return nil }
    for (parameter, value) in zip(model.parameters, bestParameters) { parameter.value = value }
    return bestEpoch
  }
}
