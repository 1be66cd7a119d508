import TacitData
import TacitNN
import TacitTensor
import TacitTraining
import Testing

func blobs(samples: Int, seed: UInt64, separation: Float = 4) -> LabeledDataset {
  var generator = SeededGenerator(seed: seed)
  return SyntheticBlobs.make(classes: 3, features: 5, samples: samples, separation: separation, generator: &generator)
}

func trainer(model: Sequential, epochs: Int, earlyStopping: EarlyStopping? = nil, learningRate: Float = 0.1) -> Trainer {
  let step = TrainingStep(
    model: model, optimizer: SGD(momentum: 0.9, nesterov: false), objective: SoftmaxCrossEntropy(),
    regularization: Regularization(l1: 0, l2: 0), gradientMode: .mean)
  return Trainer(
    step: step,
    configuration: TrainerConfiguration(
      epochs: epochs, batchSize: 32, schedule: LearningRateSchedule(baseRate: learningRate), earlyStopping: earlyStopping,
      evaluateTrain: true))
}

@Suite struct TrainerTests {
  @Test func learnsSeparableBlobs() throws {
    let train = blobs(samples: 600, seed: 1)
    let test = blobs(samples: 300, seed: 1).subset(indices: Array(0..<300))
    let model = try makeModel(inputs: 5, classes: 3)
    let history = trainer(model: model, epochs: 5).train(on: train, validation: nil, generator: SeededGenerator(seed: 4))
    #expect(history.epochs.count == 5)
    let evaluation = Evaluation.evaluate(model, on: test)
    #expect(evaluation.accuracy > 0.95, "accuracy \(evaluation.accuracy) on blobs at separation 4")
    #expect(history.epochs.last!.runningLoss < history.epochs.first!.runningLoss)
  }

  /// Issue 12: a learning rate Float can hold but training cannot survive (1e38) made the
  /// parameters overflow; the run trained on with NaN and failed later, far from the cause. The
  /// trainer now stops at the first step whose loss is not finite and says where.
  @Test func stopsAtTheFirstNonFiniteLoss() throws {
    let train = blobs(samples: 200, seed: 2)
    let model = try makeModel(inputs: 5, classes: 3)
    let history = trainer(model: model, epochs: 3, learningRate: 1e38)
      .train(on: train, validation: nil, generator: SeededGenerator(seed: 8))
    let divergence = try #require(history.divergence, "a learning rate of 1e38 must overflow")
    #expect(divergence.epoch == 1)
    #expect(divergence.step >= 2, "the first step's loss is computed before any update")
    let lossSum = try #require(divergence.lossSum, "the loss is what became non-finite")
    #expect(!lossSum.isFinite)
    #expect(divergence.learningRate == Double(Float(1e38)))
    #expect(history.epochs.isEmpty, "no epoch completes: training stopped at once")
    #expect(history.finalEpoch == 1)
    // A normal run reports no divergence.
    let normal = trainer(model: try makeModel(inputs: 5, classes: 3), epochs: 1)
      .train(on: train, validation: nil, generator: SeededGenerator(seed: 8))
    #expect(normal.divergence == nil)
  }

  /// Issue 12: a step's loss is computed before its update, so parameters that overflow in an
  /// epoch's last step (or that no loss sees) escaped the loss check and the run wrote a NaN
  /// model. The trainer checks the parameters after every epoch. Here the loss is always 0 while
  /// its gradient (1e30) overflows the first update: every loss is finite, the parameters are not.
  @Test(arguments: [nil, 0.9]) func stopsWhenAnEpochEndsWithNonFiniteParameters(averageDecay: Double?) throws {
    let train = blobs(samples: 40, seed: 2)
    let model = try makeModel(inputs: 5, classes: 3)
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: FiniteLossOverflowingGradient(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: .mean)
    let configuration = TrainerConfiguration(
      epochs: 3, batchSize: 16, schedule: LearningRateSchedule(baseRate: 1e10), earlyStopping: nil,
      evaluateTrain: false, weightAverageDecay: averageDecay)
    let history = Trainer(step: step, configuration: configuration)
      .train(on: train, validation: nil, generator: SeededGenerator(seed: 8))
    let divergence = try #require(history.divergence, "an update of 1e40 must overflow Float")
    #expect(divergence.epoch == 1 && divergence.step == 3, "the epoch's 3 steps ran, then the check")
    #expect(divergence.lossSum == nil)
    guard case .nonFiniteParameter(let name, let element, let value) = divergence.symptom else {
      Issue.record("expected a non-finite parameter, got \(divergence.symptom)")
      return
    }
    #expect(name.hasPrefix("layers.") && element >= 0 && !value.isFinite, "\(name)[\(element)] = \(value)")
    #expect(history.epochs.isEmpty && history.finalEpoch == 1)
  }

  @Test func sameSeedSameParameters() throws {
    let train = blobs(samples: 200, seed: 2)
    var results: [[Tensor]] = []
    for _ in 0..<2 {
      let model = try makeModel(inputs: 5, classes: 3)
      _ = trainer(model: model, epochs: 2).train(on: train, validation: nil, generator: SeededGenerator(seed: 8))
      results.append(model.parameters.map(\.value))
    }
    #expect(results[0] == results[1])
    let other = try makeModel(inputs: 5, classes: 3)
    _ = trainer(model: other, epochs: 2).train(on: train, validation: nil, generator: SeededGenerator(seed: 9))
    #expect(other.parameters.map(\.value) != results[0], "a different seed must change the data order")
  }

  @Test func earlyStoppingRestoresTheBestEpoch() throws {
    // Noisy, overlapping blobs and a large learning rate: validation loss stops improving early.
    let train = blobs(samples: 60, seed: 3, separation: 0.5)
    let validation = blobs(samples: 200, seed: 4, separation: 0.5)
    let model = try makeModel(inputs: 5, classes: 3)
    let rule = EarlyStopping(monitor: .validationLoss, patience: 2, minimumDelta: 0, restoreBest: true)
    let history = trainer(model: model, epochs: 40, earlyStopping: rule, learningRate: 0.5)
      .train(on: train, validation: validation, generator: SeededGenerator(seed: 5))
    let best = history.epochs.min { $0.validation!.loss < $1.validation!.loss }!
    #expect(history.finalEpoch == best.epoch)
    let now = Evaluation.evaluate(model, on: validation)
    #expect(abs(now.loss - best.validation!.loss) < 1e-9, "restored model loss \(now.loss) vs best \(best.validation!.loss)")
    if history.stoppedEarly {
      #expect(history.epochs.count == best.epoch + 2)
    }
  }
}

@Suite struct EarlyStoppingTrackerTests {
  @Test func patienceCountsEpochsWithoutImprovement() {
    var tracker = EarlyStopping.Tracker(
      rule: EarlyStopping(monitor: .validationLoss, patience: 2, minimumDelta: 0.1, restoreBest: true))
    let improved1 = tracker.record(1.0, epoch: 1)
    #expect(improved1)
    let improved2 = tracker.record(0.95, epoch: 2)
    #expect(!improved2)  // better, but not by more than min_delta
    #expect(!tracker.shouldStop)
    let improved3 = tracker.record(0.99, epoch: 3)
    #expect(!improved3)
    #expect(tracker.shouldStop)
    #expect(tracker.bestEpoch == 1 && tracker.bestValue == 1.0)
  }

  @Test func accuracyIsMaximised() {
    var tracker = EarlyStopping.Tracker(
      rule: EarlyStopping(monitor: .validationAccuracy, patience: 1, minimumDelta: 0, restoreBest: false))
    let improved4 = tracker.record(0.5, epoch: 1)
    #expect(improved4)
    let improved5 = tracker.record(0.6, epoch: 2)
    #expect(improved5)
    let improved6 = tracker.record(0.55, epoch: 3)
    #expect(!improved6)
    #expect(tracker.shouldStop && tracker.bestEpoch == 2)
  }
}

/// A training objective whose loss is always 0 (finite) and whose logit gradient is 1e30 per
/// element: the loss never sees the parameters, and any update with a learning rate ≥ 1e9
/// overflows Float. Shapes: logits `[B, K]`.
struct FiniteLossOverflowingGradient: TrainingObjective {
  func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    ObjectiveResult(
      losses: [Float](repeating: 0, count: logits.shape[0]),
      logitGradient: Tensor(shape: logits.shape, scalars: [Float](repeating: 1e30, count: logits.count)), correct: nil)
  }
}
