import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitTraining

/// `tacit bench`: training-step throughput of the reference models, plain and per-example.
///
/// For each model (the 784-256-256-10 MLP and the Tramèr–Boneh CNN) at batch 256 on
/// Fashion-MNIST shapes with random inputs, it times
/// - the plain step (mean gradient, one GEMM per layer for the weight gradient),
/// - the per-example step (book-keeping norms, clip factors applied, no noise),
/// - the full DP-SGD step (Poisson batch from a pool, norms, clipping, secure noise, optimizer),
/// - the GEMM floor: only the step's matrix products (forward, input gradients except the first
///   layer's, weight gradients), run back to back on buffers of the same shapes.
/// Each figure is the median of `repetitions` timings of `stepsPerRepetition` steps.
public struct Benchmark {
  /// One model's measurements, in examples per second.
  public typealias Result = BenchmarkResult

  public var batchSize = 256
  public var repetitions = 7
  public var stepsPerRepetition = 20
  /// The DP-SGD step's noise (and Poisson sampling) generator: `secure` (the default, what a
  /// released model needs) or `seeded` (the class of generator PyTorch/Opacus use by default).
  public var seededNoise = false

  public init(batchSize: Int = 256, repetitions: Int = 7, stepsPerRepetition: Int = 20, seededNoise: Bool = false) {
    self.batchSize = batchSize
    self.repetitions = repetitions
    self.stepsPerRepetition = stepsPerRepetition
    self.seededNoise = seededNoise
  }

  /// Measures the named reference models (`mlp`, `cnn`, and the language model `lm`).
  public func run(models: [String] = ["mlp", "cnn"]) throws -> [Result] {
    try models.map { name in
      if name == "lm" { return try measureLanguageModel() }
      guard let specs = ReferenceModels.byName[name] else { throw PipelineError("unknown benchmark model '\(name)'") }
      return try measure(name: name, specs: specs)
    }
  }

  /// Measures one model built from `specs` on `[28, 28, 1]` inputs.
  public func measure(name: String, specs: [LayerSpec]) throws -> Result {
    var generator = SeededGenerator(seed: 7)
    let inputShape = [28, 28, 1]
    let inputs = Tensor(shape: [batchSize] + inputShape, scalars: Random.normal(count: batchSize * 784, using: &generator))
    let labels = (0..<batchSize).map { Int32($0 % 10) }

    func stepsPerSecond(_ mode: GradientMode) throws -> Double {
      var initGenerator = SeededGenerator(seed: 11)
      let model = try ModelBuilder.build(specs, inputShape: inputShape, generator: &initGenerator)
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0.9, nesterov: false), objective: SoftmaxCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: mode)
      var dropout = SeededGenerator(seed: 3)
      return Double(batchSize)
        / medianSecondsPerStep { step.run(inputs: inputs, labels: labels, learningRate: 0.01, generator: &dropout) }
    }

    /// The full DP-SGD step: a Poisson batch (q = B / pool) drawn and gathered from a pool of
    /// 16·B records, per-example norms, clipping, secure noise on every coordinate, division by
    /// the expected batch size, the optimizer.
    func privateExamplesPerSecond() throws -> Double {
      var initGenerator = SeededGenerator(seed: 11)
      let model = try ModelBuilder.build(specs, inputShape: inputShape, generator: &initGenerator)
      let poolSize = 16 * batchSize
      var poolGenerator = SeededGenerator(seed: 13)
      let pool = Tensor(shape: [poolSize] + inputShape, scalars: Random.normal(count: poolSize * 784, using: &poolGenerator))
      let poolLabels = (0..<poolSize).map { Int32($0 % 10) }
      let sampler = PoissonSampler(recordCount: poolSize, sampleRate: Double(batchSize) / Double(poolSize))
      let noise = seededNoise ? NoiseSource.seeded(SeededGenerator(seed: 17)) : NoiseSource.secure()
      let settings = DPSGDSettings(maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: sampler.expectedBatchSize)
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0.9, nesterov: false), objective: SoftmaxCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings), noise: noise)
      var dropout = SeededGenerator(seed: 3)
      return sampler.expectedBatchSize
        / medianSecondsPerStep {
          let indices = noise.sample(sampler)
          step.run(
            inputs: pool.gathering(rows: indices), labels: indices.map { poolLabels[$0] }, learningRate: 0.01,
            generator: &dropout)
        }
    }

    let plain = try stepsPerSecond(.mean)
    let perExample = try stepsPerSecond(.clippedMean(maxGradNorm: 1))
    let privateRate = try privateExamplesPerSecond()
    var initGenerator = SeededGenerator(seed: 11)
    let model = try ModelBuilder.build(specs, inputShape: inputShape, generator: &initGenerator)
    let shapes = GemmShapes.ofTrainingStep(model, batchSize: batchSize)
    let floorTimes = (0..<repetitions).map { _ in GemmShapes.time(shapes, repetitions: stepsPerRepetition) }
    let flops = shapes.reduce(0.0) { $0 + $1.flops }
    return Result(
      model: name, plainExamplesPerSecond: plain, perExampleExamplesPerSecond: perExample,
      dpExamplesPerSecond: privateRate,
      gemmFloorExamplesPerSecond: Double(batchSize) / median(floorTimes),
      gemmFlopsPerExample: flops / Double(batchSize) / 1e9)
  }
}

extension Benchmark {
  /// The median over `repetitions` of the mean seconds per call of `step` over
  /// `stepsPerRepetition` calls, after 3 untimed warm-up calls.
  func medianSecondsPerStep(_ step: () -> Void) -> Double {
    for _ in 0..<3 { step() }
    let times = (0..<repetitions).map { _ in
      let start = Clock.seconds()
      for _ in 0..<stepsPerRepetition { step() }
      return (Clock.seconds() - start) / Double(stepsPerRepetition)
    }
    return median(times)
  }
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
