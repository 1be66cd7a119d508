import TacitData
import TacitNN
import TacitTensor

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
  /// Every epoch: its steps (`runEpoch`), then the end-of-epoch evaluation on the weight average
  /// when there is one (`epochMetrics`), then early stopping's record; at the end, the best
  /// epoch's parameters are restored when early stopping asks for it. A step whose loss is not
  /// finite ends training at once, and so does an epoch that ends with a non-finite model (a
  /// parameter NaN or ±∞ in the iterate or the weight average, or outputs that overflow on one
  /// batch, `nonFiniteModel`); either is recorded in `TrainingHistory.divergence`.
  ///
  /// - Parameters:
  ///   - generator: draws the data order (split "data-order"), dropout masks (split "dropout") and
  ///     augmentations (split "augmentation").
  ///   - progress: called after every step.
  ///   - epochCompleted: called with each epoch's metrics as soon as they are known.
  public func train(
    on train: LabeledDataset, validation: LabeledDataset?, generator: SeededGenerator,
    progress: (TrainingProgress) -> Void = { _ in }, epochCompleted: (EpochMetrics) -> Void = { _ in }
  ) -> TrainingHistory {
    do {
      return try self.train(
        on: train, validation: validation, generator: generator, checkpoints: nil, progress: progress,
        epochCompleted: epochCompleted)
    } catch {
      preconditionFailure("training without checkpoints throws nothing, got \(error)")
    }
  }

  /// `train(on:validation:generator:progress:epochCompleted:)` with checkpoints: resumes from
  /// `checkpoints.resumeFrom` when given (restoring every state the epochs carry, `Trainer+Checkpoint.swift`,
  /// and continuing with the next epoch), announces every epoch before its first step and hands
  /// over a checkpoint after its end. Throws what those calls throw, and `TrainerCheckpoint.Mismatch`
  /// for a checkpoint of another model or setting.
  public func train(
    on train: LabeledDataset, validation: LabeledDataset?, generator: SeededGenerator, checkpoints: TrainerCheckpoints?,
    progress: (TrainingProgress) -> Void = { _ in }, epochCompleted: (EpochMetrics) -> Void = { _ in }
  ) throws -> TrainingHistory {
    if case .privateSum = step.gradientMode {
      precondition(
        configuration.sampling == .poisson,
        "DP-SGD needs Poisson sampling: its accountant's guarantee does not cover shuffled batches")
    }
    var loop = TrainingLoop(trainer: self, dataset: train, generator: generator)
    if let saved = checkpoints?.resumeFrom { try restore(saved, into: &loop) }
    let start = Clock.seconds() - loop.history.seconds
    while !loop.ended && loop.completedEpochs < configuration.epochs {
      let epoch = loop.completedEpochs + 1
      try checkpoints?.epochStarting(epoch)
      let running = runEpoch(
        epoch, batches: &loop.batches, dropout: &loop.dropout, meter: &loop.meter, average: loop.average,
        progress: progress)
      if let divergence = running.divergence
        ?? nonFiniteModel(epoch: epoch, running: running, average: loop.average, train: train)
      {
        loop.history.divergence = divergence
        loop.history.finalEpoch = epoch
        break
      }
      endEpoch(epoch, running: running, loop: &loop, train: train, validation: validation, epochCompleted: epochCompleted)
      loop.history.seconds = Clock.seconds() - start
      try checkpoints?.epochEnded(checkpoint(of: loop))
    }
    if let finalEpoch = loop.stopping?.restoreBest(into: step.model, finalEpoch: loop.history.finalEpoch) {
      loop.history.finalEpoch = finalEpoch
    }
    loop.history.seconds = Clock.seconds() - start
    return loop.history
  }

  /// The end of a completed epoch: the evaluations and early stopping see the averaged
  /// parameters (swapped back in to continue training from the iterate, unless training ends
  /// here), the metrics join the history.
  private func endEpoch(
    _ epoch: Int, running: EpochRun, loop: inout TrainingLoop, train: LabeledDataset, validation: LabeledDataset?,
    epochCompleted: (EpochMetrics) -> Void
  ) {
    loop.average?.swap(with: step.model.parameters)
    let metrics = epochMetrics(epoch: epoch, running: running, train: train, validation: validation)
    loop.history.epochs.append(metrics)
    loop.history.finalEpoch = epoch
    loop.completedEpochs = epoch
    epochCompleted(metrics)
    if loop.stopping?.record(metrics, model: step.model) == true {
      loop.history.stoppedEarly = epoch < configuration.epochs
      loop.ended = true
    } else if epoch < configuration.epochs {
      loop.average?.swap(with: step.model.parameters)
    } else {
      loop.ended = true
    }
  }

  /// The running totals of one epoch's steps.
  struct EpochRun {
    var lossSum = 0.0
    /// `nil` once a step's objective reports no correct count.
    var correct: Int? = 0
    var examples = 0
    /// Steps run (all of the epoch's unless one diverged).
    var steps = 0
    /// The learning rate of the epoch's last step.
    var learningRate: Float = 0
    var seconds = 0.0
    /// Set when a step's loss was not finite; the epoch stopped there.
    var divergence: TrainingDivergence?
  }

  /// The divergence of an epoch whose every loss was finite but which left the model non-finite,
  /// or `nil`: a parameter NaN or ±∞ (in the iterate, then in the weight average, which is what
  /// evaluations see and the model ends with), or finite parameters so large that the evaluated
  /// model's outputs overflow (checked on the first batch of training records).
  ///
  /// Cost per epoch: one read of the parameters (two with an average) and one inference pass
  /// over `batchSize` records, next to the epoch's ⌈N / batchSize⌉ training steps. It reads and
  /// draws nothing that training uses: it changes no result of a finite run.
  private func nonFiniteModel(
    epoch: Int, running: EpochRun, average: WeightAverage?, train: LabeledDataset
  ) -> TrainingDivergence? {
    let parameterSymptom = {
      step.model.firstNonFiniteParameter().map {
        TrainingDivergence.Symptom.nonFiniteParameter(name: $0.name, element: $0.element, value: $0.value)
      }
    }
    var symptom = parameterSymptom()
    if symptom == nil {
      average?.swap(with: step.model.parameters)
      symptom = parameterSymptom()
      if symptom == nil {
        let probe = train.subset(indices: Array(0..<min(train.count, configuration.batchSize)))
        let loss = Evaluation.evaluate(step.model, on: probe, metric: configuration.evaluation).loss
        if probe.count > 0 && !loss.isFinite { symptom = .nonFiniteOutputs(records: probe.count, loss: loss) }
      }
      average?.swap(with: step.model.parameters)
    }
    return symptom.map {
      TrainingDivergence(epoch: epoch, step: running.steps, symptom: $0, learningRate: Double(running.learningRate))
    }
  }

  /// The steps of epoch `epoch`: draw a batch, run the step, fold the parameters into the
  /// weight average, report progress; stops at the first step whose loss is not finite.
  private func runEpoch(
    _ epoch: Int, batches: inout TrainingBatches, dropout: inout SeededGenerator, meter: inout ProgressMeter,
    average: WeightAverage?, progress: (TrainingProgress) -> Void
  ) -> EpochRun {
    batches.startEpoch()
    let epochStart = Clock.seconds()
    var run = EpochRun()
    for stepIndex in 0..<meter.stepsPerEpoch {
      let batch = batches.batch(step: stepIndex)
      run.examples += batch.records
      run.steps += 1
      run.learningRate = configuration.schedule.learningRate(
        step: (epoch - 1) * meter.stepsPerEpoch + stepIndex, stepsPerEpoch: meter.stepsPerEpoch,
        totalEpochs: configuration.epochs)
      let result = step.run(
        parts: batch.parts, canaryRecords: batch.canaries, learningRate: run.learningRate, generator: &dropout)
      // One comparison per step, after the step: it changes no result of a finite run.
      guard result.lossSum.isFinite else {
        run.divergence = TrainingDivergence(
          epoch: epoch, step: stepIndex + 1, lossSum: result.lossSum, learningRate: Double(run.learningRate))
        break
      }
      run.lossSum += result.lossSum
      run.correct = run.correct.flatMap { total in result.correct.map { total + $0 } }
      average?.update(step.model.parameters)
      progress(meter.progress(epoch: epoch, examplesThisEpoch: run.examples, epochStart: epochStart))
    }
    step.model.releaseCaches()
    run.seconds = Clock.seconds() - epochStart
    meter.trainingSeconds += run.seconds
    return run
  }

  /// The epoch's metrics: the running loss and accuracy of its steps, the evaluations on the
  /// training records (when configured) and the validation records (when there are any) with
  /// the configuration's hard-label loss, and adaptive clipping's norm.
  private func epochMetrics(
    epoch: Int, running: EpochRun, train: LabeledDataset, validation: LabeledDataset?
  ) -> EpochMetrics {
    let examples = Double(max(running.examples, 1))
    let metric = configuration.evaluation
    var metrics = EpochMetrics(
      epoch: epoch, runningLoss: running.lossSum / examples,
      runningAccuracy: running.correct.map { Double($0) / examples } ?? .nan,
      train: configuration.evaluateTrain ? Evaluation.evaluate(step.model, on: train, metric: metric) : nil,
      validation: nil, learningRate: Double(running.learningRate), seconds: running.seconds)
    metrics.clipNorm = step.adaptiveClipping?.clipNorm
    if let validation, validation.labels.count > 0 {
      metrics.validation = Evaluation.evaluate(step.model, on: validation, metric: metric)
    }
    if let monitor = configuration.monitor, monitor.count > 0 {
      metrics.test = Evaluation.evaluate(step.model, on: monitor, metric: metric)
    }
    return metrics
  }
}
