import TacitData
import TacitNN
import TacitPrivacy
import TacitTensor
import TacitTraining
import Testing

/// Resuming `Trainer.train` from an end-of-epoch checkpoint: with seeded randomness the resumed
/// run ends bit for bit where the uninterrupted one does, with every kind of state a run carries
/// (Adam's moments, the weight average, early stopping's kept parameters, adaptive clipping's
/// norm, the gradient canaries' scores, the dropout, data-order, augmentation, sampling and noise
/// streams).
@Suite struct TrainerCheckpointTests {
  static let epochs = 4

  /// A fresh DP-SGD trainer with everything that carries state, seeded by `seed`.
  func privateTrainer(seed: UInt64 = 5, weightAverage: Double? = 0.9) throws -> Trainer {
    var generator = SeededGenerator(seed: 3)
    let model = try Sequential(
      [
        Dense(inputCount: 5, outputCount: 8, generator: &generator), Activation(.tanh), Dropout(rate: 0.2),
        Dense(inputCount: 8, outputCount: 3, generator: &generator),
      ], inputShape: [5])
    let settings = DPSGDSettings(
      maxGradNorm: 1, noiseMultiplier: 0.8, expectedBatchSize: 20,
      adaptiveClipping: AdaptiveClippingSettings(targetQuantile: 0.5, learningRate: 0.2, countNoise: 2))
    let canaries = GradientCanaries(
      count: 10, parameterCounts: model.parameters.map(\.value.count), sampleRate: 20.0 / 300,
      generator: SeededGenerator(seed: seed))
    let step = TrainingStep(
      model: model, optimizer: Adam(), objective: SoftmaxCrossEntropy(), regularization: Regularization(l1: 0, l2: 0),
      gradientMode: .privateSum(settings), noise: .seeded(SeededGenerator(seed: seed)), canaries: canaries)
    let configuration = TrainerConfiguration(
      epochs: Self.epochs, batchSize: 20, sampling: .poisson, schedule: LearningRateSchedule(baseRate: 0.05),
      earlyStopping: EarlyStopping(monitor: .validationLoss, patience: 10, minimumDelta: 0, restoreBest: true),
      evaluateTrain: false, weightAverageDecay: weightAverage,
      augmentation: Augmentation(imageShape: [1, 1, 5], noiseStandardDeviation: 0.1))
    return Trainer(step: step, configuration: configuration)
  }

  /// Trains `trainer`, resuming from `checkpoint` when given; returns the history and every
  /// checkpoint handed over.
  func run(_ trainer: Trainer, resumingFrom checkpoint: TrainerCheckpoint? = nil) throws
    -> (history: TrainingHistory, checkpoints: [TrainerCheckpoint], started: [Int])
  {
    var checkpoints: [TrainerCheckpoint] = []
    var started: [Int] = []
    let hooks = TrainerCheckpoints(
      resumeFrom: checkpoint, epochStarting: { started.append($0) }, epochEnded: { checkpoints.append($0) })
    let history = try trainer.train(
      on: blobs(samples: 300, seed: 1), validation: blobs(samples: 60, seed: 2), generator: SeededGenerator(seed: 9),
      checkpoints: hooks)
    return (history, checkpoints, started)
  }

  @Test(arguments: 1...3) func resumedRunEndsBitForBitWhereTheUninterruptedOneDoes(after epoch: Int) throws {
    let reference = try privateTrainer()
    let uninterrupted = try run(reference)
    #expect(uninterrupted.checkpoints.count == Self.epochs)
    #expect(uninterrupted.started == Array(1...Self.epochs))

    // A new process: everything built afresh from the seed, then the checkpoint of `epoch`.
    let resumedTrainer = try privateTrainer()
    let resumed = try run(resumedTrainer, resumingFrom: uninterrupted.checkpoints[epoch - 1])
    #expect(resumed.started == Array((epoch + 1)...Self.epochs), "continues with the next epoch")
    for (original, again) in zip(reference.step.model.parameters, resumedTrainer.step.model.parameters) {
      #expect(original.value.scalars == again.value.scalars, "parameter \(original.name) after resuming at epoch \(epoch)")
    }
    #expect(resumed.history.epochs.map(\.runningLoss) == uninterrupted.history.epochs.map(\.runningLoss))
    #expect(resumed.history.epochs.map(\.validation) == uninterrupted.history.epochs.map(\.validation))
    #expect(resumed.history.finalEpoch == uninterrupted.history.finalEpoch)
    #expect(resumedTrainer.step.canaries?.savedState == reference.step.canaries?.savedState)
    #expect(resumedTrainer.step.adaptiveClipping?.savedState == reference.step.adaptiveClipping?.savedState)
  }

  @Test func checkpointOfTheLastEpochRunsNoFurtherEpoch() throws {
    let reference = try privateTrainer()
    let uninterrupted = try run(reference)
    let resumedTrainer = try privateTrainer()
    let resumed = try run(resumedTrainer, resumingFrom: uninterrupted.checkpoints.last)
    #expect(resumed.started.isEmpty)
    #expect(resumed.checkpoints.isEmpty)
    for (original, again) in zip(reference.step.model.parameters, resumedTrainer.step.model.parameters) {
      #expect(original.value.scalars == again.value.scalars, "parameter \(original.name)")
    }
  }

  @Test func checkpointOfAnotherSettingIsRefused() throws {
    let withAverage = try run(try privateTrainer()).checkpoints[0]
    #expect(throws: TrainerCheckpoint.Mismatch.self) {
      try run(try privateTrainer(weightAverage: nil), resumingFrom: withAverage)
    }
  }

  /// The noise source's state is saved before the vector its prefetcher drew ahead: restored,
  /// a source hands out exactly the vectors and batches the saved one would have.
  @Test func seededNoiseSourceRestoresItsStreams() {
    let sampler = PoissonSampler(recordCount: 100, sampleRate: 0.1)
    let source = NoiseSource.seeded(SeededGenerator(seed: 4))
    for _ in 0..<3 {
      _ = source.standardNormals(count: 7)
      _ = source.sample(sampler)
    }
    let state = try! #require(source.seededState)
    let expected = (0..<3).map { _ in (source.standardNormals(count: 7), source.sample(sampler)) }
    let restored = NoiseSource.seeded(SeededGenerator(seed: 99))
    _ = restored.standardNormals(count: 7)
    restored.restore(state)
    for (vector, batch) in expected {
      #expect(restored.standardNormals(count: 7) == vector)
      #expect(restored.sample(sampler) == batch)
    }
    #expect(NoiseSource.secure().seededState == nil, "a secure source has nothing to replay")
  }
}
