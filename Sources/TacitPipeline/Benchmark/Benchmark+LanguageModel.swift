import TacitNN
import TacitReport
import TacitTensor
import TacitTraining

extension Benchmark {
  /// The default language model of `tacit bench --models lm`: GPT-2 with d = 128, 4 layers,
  /// 4 heads, context 128, the byte-level vocabulary (258), tied head.
  static let languageModel = try! GPT2Configuration(
    vocabularySize: 258, contextLength: 128, width: 128, layerCount: 4, headCount: 4)

  /// Records per step of the language-model benchmark.
  static let languageModelBatch = 64

  /// Measures the language model: batches of 64 records of 128 random byte tokens (full context,
  /// the slowest case; fortunes are shorter), next-token loss, AdamW.
  /// - the plain step (mean gradient), the per-example step (book-keeping norms of every layer,
  ///   the tied embedding's norm of the sum, clip factors, no noise), and the full DP-SGD step
  ///   (Poisson batch from a pool of 16·64 records, norms, clipping, secure noise, optimizer).
  /// Figures are records per second; there is no GEMM floor for this model (reported as NaN).
  func measureLanguageModel() throws -> Result {
    let batch = Self.languageModelBatch
    let context = Self.languageModel.contextLength
    var tokenGenerator = SeededGenerator(seed: 7)
    func records(_ count: Int) -> Tensor {
      Tensor(shape: [count, context]) { buffer in
        for index in buffer.indices { buffer[index] = Float(Int(tokenGenerator.next() % 256)) }
      }
    }
    let inputs = records(batch)
    func model() throws -> Sequential {
      var initGenerator = SeededGenerator(seed: 11)
      return try Sequential([GPT2(configuration: Self.languageModel, generator: &initGenerator)], inputShape: [context])
    }
    func recordsPerSecond(_ mode: GradientMode) throws -> Double {
      let step = TrainingStep(
        model: try model(), optimizer: AdamW(weightDecay: 0.01), objective: NextTokenCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: mode)
      var dropout = SeededGenerator(seed: 3)
      return Double(batch) / medianSecondsPerStep { step.run(inputs: inputs, labels: [], learningRate: 1e-3, generator: &dropout) }
    }
    let pool = records(16 * batch)
    let sampler = PoissonSampler(recordCount: 16 * batch, sampleRate: 1.0 / 16)
    let noise = seededNoise ? NoiseSource.seeded(SeededGenerator(seed: 17)) : NoiseSource.secure()
    let settings = DPSGDSettings(maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: sampler.expectedBatchSize)
    let privateStep = TrainingStep(
      model: try model(), optimizer: AdamW(weightDecay: 0.01), objective: NextTokenCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings), noise: noise)
    var dropout = SeededGenerator(seed: 3)
    let privateRate =
      sampler.expectedBatchSize
      / medianSecondsPerStep {
        let indices = noise.sample(sampler)
        privateStep.run(inputs: pool.gathering(rows: indices), labels: [], learningRate: 1e-3, generator: &dropout)
      }
    return Result(
      model: "lm", plainExamplesPerSecond: try recordsPerSecond(.mean),
      perExampleExamplesPerSecond: try recordsPerSecond(.clippedMean(maxGradNorm: 1)), dpExamplesPerSecond: privateRate,
      gemmFloorExamplesPerSecond: .nan, gemmFlopsPerExample: .nan)
  }
}
