import Foundation
import TacitData
import TacitNN
import TacitTensor
import Testing

@testable import TacitTraining

/// Long text records as windows (`TokenWindows`): the arithmetic, the inert padding rows, DP-SGD
/// clipping a record's windows as one unit, Poisson sampling of records, and evaluation.
@Suite struct TokenWindowsTests {
  static let context = 8
  static let vocabulary = 12

  /// A tiny GPT-2 (context 8) with enlarged weights, so that gradients are far from 0.
  static func makeModel(seed: UInt64 = 5) throws -> Sequential {
    var generator = SeededGenerator(seed: seed)
    let configuration = try GPT2Configuration(
      vocabularySize: vocabulary, contextLength: context, width: 8, layerCount: 1, headCount: 2)
    let gpt2 = GPT2(configuration: configuration, generator: &generator)
    for parameter in gpt2.parameters where !parameter.name.contains("ln_") {
      parameter.value.scalars = parameter.value.scalars.map { $0 * 10 }
    }
    return try Sequential([gpt2], inputShape: [context])
  }

  /// Records of 20, 7 and 13 tokens: 3, 1 and 2 windows of 8 (K = 3).
  static func records(seed: UInt64 = 7) -> [[Int]] {
    var generator = SeededGenerator(seed: seed)
    return [20, 7, 13].map { n in (0..<n).map { _ in Int.random(in: 0..<vocabulary, using: &generator) } }
  }

  @Test func windowArithmetic() {
    for T in [2, 3, 5, 8] {
      for n in 2...40 {
        let tokens = Array(100..<(100 + n))
        let windows = TokenWindows.windows(of: tokens, length: T)
        let expected = n <= T ? 1 : Int((Double(n - 1) / Double(T - 1)).rounded(.up))
        #expect(TokenWindows.count(tokens: n, length: T) == expected && windows.count == expected, "n \(n), T \(T)")
        // Every token but the first is predicted exactly once (positions ≥ 1 of the windows).
        var predicted: [Int] = []
        for (w, window) in windows.enumerated() {
          #expect(window.count >= 2 && window.count <= T)
          #expect(window.first == 100 + w * (T - 1), "window \(w) starts at w·(T−1)")
          predicted += window.dropFirst()
        }
        #expect(predicted == Array(tokens.dropFirst()), "n \(n), T \(T)")
        // The stored layout puts the record back together.
        let features = TokenWindows.tensor([tokens, [1, 2]], length: T, count: expected)
        #expect(features.shape == [2, expected, T])
        #expect(TokenWindows.records(features) == [tokens, [1, 2]])
      }
    }
  }

  /// A record's rows are its own windows only, record after record; a record's row weights
  /// sum to its row count and are proportional to the rows' predicted tokens; padding rows weigh 0.
  @Test func windowRowsAndRowWeights() {
    let features = TokenWindows.tensor(Self.records(), length: Self.context, count: 5)
    let counts = TokenWindows.windowCounts(features)
    #expect(counts == [3, 1, 2])
    let rows = TokenWindows.rows(of: [0, 1, 2], in: features, windowCounts: counts)
    #expect(rows.shape == [6, Self.context])
    // Padded to 3 rows each: predicted tokens per row 7, 7, 5 | 6, 0, 0 | 7, 5, 0.
    let padded = TokenWindows.tensor(Self.records(), length: Self.context, count: 3).reshaped([9, Self.context])
    let weights = TokenWindows.rowWeights(rows: padded, perRecord: 3)
    let predicted: [Float] = [7, 7, 5, 6, 0, 0, 7, 5, 0]
    let totals: [Float] = [19, 6, 12]
    for row in 0..<9 {
      #expect(abs(weights[row] - 3 * predicted[row] / totals[row / 3]) < 1e-6)
    }
    #expect(GPT2.recordLengths(padded)[4] == 0 && GPT2.recordLengths(padded)[5] == 0)
    // The unpadded rows are the padded layout's rows 0, 1, 2, 3, 6, 7.
    #expect(rows.scalars == padded.gathering(rows: [0, 1, 2, 3, 6, 7]).scalars)
    let short = TokenWindows.rows(of: [1], in: features, windowCounts: counts)
    #expect(short.shape == [1, Self.context] && TokenWindows.rowWeights(rows: short, perRecord: 1) == [1])
  }

  /// ∇L_r for a record alone, from batch-of-one passes over its windows: Σ_w (n_w/n_r) ∇ℓ_w.
  static func recordGradient(_ model: Sequential, _ record: [Int]) -> (gradient: [Double], loss: Double) {
    let windows = TokenWindows.windows(of: record, length: context)
    var total = [Double](repeating: 0, count: model.parameterCount)
    var loss = 0.0
    var generator = SeededGenerator(seed: 0)
    for window in windows {
      let share = Double(window.count - 1) / Double(record.count - 1)
      let tokens = Tensor(shape: [1, context]) { buffer in
        for t in 0..<context { buffer[t] = t < window.count ? Float(window[t]) : GPT2.paddingToken }
      }
      model.zeroGradients()
      let logits = model.forward(tokens, mode: .training, generator: &generator)
      let (losses, gradient) = NextTokenCrossEntropy().lossesAndGradient(logits: logits, tokens: tokens)
      model.backward(gradient)
      model.accumulateGradients(weights: .uniform(1))
      let values = model.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
      for j in total.indices { total[j] += share * values[j] }
      loss += share * Double(losses[0])
    }
    return (total, loss)
  }

  /// One step on the records' windows (SGD, learning rate 1): the applied update and the result.
  static func windowedStep(_ model: Sequential, _ records: [[Int]], mode: GradientMode, padTo count: Int = 3)
    -> (update: [Double], result: StepResult)
  {
    let features = TokenWindows.tensor(records, length: context, count: count)
    let rows = features.reshaped([records.count * count, context])
    let grouping = RecordRows(perRecord: count, weights: TokenWindows.rowWeights(rows: rows, perRecord: count))
    let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: NextTokenCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: mode, noise: .seeded(SeededGenerator(seed: 2)))
    var generator = SeededGenerator(seed: 1)
    let result = step.run(inputs: rows, labels: [], recordRows: grouping, learningRate: 1, generator: &generator)
    let after = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    return (zip(before, after).map { $0 - $1 }, result)
  }

  /// DP-SGD on windows adds Σ_r clip_C(∇L_r) / E: each record's clipped contribution is its
  /// summed (token-weighted) windows' gradient clipped as one, equal to the batch-of-one oracle;
  /// the loss is Σ_r L_r over records, and the count is the records'.
  @Test func dpSGDClipsEachRecordsWindowsAsOneUnit() throws {
    let records = Self.records()
    let maxGradNorm = 0.5
    var expected = [Double](repeating: 0, count: try Self.makeModel().parameterCount)
    var lossSum = 0.0
    for record in records {
      let (gradient, loss) = Self.recordGradient(try Self.makeModel(), record)
      let size = norm(gradient[...])
      #expect(size > maxGradNorm, "clipping is active")
      for j in expected.indices { expected[j] += gradient[j] * min(1, maxGradNorm / size) / 3 }
      lossSum += loss
    }
    let settings = DPSGDSettings(maxGradNorm: Float(maxGradNorm), noiseMultiplier: 0, expectedBatchSize: 3)
    for padding in [3, 5] {  // K' = 3 used windows, or 2 extra all-padding rows per record
      let (update, result) = Self.windowedStep(try Self.makeModel(), records, mode: .privateSum(settings), padTo: padding)
      let error = zip(update, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(error < 1e-4 * (expected.map(abs).max() ?? 1), "padding \(padding): max error \(error)")
      #expect(abs(result.lossSum - lossSum) < 1e-4 && result.count == 3 && result.clippedFraction == 1)
    }
    // One record alone: its update has norm exactly C / E.
    let single = DPSGDSettings(maxGradNorm: Float(maxGradNorm), noiseMultiplier: 0, expectedBatchSize: 1)
    let (update, _) = Self.windowedStep(try Self.makeModel(), [records[0]], mode: .privateSum(single))
    #expect(abs(norm(update[...]) - maxGradNorm) < 1e-4 * maxGradNorm)
  }

  /// Non-private training on windows takes the mean over records of ∇L_r (all-padding rows
  /// change nothing).
  @Test func nonPrivateStepIsTheMeanOfRecordGradients() throws {
    let records = Self.records()
    var expected = [Double](repeating: 0, count: try Self.makeModel().parameterCount)
    for record in records {
      let gradient = Self.recordGradient(try Self.makeModel(), record).gradient
      for j in expected.indices { expected[j] += gradient[j] / 3 }
    }
    for padding in [3, 4] {
      let (update, result) = Self.windowedStep(try Self.makeModel(), records, mode: .mean, padTo: padding)
      let error = zip(update, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(error < 1e-4 * (expected.map(abs).max() ?? 1), "padding \(padding): max error \(error)")
      #expect(result.count == 3)
    }
  }

  /// Poisson sampling draws records (rate q = batch / N over the N records), and every drawn
  /// record comes with all its windows, consecutive, in the part of its window count.
  @Test func poissonSamplingDrawsRecordsNotWindows() throws {
    var generator = SeededGenerator(seed: 11)
    let records = (0..<40).map { index in
      (0..<(2 + index % 25)).map { _ in Int.random(in: 0..<Self.vocabulary, using: &generator) }
    }
    let features = TokenWindows.tensor(records, length: Self.context, count: 4)
    let dataset = LabeledDataset(features: features, labels: [Int32](repeating: 0, count: 40), classCount: 1, name: "text")
    let configuration = TrainerConfiguration(
      epochs: 1, batchSize: 10, sampling: .poisson, schedule: LearningRateSchedule(baseRate: 0.1), earlyStopping: nil,
      evaluateTrain: false,
      evaluation: .nextToken(tokenByteLengths: [Int](repeating: 1, count: Self.vocabulary)))
    let settings = DPSGDSettings(maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: 10)
    var batches = TrainingBatches(
      dataset: dataset, configuration: configuration, gradientMode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: 3)), generator: SeededGenerator(seed: 4))
    #expect(batches.sampler.recordCount == 40 && batches.sampler.sampleRate == 0.25)
    var drawn = 0
    for step in 0..<20 {
      let batch = batches.batch(step: step)
      var recordsInParts = 0
      for part in batch.parts where part.inputs.batchSize > 0 {
        let grouping = try #require(part.recordRows)
        let count = part.inputs.batchSize / grouping.perRecord
        #expect(part.inputs.batchSize == count * grouping.perRecord)
        #expect(part.inputs.shape.last == Self.context && grouping.perRecord <= 4)
        // Each group of rows is one whole record of the pool, none padded: its own windows only.
        let unfolded = TokenWindows.records(part.inputs.reshaped([count, grouping.perRecord, Self.context]))
        for record in unfolded {
          #expect(records.contains(record))
          #expect(TokenWindows.count(tokens: record.count, length: Self.context) == grouping.perRecord)
        }
        recordsInParts += count
      }
      // A part per window count, ascending.
      let counts = batch.parts.compactMap { $0.recordRows?.perRecord }
      #expect(counts == counts.sorted() && Set(counts).count == counts.count)
      #expect(recordsInParts == batch.records)
      drawn += batch.records
    }
    #expect(drawn > 150 && drawn < 250, "20 steps at q = 0.25 of 40 records draw about 200, got \(drawn)")
  }

  /// Evaluation reads a windowed record as one: every token but the first predicted once,
  /// bytes counted once; records that fit give exactly the truncating layout's evaluation.
  @Test func evaluationTreatsWindowsAsOneRecord() throws {
    let model = try Self.makeModel()
    let records = Self.records()
    let lengths = [Int](repeating: 1, count: Self.vocabulary)
    let features = TokenWindows.tensor(records, length: Self.context, count: 3)
    let dataset = LabeledDataset(features: features, labels: [0, 0, 0], classCount: 1, name: "text")
    let evaluation = Evaluation.evaluate(model, on: dataset, metric: .nextToken(tokenByteLengths: lengths))
    var expectedLoss = 0.0
    for record in records {
      expectedLoss += Self.recordGradient(try Self.makeModel(), record).loss * Double(record.count - 1)
    }
    #expect(evaluation.tokens == 37 && evaluation.count == 3)
    #expect(abs(evaluation.loss - expectedLoss / 37) < 1e-4)
    let bitsPerByte = try #require(evaluation.bitsPerByte)
    #expect(abs(bitsPerByte - expectedLoss / (40 * log(2.0))) < 1e-4, "40 bytes, each once")
    // Records that fit: the windowed layout [N, 1, T] evaluates as the truncating [N, T].
    let short = [Array(records[0].prefix(8)), records[1]]
    let windowed = LabeledDataset(
      features: TokenWindows.tensor(short, length: Self.context, count: 1), labels: [0, 0], classCount: 1, name: "w")
    let plain = LabeledDataset(
      features: TokenWindows.tensor(short, length: Self.context, count: 1).reshaped([2, Self.context]), labels: [0, 0],
      classCount: 1, name: "p")
    let a = Evaluation.evaluate(model, on: windowed, metric: .nextToken(tokenByteLengths: lengths))
    let b = Evaluation.evaluate(model, on: plain, metric: .nextToken(tokenByteLengths: lengths))
    #expect(a.loss == b.loss && a.bitsPerByte == b.bitsPerByte && a.tokens == b.tokens)
  }
}
