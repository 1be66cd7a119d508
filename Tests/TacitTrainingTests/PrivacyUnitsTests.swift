import Foundation
import TacitData
import TacitNN
import TacitTensor
import Testing

@testable import TacitTraining

/// DP-SGD with privacy units larger than a record (`PrivacyUnits`, `UnitRows`): each unit's
/// records are clipped as one against the batch-of-one oracle, a unit of k copies trains like
/// one copy, singleton units are record-level DP-SGD, the sampler draws units, and gradient
/// canaries see the whole data sum of a step in several parts.
@Suite struct PrivacyUnitsTests {
  typealias Windows = TokenWindowsTests
  static let context = Windows.context

  /// Records of 20, 7 and 13 tokens (3, 1 and 2 windows of 8) and three copies of a 5-token one.
  static func records() -> [[Int]] {
    let short = [3, 1, 4, 1, 5]
    return Windows.records() + [short, short, short]
  }

  /// Units {0, 1} (4 rows), {2} (2 rows) and the three copies {3, 4, 5} (3 rows).
  static let units = PrivacyUnits([[0, 1], [2], [3, 4, 5]], recordCount: 6)

  static func features(_ records: [[Int]]) -> Tensor { TokenWindows.tensor(records, length: context, count: 3) }

  /// `UnitRows.parts` with the features' window counts, as `TrainingBatches` passes them.
  static func parts(of units: [[Int]], features: Tensor) -> [StepPart] {
    UnitRows.parts(of: units, features: features, windowCounts: TokenWindows.windowCounts(features))
  }

  /// One step (SGD, learning rate 1) on `parts`: the applied update and the result.
  static func step(
    _ model: Sequential, parts: [StepPart], settings: DPSGDSettings, canaries: GradientCanaries? = nil,
    canaryRecords: [Int] = []
  ) -> (update: [Double], result: StepResult) {
    let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: NextTokenCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: 2)), canaries: canaries)
    var generator = SeededGenerator(seed: 1)
    let result = step.run(parts: parts, canaryRecords: canaryRecords, learningRate: 1, generator: &generator)
    let after = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    return (zip(before, after).map { $0 - $1 }, result)
  }

  /// ∇L_u = Σ_{r ∈ u} (n_r/n_u) ∇L_r (n_r the record's predicted tokens) and L_u, from the
  /// batch-of-one oracle of each record's windows.
  static func unitGradient(_ unit: [Int], records: [[Int]]) throws -> (gradient: [Double], loss: Double) {
    let total = Double(unit.reduce(0) { $0 + records[$1].count - 1 })
    var gradient = [Double](repeating: 0, count: try Windows.makeModel().parameterCount)
    var loss = 0.0
    for record in unit {
      let share = Double(records[record].count - 1) / total
      let (recordGradient, recordLoss) = Windows.recordGradient(try Windows.makeModel(), records[record])
      for j in gradient.indices { gradient[j] += share * recordGradient[j] }
      loss += share * recordLoss
    }
    return (gradient, loss)
  }

  /// The parts: one per row count, ascending, every unit's rows consecutive and unpadded, the
  /// row weights summing to the unit's row count.
  @Test func partsGroupUnitsByRowCount() {
    let parts = PrivacyUnitsTests.parts(of: Self.units.records, features: Self.features(Self.records()))
    #expect(parts.map { $0.recordRows?.perRecord } == [2, 3, 4])
    #expect(parts.map { $0.inputs.batchSize } == [2, 3, 4])
    for part in parts {
      let weights = part.recordRows!.weights
      #expect(abs(weights.reduce(0, +) - Float(part.inputs.batchSize)) < 1e-5)
    }
    // The copies' unit: three identical rows of equal weight 1.
    #expect(parts[1].recordRows!.weights == [1, 1, 1])
    // Nothing drawn: one empty part.
    let empty = PrivacyUnitsTests.parts(of: [], features: Self.features(Self.records()))
    #expect(empty.count == 1 && empty[0].inputs.batchSize == 0)
  }

  /// DP-SGD over units adds Σ_u clip_C(∇L_u)/E: each unit's records clipped as one, equal to the
  /// batch-of-one oracle; the loss is Σ_u L_u, the count the units'.
  @Test func eachUnitIsClippedAsOne() throws {
    let records = Self.records()
    let maxGradNorm = 0.5
    var expected = [Double](repeating: 0, count: try Windows.makeModel().parameterCount)
    var lossSum = 0.0
    for unit in Self.units.records {
      let (gradient, loss) = try Self.unitGradient(unit, records: records)
      let size = norm(gradient[...])
      #expect(size > maxGradNorm, "clipping is active")
      for j in expected.indices { expected[j] += gradient[j] * min(1, maxGradNorm / size) / 3 }
      lossSum += loss
    }
    let settings = DPSGDSettings(maxGradNorm: Float(maxGradNorm), noiseMultiplier: 0, expectedBatchSize: 3)
    let parts = PrivacyUnitsTests.parts(of: Self.units.records, features: Self.features(records))
    let (update, result) = Self.step(try Windows.makeModel(), parts: parts, settings: settings)
    let error = zip(update, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(error < 1e-4 * (expected.map(abs).max() ?? 1), "max error \(error)")
    #expect(abs(result.lossSum - lossSum) < 1e-4 && result.count == 3 && result.clippedFraction == 1)
  }

  /// A unit of k copies of a record trains exactly like the record alone: the secret repeated k
  /// times in one user's records is inserted once, as far as DP-SGD is concerned.
  @Test func aUnitOfCopiesIsOneRecord() throws {
    let records = Self.records()
    let settings = DPSGDSettings(maxGradNorm: 0.5, noiseMultiplier: 0, expectedBatchSize: 1)
    let features = Self.features(records)
    let copies = Self.step(
      try Windows.makeModel(), parts: PrivacyUnitsTests.parts(of: [[3, 4, 5]], features: features), settings: settings)
    let once = Self.step(
      try Windows.makeModel(), parts: PrivacyUnitsTests.parts(of: [[3]], features: features), settings: settings)
    let error = zip(copies.update, once.update).map { abs($0 - $1) }.max() ?? 0
    #expect(error < 1e-6 * (once.update.map(abs).max() ?? 1), "max error \(error)")
    #expect(abs(norm(copies.update[...]) - 0.5) < 1e-4, "the unit's update has norm C/E")
    // Record-level, the three copies add three clipped gradients: three times as much.
    let recordLevel = Self.step(
      try Windows.makeModel(), parts: PrivacyUnitsTests.parts(of: [[3], [4], [5]], features: features), settings: settings)
    #expect(abs(norm(recordLevel.update[...]) - 1.5) < 1e-3)
  }

  /// Units of one record each are record-level DP-SGD: the same update as the one-part step.
  @Test func singletonUnitsAreRecordLevel() throws {
    let records = Self.records()
    let settings = DPSGDSettings(maxGradNorm: 0.5, noiseMultiplier: 1, expectedBatchSize: 6)
    let features = Self.features(records)
    let units = Self.step(
      try Windows.makeModel(), parts: PrivacyUnitsTests.parts(of: (0..<6).map { [$0] }, features: features), settings: settings)
    // The one-pass layout: every record padded to K = 3 rows, padding rows weighing 0.
    let rows = features.reshaped([6 * 3, Self.context])
    let grouping = RecordRows(perRecord: 3, weights: TokenWindows.rowWeights(rows: rows, perRecord: 3))
    let plain = Self.step(
      try Windows.makeModel(), parts: [StepPart(inputs: rows, labels: [], recordRows: grouping)], settings: settings)
    let error = zip(units.update, plain.update).map { abs($0 - $1) }.max() ?? 0
    #expect(error < 1e-5 * (plain.update.map(abs).max() ?? 1), "max error \(error)")
    #expect(abs(units.result.lossSum - plain.result.lossSum) < 1e-4 && units.result.count == 6)
  }

  /// With noise 0, an undrawn gradient canary observes exactly 0 and a drawn one exactly its
  /// unit, whichever part holds the data at its coordinate: the canary step comes after every
  /// part's data.
  @Test func canariesSeeTheWholeStep() throws {
    let model = try Windows.makeModel()
    let canaries = GradientCanaries(
      count: model.parameterCount, parameterCounts: model.parameters.map(\.value.count), sampleRate: 0.5,
      generator: SeededGenerator(seed: 9))
    let settings = DPSGDSettings(maxGradNorm: 0.5, noiseMultiplier: 0, expectedBatchSize: 3)
    let parts = PrivacyUnitsTests.parts(of: Self.units.records, features: Self.features(Self.records()))
    #expect(parts.count == 3)
    let drawn = Array(0..<min(2, canaries.includedCanaries.count))
    _ = Self.step(model, parts: parts, settings: settings, canaries: canaries, canaryRecords: drawn)
    let drawnCanaries = Set(canaries.canaries(ofRecords: drawn))
    for index in canaries.sums.indices {
      let expected = drawnCanaries.contains(index) ? 1.0 : 0.0
      #expect(abs(canaries.sums[index] - expected) < 1e-3, "canary \(index): \(canaries.sums[index])")
    }
    #expect(canaries.measurements.draws == drawn.count)
    #expect(canaries.measurements.eligibleDraws == canaries.includedCanaries.count, "one canary step per step")
  }

  /// The sampler draws units at q = E/U, every drawn unit with all its records' rows; an epoch
  /// is ⌈U/E⌉ steps.
  @Test func poissonSamplingDrawsUnits() throws {
    let records = Self.records()
    var configuration = TrainerConfiguration(
      epochs: 1, batchSize: 1, sampling: .poisson, schedule: LearningRateSchedule(baseRate: 0.1), earlyStopping: nil,
      evaluateTrain: false, evaluation: .nextToken(tokenByteLengths: [Int](repeating: 1, count: Windows.vocabulary)))
    configuration.units = Self.units
    let dataset = LabeledDataset(
      features: Self.features(records), labels: [Int32](repeating: 0, count: 6), classCount: 1, name: "text")
    let settings = DPSGDSettings(maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: 1)
    var batches = TrainingBatches(
      dataset: dataset, configuration: configuration, gradientMode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: 3)), generator: SeededGenerator(seed: 4))
    #expect(batches.sampler.recordCount == 3 && abs(batches.sampler.sampleRate - 1.0 / 3) < 1e-12)
    let trainer = Trainer(
      step: TrainingStep(
        model: try Windows.makeModel(), optimizer: SGD(momentum: 0, nesterov: false), objective: NextTokenCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings),
        noise: .seeded(SeededGenerator(seed: 2))),
      configuration: configuration)
    #expect(TrainingLoop(trainer: trainer, dataset: dataset, generator: SeededGenerator(seed: 4)).meter.stepsPerEpoch == 3)
    var drawn = 0
    for step in 0..<300 {
      let batch = batches.batch(step: step)
      let rows = batch.parts.reduce(0) { $0 + $1.inputs.batchSize }
      // Each drawn unit brings 2, 3 or 4 rows; the copies' unit is exactly three rows of one record.
      #expect(batch.records == 0 ? rows == 0 : rows >= 2 * batch.records && rows <= 4 * batch.records)
      drawn += batch.records
    }
    #expect(drawn > 240 && drawn < 360, "300 steps at q = 1/3 of 3 units draw about 300, got \(drawn)")
  }

  @Test func consecutiveUnits() {
    let units = PrivacyUnits.consecutive(sizes: [1, 1, 3, 2])
    #expect(units.records == [[0], [1], [2, 3, 4], [5, 6]] && units.count == 4)
  }
}

/// Windowed records trained in parts by window count (`TrainingBatches` gives every record its
/// own unit): the non-private step is still the mean over the step's records of ∇L_r, and the
/// clipped-mean step divides by the step's records, whatever the parts.
@Suite struct WindowedPartsTests {
  typealias Windows = TokenWindowsTests

  @Test func meanStepsCountTheWholeStep() throws {
    let records = Windows.records()
    let features = PrivacyUnitsTests.features(records)
    let parts = PrivacyUnitsTests.parts(of: [[0], [1], [2]], features: features)
    #expect(parts.count == 3, "3, 1 and 2 windows: three parts")
    var gradients: [[Double]] = []
    for record in records { gradients.append(Windows.recordGradient(try Windows.makeModel(), record).gradient) }
    for (mode, bound) in [(GradientMode.mean, Double.infinity), (.clippedMean(maxGradNorm: 0.5), 0.5)] {
      var expected = [Double](repeating: 0, count: gradients[0].count)
      for gradient in gradients {
        let factor = min(1, bound / norm(gradient[...]))
        for j in expected.indices { expected[j] += factor * gradient[j] / 3 }
      }
      let model = try Windows.makeModel()
      let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: NextTokenCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: mode)
      var generator = SeededGenerator(seed: 1)
      let result = step.run(parts: parts, learningRate: 1, generator: &generator)
      let update = zip(before, model.parameters.flatMap { $0.value.scalars.map(Double.init) }).map { $0 - $1 }
      let error = zip(update, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(error < 1e-4 * (expected.map(abs).max() ?? 1), "\(mode): max error \(error)")
      #expect(result.count == 3)
    }
  }
}
