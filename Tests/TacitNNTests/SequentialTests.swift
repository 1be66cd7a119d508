import TacitNN
import TacitTensor
import Testing

@Suite struct SequentialTests {
  /// The CNN of Tramèr & Boneh 2021 ("Differentially Private Learning Needs Better Features"),
  /// used by Opacus' and TF Privacy's MNIST examples, with tanh activations.
  static func tramerBonehCNN(seed: UInt64 = 91) throws -> Sequential {
    var generator = SeededGenerator(seed: seed)
    return try Sequential(
      [
        Conv2D(inputChannels: 1, outputChannels: 16, kernelSize: 8, stride: 2, padding: 2, generator: &generator),
        Activation(.tanh),
        MaxPool2D(poolSize: 2, stride: 1),
        Conv2D(inputChannels: 16, outputChannels: 32, kernelSize: 4, stride: 2, generator: &generator),
        Activation(.tanh),
        MaxPool2D(poolSize: 2, stride: 1),
        Flatten(),
        Dense(inputCount: 512, outputCount: 32, generator: &generator),
        Activation(.tanh),
        Dense(inputCount: 32, outputCount: 10, generator: &generator),
      ], inputShape: [28, 28, 1])
  }

  /// Zeroes gradients, runs forward and backward with the softmax cross-entropy of `labels`.
  static func backpropagate(_ model: Sequential, _ input: Tensor, _ labels: [Int32]) {
    var generator = SeededGenerator(seed: 0)
    model.zeroGradients()
    let logits = model.forward(input, mode: .training, generator: &generator)
    model.backward(SoftmaxCrossEntropy().lossesAndGradient(logits: logits, labels: labels).gradient)
  }

  /// Whole-model per-example squared norms and a randomly weighted gradient sum vs the
  /// batch-of-one oracle.
  static func checkAgainstBatchOfOne(
    _ model: Sequential, input: Tensor, labels: [Int32], _ label: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let batch = input.batchSize
    var oracleGradients: [[Double]] = []
    for b in 0..<batch {
      backpropagate(model, input.rows(b..<(b + 1)), [labels[b]])
      model.accumulateGradients(weights: .uniform(1))
      oracleGradients.append(model.parameters.flatMap { $0.gradient.scalars.map(Double.init) })
    }
    let oracleNorms = oracleGradients.map { $0.reduce(0) { $0 + $1 * $1 } }

    backpropagate(model, input, labels)
    let norms = model.perExampleSquaredNorms(batchSize: batch)
    expectClose(norms, oracleNorms, relative: 1e-3, "\(label): per-example squared norms", sourceLocation: sourceLocation)

    let coefficients: [Float] = (0..<batch).map { 0.25 + Float($0) * 0.5 }
    model.accumulateGradients(weights: .perExample(coefficients))
    let weighted = model.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
    var expected = [Double](repeating: 0, count: weighted.count)
    for b in 0..<batch {
      for j in expected.indices { expected[j] += Double(coefficients[b]) * oracleGradients[b][j] }
    }
    expectClose(
      weighted, expected, relative: 1e-3, absolute: 1e-5 * maxMagnitude(expected),
      "\(label): weighted gradient sum", sourceLocation: sourceLocation)
  }

  @Test func tramerBonehCNNHasTheirShapeAndParameterCount() throws {
    let model = try Self.tramerBonehCNN()
    #expect(model.outputShape == [10])
    // 16·8·8·1 + 16 + 32·4·4·16 + 32 + 512·32 + 32 + 32·10 + 10, the 26,010 of the paper.
    #expect(model.parameterCount == 26_010)
    #expect(
      model.namedParameters.map(\.name) == [
        "layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias",
        "layers.7.weight", "layers.7.bias", "layers.9.weight", "layers.9.bias",
      ])
    var generator = SeededGenerator(seed: 0)
    let output = model.forward(randomTensor([2, 28, 28, 1], seed: 92), mode: .inference, generator: &generator)
    #expect(output.shape == [2, 10])
  }

  @Test func tramerBonehCNNPerExampleNormsMatchBatchOfOne() throws {
    let model = try Self.tramerBonehCNN()
    Self.checkAgainstBatchOfOne(model, input: randomTensor([3, 28, 28, 1], seed: 93), labels: [3, 7, 0], "Tramèr–Boneh CNN")
  }

  /// Augmentation multiplicity's group norms: ‖Σ_{b ∈ g} ∇θ ℓ_b‖² for groups of consecutive
  /// examples equals the squared norm of the group's summed batch-of-one gradients (dense, ghost
  /// and materialised convolutions, GroupNorm), for groups of 1, 2 and 3.
  @Test(arguments: [1, 2, 3])
  func groupNormsAreNormsOfSummedGradients(groupSize: Int) throws {
    var generator = SeededGenerator(seed: 96)
    let small = try Sequential(
      [
        Conv2D(inputChannels: 2, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1, generator: &generator),
        GroupNorm(groups: 2, channels: 4),
        Activation(.tanh),
        Flatten(),
        Dense(inputCount: 64, outputCount: 3, generator: &generator),
      ], inputShape: [4, 4, 2])
    let cnn = try Self.tramerBonehCNN()
    for (model, input, label) in [
      (small, randomTensor([6, 4, 4, 2], seed: 97), "conv-groupnorm-dense"),
      (cnn, randomTensor([6, 28, 28, 1], seed: 98), "Tramèr–Boneh CNN"),
    ] {
      let labels: [Int32] = [0, 2, 1, 1, 0, 2]
      var oracle: [[Double]] = []
      for b in 0..<6 {
        Self.backpropagate(model, input.rows(b..<(b + 1)), [labels[b]])
        model.accumulateGradients(weights: .uniform(1))
        oracle.append(model.parameters.flatMap { $0.gradient.scalars.map(Double.init) })
      }
      let expected = (0..<(6 / groupSize)).map { group -> Double in
        var sum = [Double](repeating: 0, count: oracle[0].count)
        for b in (group * groupSize)..<(group * groupSize + groupSize) {
          for j in sum.indices { sum[j] += oracle[b][j] }
        }
        return sum.reduce(0) { $0 + $1 * $1 }
      }
      Self.backpropagate(model, input, labels)
      let norms = model.groupSquaredNorms(batchSize: 6, groupSize: groupSize)
      expectClose(norms, expected, relative: 1e-3, "\(label), groups of \(groupSize)")
    }
  }

  @Test func convolutionGroupNormPoolingModelMatchesBatchOfOne() throws {
    var generator = SeededGenerator(seed: 94)
    let model = try Sequential(
      [
        Conv2D(inputChannels: 2, outputChannels: 4, kernelSize: 3, stride: 1, padding: 1, generator: &generator),
        GroupNorm(groups: 2, channels: 4),
        Activation(.temperedSigmoid(scale: 1.5, inverseTemperature: 1.2, offset: 0.5)),
        AvgPool2D(poolSize: 2),
        Conv2D(inputChannels: 4, outputChannels: 3, kernelSize: 2, stride: 1, hasBias: false, generator: &generator),
        Activation(.relu),
        Flatten(),
        Dense(inputCount: 3, outputCount: 4, generator: &generator),
      ], inputShape: [4, 4, 2])
    #expect(model.outputShape == [4])
    for batch in [0, 1, 3] {
      Self.checkAgainstBatchOfOne(
        model, input: randomTensor([batch, 4, 4, 2], seed: 95), labels: Array([2, 0, 3].prefix(batch)), "batch \(batch)")
    }
  }

  @Test func parameterGradientsMatchFiniteDifferencesOfTheTotalLoss() throws {
    var generator = SeededGenerator(seed: 96)
    let model = try Sequential(
      [
        Dense(inputCount: 6, outputCount: 5, generator: &generator),
        Activation(.tanh),
        Dense(inputCount: 5, outputCount: 3, generator: &generator),
      ], inputShape: [6])
    let input = randomTensor([4, 6], seed: 97)
    let labels: [Int32] = [0, 2, 1, 2]
    let loss = SoftmaxCrossEntropy(labelSmoothing: 0.1)
    func totalLoss() -> Double {
      var generator = SeededGenerator(seed: 0)
      let logits = model.forward(input, mode: .training, generator: &generator)
      return loss.lossesAndGradient(logits: logits, labels: labels).losses.reduce(0.0) { $0 + Double($1) }
    }
    model.zeroGradients()
    var forwardGenerator = SeededGenerator(seed: 0)
    let logits = model.forward(input, mode: .training, generator: &forwardGenerator)
    model.backward(loss.lossesAndGradient(logits: logits, labels: labels).gradient)
    model.accumulateGradients(weights: .uniform(1))
    for (name, parameter) in model.namedParameters {
      var numeric: [Double] = []
      for j in 0..<parameter.value.count {
        let original = parameter.value.scalars[j]
        parameter.value.scalars[j] = original + 1e-2
        let plus = (parameter.value.scalars[j], totalLoss())
        parameter.value.scalars[j] = original - 1e-2
        let minus = (parameter.value.scalars[j], totalLoss())
        parameter.value.scalars[j] = original
        numeric.append((plus.1 - minus.1) / (Double(plus.0) - Double(minus.0)))
      }
      expectClose(
        parameter.gradient.scalars.map(Double.init), numeric, relative: 1e-2, absolute: 1e-3 * maxMagnitude(numeric), name)
    }
  }

  @Test func denseAfterConvolutionWithoutFlattenNamesTheLayer() {
    var generator = SeededGenerator(seed: 98)
    do {
      _ = try Sequential(
        [
          Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 3, generator: &generator),
          Dense(inputCount: 72, outputCount: 10, generator: &generator),
        ], inputShape: [8, 8, 1])
      Issue.record("a dense layer on [6, 6, 2] images was accepted")
    } catch {
      #expect(error.description.contains("model.layers[1] (dense)"), "message: \(error.description)")
      #expect(error.description.contains("flatten"), "message: \(error.description)")
    }
  }

  @Test func oversizedKernelNamesTheLayer() {
    var generator = SeededGenerator(seed: 99)
    do {
      _ = try Sequential(
        [Conv2D(inputChannels: 1, outputChannels: 2, kernelSize: 8, stride: 2, padding: 1, generator: &generator)],
        inputShape: [5, 5, 1])
      Issue.record("an 8×8 kernel on a 5×5 image padded to 7×7 was accepted")
    } catch {
      #expect(error.description.hasPrefix("model.layers[0] (conv2d): "), "message: \(error.description)")
      #expect(error.description.contains("8×8"), "message: \(error.description)")
    }
  }

  @Test func predictInChunksEqualsOneForwardPass() throws {
    let model = try Self.tramerBonehCNN()
    let input = randomTensor([5, 28, 28, 1], seed: 100)
    var generator = SeededGenerator(seed: 0)
    let whole = model.forward(input, mode: .inference, generator: &generator)
    let chunked = model.predict(input, batchSize: 2)
    #expect(chunked.shape == whole.shape)
    // BLAS may block a 2-row and a 5-row product differently: equal up to Float32 rounding.
    expectClose(chunked.scalars.map(Double.init), whole.scalars.map(Double.init), relative: 1e-5, absolute: 1e-6, "predict")
  }
}
