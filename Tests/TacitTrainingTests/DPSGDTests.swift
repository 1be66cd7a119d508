import Foundation
import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// The update `θ_before − θ_after` of one SGD step (lr 1, no momentum), i.e. the gradient used.
func appliedUpdate(
  _ model: Sequential, inputs: Tensor, labels: [Int32], mode: GradientMode, noise: NoiseSource? = nil
) -> [Double] {
  let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
  let step = TrainingStep(
    model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
    regularization: Regularization(l1: 0, l2: 0), gradientMode: mode, noise: noise)
  var generator = SeededGenerator(seed: 1)
  step.run(inputs: inputs, labels: labels, learningRate: 1, generator: &generator)
  let after = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
  return zip(before, after).map { $0 - $1 }
}

func norm(_ values: ArraySlice<Double>) -> Double { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

@Suite struct DPSGDStepTests {
  @Test(arguments: [DPSGDSettings.Clipping.flat, .perLayer])
  func everyClippedExampleHasNormAtMostC(clipping: DPSGDSettings.Clipping) throws {
    let (inputs, labels) = randomBatch(6)
    let maxGradNorm: Float = 0.05
    for index in 0..<6 {
      let model = try makeModel()
      let settings = DPSGDSettings(maxGradNorm: maxGradNorm, noiseMultiplier: 0, expectedBatchSize: 1, clipping: clipping)
      let update = appliedUpdate(
        model, inputs: inputs.rows(index..<(index + 1)), labels: [labels[index]], mode: .privateSum(settings),
        noise: .seeded(SeededGenerator(seed: 2)))
      #expect(
        norm(update[...]) <= Double(maxGradNorm) * (1 + 1e-5), "example \(index), \(clipping): ‖update‖ = \(norm(update[...]))")
      // The unclipped gradient is larger than C, so clipping is active and the norm reaches C
      // (flat) or every layer reaches its share C/√L (per layer).
      let oracle = exampleGradient(try makeModel(), inputs, labels, index: index)
      #expect(norm(oracle[...]) > Double(maxGradNorm))
      if clipping == .flat {
        #expect(abs(norm(update[...]) - Double(maxGradNorm)) < 1e-5 * Double(maxGradNorm))
      } else {
        // Layer 0 (dense 6→8) holds 6·8 + 8 parameters, layer 2 (dense 8→4) 8·4 + 4.
        let first = update[0..<56], second = update[56..<92]
        let share = Double(maxGradNorm) / 2.0.squareRoot()
        #expect(norm(first) <= share * (1 + 1e-5) && norm(second) <= share * (1 + 1e-5))
      }
    }
  }

  @Test func noiseHasStandardDeviationSigmaCOverE() throws {
    // An empty Poisson batch: the update is pure noise, N(0, (σC/E)²) per coordinate.
    let sigma: Float = 2, clip: Float = 0.5, expected = 4.0
    let settings = DPSGDSettings(maxGradNorm: clip, noiseMultiplier: sigma, expectedBatchSize: expected)
    let noise = NoiseSource.seeded(SeededGenerator(seed: 11))
    var samples: [Double] = []
    for _ in 0..<100 {
      let model = try makeModel()
      samples += appliedUpdate(model, inputs: Tensor(shape: [0, 6]), labels: [], mode: .privateSum(settings), noise: noise)
    }
    let n = Double(samples.count)
    let mean = samples.reduce(0, +) / n
    let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
    let target = Double(sigma * clip) / expected
    // n = 9,200: the sample standard deviation is within ±3·target/√(2n) ≈ 2.2% with probability
    // 0.997; the mean within ±3·target/√n.
    #expect(abs(variance.squareRoot() / target - 1) < 0.022, "std \(variance.squareRoot()) vs \(target)")
    #expect(abs(mean) < 3 * target / n.squareRoot())
  }

  @Test func zeroNoiseInfiniteClipAndTrueBatchSizeIsPlainSGD() throws {
    let (inputs, labels) = randomBatch(9)
    let plain = appliedUpdate(try makeModel(), inputs: inputs, labels: labels, mode: .mean)
    let settings = DPSGDSettings(maxGradNorm: .infinity, noiseMultiplier: 0, expectedBatchSize: 9)
    let private_ = appliedUpdate(
      try makeModel(), inputs: inputs, labels: labels, mode: .privateSum(settings), noise: .secure())
    #expect(plain == private_)
  }

  @Test func privateSumMatchesTheClippedOracleDividedByTheExpectedBatchSize() throws {
    let (inputs, labels) = randomBatch(7)
    let settings = DPSGDSettings(maxGradNorm: 0.3, noiseMultiplier: 0, expectedBatchSize: 10)
    let update = appliedUpdate(
      try makeModel(), inputs: inputs, labels: labels, mode: .privateSum(settings), noise: .seeded(SeededGenerator(seed: 1)))
    var expected = [Double](repeating: 0, count: update.count)
    let model = try makeModel()
    for index in 0..<7 {
      let gradient = exampleGradient(model, inputs, labels, index: index)
      let factor = min(1, 0.3 / norm(gradient[...]))
      for i in gradient.indices { expected[i] += factor * gradient[i] / 10 }
    }
    for (got, want) in zip(update, expected) { #expect(abs(got - want) < 1e-6) }
  }
}

@Suite struct PoissonSamplerTests {
  @Test func batchSizesAreBinomialWithMeanQN() {
    let sampler = PoissonSampler(recordCount: 1000, sampleRate: 0.03)
    var generator = SeededGenerator(seed: 5)
    var sizes: [Double] = []
    var inclusions = [Int](repeating: 0, count: 1000)
    for _ in 0..<4000 {
      let batch = sampler.sample(using: &generator)
      #expect(batch == batch.sorted() && Set(batch).count == batch.count && batch.allSatisfy { (0..<1000).contains($0) })
      sizes.append(Double(batch.count))
      for index in batch { inclusions[index] += 1 }
    }
    let mean = sizes.reduce(0, +) / Double(sizes.count)
    let variance = sizes.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(sizes.count - 1)
    // Binomial(1000, 0.03): mean 30, variance 29.1; standard error of the mean 0.085.
    #expect(abs(mean - 30) < 0.35, "mean batch size \(mean)")
    #expect(abs(variance / 29.1 - 1) < 0.1, "batch-size variance \(variance)")
    // Every record is included at rate q: 4000 steps × 0.03 = 120 ± 3·√(116.4) ≈ ±33.
    #expect(inclusions.allSatisfy { abs($0 - 120) < 45 }, "inclusion counts from \(inclusions.min()!) to \(inclusions.max()!)")
  }

  @Test func smallBatchesAreSometimesEmpty() {
    let sampler = PoissonSampler(recordCount: 100, sampleRate: 0.01)
    var generator = SeededGenerator(seed: 6)
    let empty = (0..<2000).filter { _ in sampler.sample(using: &generator).isEmpty }.count
    // P(empty) = 0.99^100 = 0.366: 732 ± 3·√(2000·0.366·0.634) ≈ ±65.
    #expect(abs(empty - 732) < 65, "\(empty) empty batches of 2000")
  }

  @Test func extremeRates() {
    var generator = SeededGenerator(seed: 7)
    #expect(PoissonSampler(recordCount: 50, sampleRate: 1).sample(using: &generator) == Array(0..<50))
    #expect(PoissonSampler(recordCount: 50, sampleRate: 0).sample(using: &generator).isEmpty)
    #expect(PoissonSampler(recordCount: 0, sampleRate: 0.5).sample(using: &generator).isEmpty)
  }
}

@Suite struct NoiseSourceTests {
  /// Prefetching on a background thread must not change the seeded stream: the vectors equal
  /// drawing them one after another in the foreground from the same generator. When the length
  /// changes, the vector prefetched at the old length is dropped (it still used its share of
  /// the stream), so the sequence stays a deterministic function of the lengths asked for.
  @Test func prefetchedVectorsEqualForegroundDraws() {
    let seed = SeededGenerator(seed: 21)
    let source = NoiseSource.seeded(seed)
    var reference = seed.split("noise-values")
    func draw(_ length: Int) -> [Float] {
      var values = [Float](repeating: 0, count: length)
      values.withUnsafeMutableBufferPointer { GaussianNoise.fillNormal($0, using: &reference) }
      return values
    }
    for _ in 0..<3 { #expect(source.standardNormals(count: 1000) == draw(1000)) }
    _ = draw(1000)  // prefetched at length 1000, then dropped
    #expect(source.standardNormals(count: 17) == draw(17))
    #expect(source.standardNormals(count: 17) == draw(17))
  }

  @Test func secureVectorsDifferAndAreStandardNormal() {
    let source = NoiseSource.secure()
    let first = source.standardNormals(count: 100_000)
    let second = source.standardNormals(count: 100_000)
    #expect(first != second)
    let mean = first.reduce(0) { $0 + Double($1) } / 1e5
    let variance = first.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (1e5 - 1)
    // Standard errors: 0.0032 for the mean, 0.0045 for the variance; 5σ bounds.
    #expect(abs(mean) < 0.016 && abs(variance - 1) < 0.023, "mean \(mean), variance \(variance)")
  }
}
