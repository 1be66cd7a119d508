import TacitData
import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// A small MLP on random data, rebuilt identically from a seed.
func makeModel(seed: UInt64 = 3, inputs: Int = 6, classes: Int = 4) throws -> Sequential {
  var generator = SeededGenerator(seed: seed)
  return try Sequential(
    [
      Dense(inputCount: inputs, outputCount: 8, generator: &generator), Activation(.tanh),
      Dense(inputCount: 8, outputCount: classes, generator: &generator),
    ], inputShape: [inputs])
}

func randomBatch(_ batch: Int, inputs: Int = 6, classes: Int = 4, seed: UInt64 = 9) -> (Tensor, [Int32]) {
  var generator = SeededGenerator(seed: seed)
  let x = Tensor(shape: [batch, inputs], scalars: Random.normal(count: batch * inputs, standardDeviation: 2, using: &generator))
  let y = (0..<batch).map { _ in Int32.random(in: 0..<Int32(classes), using: &generator) }
  return (x, y)
}

/// The gradient of example `index` alone (batch-of-one oracle), flattened over all parameters.
func exampleGradient(_ model: Sequential, _ inputs: Tensor, _ labels: [Int32], index: Int) -> [Double] {
  var generator = SeededGenerator(seed: 0)
  model.zeroGradients()
  let x = inputs.rows(index..<(index + 1))
  let logits = model.forward(x, mode: .training, generator: &generator)
  let (_, gradient) = SoftmaxCrossEntropy().lossesAndGradient(logits: logits, labels: [labels[index]])
  model.backward(gradient)
  model.accumulateGradients(weights: .uniform(1))
  return model.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
}

@Suite struct TrainingStepTests {
  /// Learning rate 1 and plain SGD: the update equals the gradient, so parameters before − after
  /// expose exactly what the step accumulated.
  func appliedGradient(mode: GradientMode, batch: Int) throws -> (
    step: [Double], model: Sequential, inputs: Tensor, labels: [Int32]
  ) {
    let model = try makeModel()
    let (inputs, labels) = randomBatch(batch)
    let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: mode)
    var generator = SeededGenerator(seed: 1)
    step.run(inputs: inputs, labels: labels, learningRate: 1, generator: &generator)
    let after = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    // Restore the parameters so the oracle sees the model the step saw.
    let restored = try makeModel()
    return (zip(before, after).map { $0 - $1 }, restored, inputs, labels)
  }

  @Test(arguments: [0.05, 0.5, 5.0])
  func clippedMeanMatchesTheBatchOfOneOracle(maxGradNorm: Double) throws {
    let batch = 7
    let (applied, model, inputs, labels) = try appliedGradient(mode: .clippedMean(maxGradNorm: Float(maxGradNorm)), batch: batch)
    var expected = [Double](repeating: 0, count: applied.count)
    var clippedCount = 0
    for index in 0..<batch {
      let gradient = exampleGradient(model, inputs, labels, index: index)
      let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
      let factor = min(1, maxGradNorm / norm)
      if factor < 1 { clippedCount += 1 }
      for i in gradient.indices { expected[i] += factor * gradient[i] / Double(batch) }
    }
    let scale = expected.map(abs).max()!
    for (got, want) in zip(applied, expected) {
      #expect(abs(got - want) <= 1e-5 * max(scale, 1), "clip \(maxGradNorm): \(got) vs \(want)")
    }
    if maxGradNorm == 0.05 { #expect(clippedCount == batch) }
  }

  @Test func infiniteClipNormReproducesTheMeanGradientExactly() throws {
    let (plain, _, _, _) = try appliedGradient(mode: .mean, batch: 9)
    let (clipped, _, _, _) = try appliedGradient(mode: .clippedMean(maxGradNorm: .infinity), batch: 9)
    #expect(plain == clipped)
  }

  @Test func everyClippedExampleContributesAtMostTheClipNorm() throws {
    // With one example per step the applied update is that example's clipped gradient.
    for index in 0..<5 {
      let model = try makeModel()
      let (inputs, labels) = randomBatch(5)
      let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .clippedMean(maxGradNorm: 0.1))
      var generator = SeededGenerator(seed: 1)
      step.run(inputs: inputs.rows(index..<(index + 1)), labels: [labels[index]], learningRate: 1, generator: &generator)
      let after = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
      let norm = zip(before, after).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
      #expect(norm <= 0.1 * (1 + 1e-5), "example \(index): update norm \(norm)")
    }
  }

  @Test func emptyBatchLeavesParametersUnchangedWithoutPenalties() throws {
    let model = try makeModel()
    let before = model.parameters.map(\.value)
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: .clippedMean(maxGradNorm: 1))
    var generator = SeededGenerator(seed: 1)
    let result = step.run(inputs: Tensor(shape: [0, 6]), labels: [], learningRate: 0.5, generator: &generator)
    #expect(result.count == 0 && result.lossSum == 0)
    #expect(model.parameters.map(\.value) == before)
  }
}
