import TacitData
import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// Cross-entropy scaled by a constant: a custom objective plugged into the step.
struct ScaledCrossEntropy: TrainingObjective {
  let scale: Float
  /// Whether to report a correct count (an objective may have none).
  var reportsAccuracy = true

  func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    var result = SoftmaxCrossEntropy().lossesAndGradient(logits: logits, inputs: inputs, labels: labels)
    result.losses = result.losses.map { $0 * scale }
    result.logitGradient.scalars = result.logitGradient.scalars.map { $0 * scale }
    if !reportsAccuracy { result.correct = nil }
    return result
  }
}

/// Cross-entropy that records the batch sizes it sees.
final class RecordingObjective: TrainingObjective {
  private(set) var batchSizes: [Int] = []

  func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    batchSizes.append(labels.count)
    return SoftmaxCrossEntropy().lossesAndGradient(logits: logits, inputs: inputs, labels: labels)
  }
}

/// An objective that takes its targets from the inputs, as next-token prediction does: each
/// example's class is the index of its largest input among the first K = 4 features.
struct TargetsFromInputs: TrainingObjective {
  static func targets(_ inputs: Tensor) -> [Int32] {
    let features = inputs.shape[1]
    return (0..<inputs.batchSize).map { b in
      let row = Array(inputs.scalars[(b * features)..<(b * features + 4)])
      return Int32(row.firstIndex(of: row.max()!)!)
    }
  }

  func lossesAndGradient(logits: Tensor, inputs: Tensor, labels: [Int32]) -> ObjectiveResult {
    precondition(labels.isEmpty, "the targets come from the inputs")
    return SoftmaxCrossEntropy().lossesAndGradient(logits: logits, inputs: inputs, labels: Self.targets(inputs))
  }
}

@Suite struct TrainingObjectiveTests {
  /// A step may run without labels when its objective needs none: the same update as
  /// cross-entropy given those targets as labels.
  @Test func objectiveWithoutLabelsTakesTargetsFromTheInputs() throws {
    let (inputs, _) = randomBatch(8)
    var updates: [[Float]] = []
    for (objective, labels): (any TrainingObjective, [Int32]) in [
      (TargetsFromInputs(), []), (SoftmaxCrossEntropy(), TargetsFromInputs.targets(inputs)),
    ] {
      let model = try makeModel()
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: objective,
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .clippedMean(maxGradNorm: 0.1))
      var generator = SeededGenerator(seed: 1)
      let result = step.run(inputs: inputs, labels: labels, learningRate: 1, generator: &generator)
      #expect(result.count == 8)
      updates.append(model.parameters.flatMap(\.gradient.scalars))
    }
    #expect(updates[0] == updates[1] && updates[0].contains { $0 != 0 })
  }

  /// The cross-entropy objective is `SoftmaxCrossEntropy.lossesAndGradient` plus the argmax count.
  @Test func crossEntropyObjectiveIsTheLossWithItsArgmaxCount() {
    let (inputs, labels) = randomBatch(8)
    var generator = SeededGenerator(seed: 5)
    let logits = Tensor(shape: [8, 4], scalars: Random.normal(count: 32, using: &generator))
    let loss = SoftmaxCrossEntropy(labelSmoothing: 0.1)
    let result = loss.lossesAndGradient(logits: logits, inputs: inputs, labels: labels)
    let (losses, gradient) = loss.lossesAndGradient(logits: logits, labels: labels)
    #expect(result.losses == losses && result.logitGradient == gradient)
    var correct = 0
    for b in 0..<8 {
      let row = Array(logits.scalars[(4 * b)..<(4 * b + 4)])
      if row.firstIndex(of: row.max()!) == Int(labels[b]) { correct += 1 }
    }
    #expect(result.correct == correct)
  }

  /// A custom objective plugs in: twice the cross-entropy doubles the step's gradient exactly
  /// (scaling by 2 commutes with rounding), and the step reports its losses and correct count.
  @Test func customObjectiveDrivesTheStep() throws {
    let (inputs, labels) = randomBatch(9)
    func update(_ objective: any TrainingObjective) throws -> (update: [Float], result: StepResult) {
      let model = try makeModel()
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: objective,
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .mean)
      var generator = SeededGenerator(seed: 1)
      let result = step.run(inputs: inputs, labels: labels, learningRate: 1, generator: &generator)
      return (model.parameters.flatMap(\.gradient.scalars), result)
    }
    let plain = try update(SoftmaxCrossEntropy())
    let doubled = try update(ScaledCrossEntropy(scale: 2))
    #expect(doubled.update == plain.update.map { 2 * $0 })
    #expect(doubled.result.lossSum == 2 * plain.result.lossSum && doubled.result.correct == plain.result.correct)
    let withoutAccuracy = try update(ScaledCrossEntropy(scale: 1, reportsAccuracy: false))
    #expect(withoutAccuracy.result.correct == nil && withoutAccuracy.update == plain.update)
  }

  /// An objective without a correct count gives a NaN running accuracy and the same training.
  @Test func trainerReportsNoAccuracyForAnObjectiveWithout() throws {
    let train = blobs(samples: 120, seed: 6)
    var histories: [TrainingHistory] = []
    var parameters: [[Tensor]] = []
    for objective: any TrainingObjective in [SoftmaxCrossEntropy(), ScaledCrossEntropy(scale: 1, reportsAccuracy: false)] {
      let model = try makeModel(inputs: 5, classes: 3)
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0.9, nesterov: false), objective: objective,
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .mean)
      let configuration = TrainerConfiguration(
        epochs: 2, batchSize: 16, schedule: LearningRateSchedule(baseRate: 0.1), earlyStopping: nil, evaluateTrain: true)
      histories.append(
        Trainer(step: step, configuration: configuration).train(on: train, validation: nil, generator: SeededGenerator(seed: 3)))
      parameters.append(model.parameters.map(\.value))
    }
    #expect(parameters[0] == parameters[1])
    #expect(histories[0].epochs.allSatisfy { $0.runningAccuracy > 0 })
    #expect(histories[1].epochs.allSatisfy { $0.runningAccuracy.isNaN })
    #expect(histories[0].epochs.map(\.runningLoss) == histories[1].epochs.map(\.runningLoss))
    // The evaluations use the configuration's hard-label loss, whatever the objective.
    #expect(histories[0].epochs.map(\.train) == histories[1].epochs.map(\.train))
  }
}
