import TacitData
import TacitNN
import TacitTensor

/// The state `Trainer.train` carries from epoch to epoch: what a checkpoint saves.
struct TrainingLoop {
  var batches: TrainingBatches
  var dropout: SeededGenerator
  var meter: ProgressMeter
  var history = TrainingHistory(epochs: [], finalEpoch: 0, stoppedEarly: false, seconds: 0)
  var stopping: EarlyStoppingRun?
  let average: WeightAverage?
  /// The epochs completed.
  var completedEpochs = 0
  /// Whether training has ended (the last epoch, or early stopping's decision).
  var ended = false

  /// The state before the first epoch of `trainer` on `dataset`, drawing from `generator`'s splits.
  init(trainer: Trainer, dataset: LabeledDataset, generator: SeededGenerator) {
    let step = trainer.step
    let configuration = trainer.configuration
    batches = TrainingBatches(
      dataset: dataset, configuration: configuration, gradientMode: step.gradientMode, noise: step.noise,
      canaryRecords: step.canaries?.includedCanaries.count ?? 0, generator: generator)
    dropout = generator.split("dropout")
    meter = ProgressMeter(configuration: configuration, records: configuration.units?.count ?? dataset.labels.count)
    stopping = configuration.earlyStopping.map(EarlyStoppingRun.init)
    average = configuration.weightAverageDecay.map { WeightAverage(parameters: step.model.parameters, decay: $0) }
  }
}

extension Trainer {
  /// The checkpoint of `loop` at the end of its last completed epoch (`TrainerCheckpoint`).
  func checkpoint(of loop: TrainingLoop) -> TrainerCheckpoint {
    let named = step.model.namedParameters
    var tensors: [String: Tensor] = [:]
    for (name, parameter) in named { tensors["model." + name] = parameter.value }
    let optimizerStates = step.optimizer.savedState(of: named.map(\.parameter))
    for ((name, parameter), saved) in zip(named, optimizerStates) {
      guard let saved else { continue }
      tensors["optimizer.\(name).first"] = Tensor(shape: parameter.value.shape, scalars: saved.first)
      if !saved.second.isEmpty {
        tensors["optimizer.\(name).second"] = Tensor(shape: parameter.value.shape, scalars: saved.second)
      }
    }
    for ((name, _), average) in zip(named, loop.average?.savedAverages ?? []) { tensors["average." + name] = average }
    let stopping = loop.stopping?.saved
    for ((name, _), best) in zip(named, stopping?.bestParameters ?? []) { tensors["best." + name] = best }
    let generators = loop.batches.savedGenerators
    let state = TrainerCheckpoint.State(
      epoch: loop.completedEpochs, trainingEnded: loop.ended, epochs: loop.history.epochs,
      finalEpoch: loop.history.finalEpoch, stoppedEarly: loop.history.stoppedEarly,
      trainingSeconds: loop.meter.trainingSeconds, seconds: loop.history.seconds,
      optimizerSteps: optimizerStates.map { $0?.step }, averageUpdates: loop.average?.updates,
      earlyStopping: stopping?.state, adaptiveClipping: step.adaptiveClipping?.savedState,
      canaries: step.canaries?.savedState, dropout: loop.dropout, dataOrder: generators.order,
      augmentation: generators.augmentation, noiseKind: step.noise?.kind.rawValue, noise: step.noise?.seededState)
    return TrainerCheckpoint(tensors: tensors, state: state)
  }

  /// Puts `checkpoint`'s state into the model, the step's optimizer, noise source, adaptive
  /// clipping and canaries, and `loop`; throws `TrainerCheckpoint.Mismatch` when it does not fit
  /// this trainer (another model, optimizer, noise kind or setting). Checked before anything changes.
  func restore(_ checkpoint: TrainerCheckpoint, into loop: inout TrainingLoop) throws(TrainerCheckpoint.Mismatch) {
    let state = checkpoint.state
    try checkFits(state)
    let named = step.model.namedParameters
    let values = try savedTensors("model.", of: checkpoint)
    let optimizerStates = try zip(named, state.optimizerSteps).map {
      named, steps throws(TrainerCheckpoint.Mismatch) -> OptimizerParameterState? in
      guard let steps else { return nil }
      let shape = named.parameter.value.shape
      let first = try checkpoint.tensor("optimizer.\(named.name).first", shape: shape).scalars
      let hasSecond = checkpoint.tensors["optimizer.\(named.name).second"] != nil
      let second = hasSecond ? try checkpoint.tensor("optimizer.\(named.name).second", shape: shape).scalars : []
      return OptimizerParameterState(first: first, second: second, step: steps)
    }
    let averages = loop.average == nil ? nil : try savedTensors("average.", of: checkpoint)
    let keepsBest = checkpoint.tensors["best." + (named.first?.name ?? "")] != nil
    let best = keepsBest ? try savedTensors("best.", of: checkpoint) : nil
    for (parameter, value) in zip(named.map(\.parameter), values) { parameter.value = value }
    step.optimizer.restoreState(optimizerStates, of: named.map(\.parameter))
    if let averages, let updates = state.averageUpdates { loop.average?.restore(averages: averages, updates: updates) }
    if let stopping = state.earlyStopping { loop.stopping?.restore(stopping, bestParameters: best) }
    restoreStepState(state)
    loop.batches.restoreGenerators(order: state.dataOrder, augmentation: state.augmentation)
    loop.dropout = state.dropout
    loop.meter.trainingSeconds = state.trainingSeconds
    loop.history = TrainingHistory(
      epochs: state.epochs, finalEpoch: state.finalEpoch, stoppedEarly: state.stoppedEarly, seconds: state.seconds)
    loop.completedEpochs = state.epoch
    loop.ended = state.trainingEnded
  }

  /// The checkpoint's tensors `prefix + P` for every parameter path P, in parameter order, each
  /// checked to have its parameter's shape.
  private func savedTensors(_ prefix: String, of checkpoint: TrainerCheckpoint) throws(TrainerCheckpoint.Mismatch)
    -> [Tensor]
  {
    try step.model.namedParameters.map { name, parameter throws(TrainerCheckpoint.Mismatch) in
      try checkpoint.tensor(prefix + name, shape: parameter.value.shape)
    }
  }

  /// Throws when the checkpoint's settings differ from this trainer's: the epochs done, the
  /// optimizer's parameter count, the weight average, early stopping, adaptive clipping,
  /// canaries and the noise source's kind must all match.
  private func checkFits(_ state: TrainerCheckpoint.State) throws(TrainerCheckpoint.Mismatch) {
    func fail(_ what: String) -> TrainerCheckpoint.Mismatch {
      TrainerCheckpoint.Mismatch(description: "checkpoint: \(what) differs from the run resuming from it")
    }
    guard state.epoch >= 1, state.epoch <= configuration.epochs, state.epochs.count <= state.epoch else {
      throw fail("the epoch \(state.epoch) of \(configuration.epochs)")
    }
    guard state.optimizerSteps.count == step.model.parameters.count else { throw fail("the parameter count") }
    guard (state.averageUpdates != nil) == (configuration.weightAverageDecay != nil) else { throw fail("the weight average") }
    guard (state.earlyStopping != nil) == (configuration.earlyStopping != nil) else { throw fail("early stopping") }
    guard (state.adaptiveClipping != nil) == (step.adaptiveClipping != nil) else { throw fail("adaptive clipping") }
    guard state.canaries?.scores.count == step.canaries?.savedState.scores.count else { throw fail("the canaries") }
    guard state.noiseKind == step.noise?.kind.rawValue, (state.noise != nil) == (step.noise?.kind == .seeded) else {
      throw fail("the noise source")
    }
  }

  /// Restores the step's own state: adaptive clipping's norm, the canaries' running scores and a
  /// seeded noise source's streams (a secure source keeps its fresh keys: noise is never replayed).
  private func restoreStepState(_ state: TrainerCheckpoint.State) {
    if let adaptive = state.adaptiveClipping { step.adaptiveClipping?.restore(adaptive) }
    if let canaries = state.canaries { step.canaries?.restore(canaries) }
    if let noise = state.noise, step.noise?.kind == .seeded { step.noise?.restore(noise) }
  }
}
