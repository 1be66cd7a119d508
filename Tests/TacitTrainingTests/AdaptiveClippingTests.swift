import Foundation
import TacitNN
import TacitPrivacy
import TacitTensor
import TacitTraining
import Testing

@Suite struct AdaptiveClippingTests {
  /// One update by hand: E = 10, σ_b = 2, 3 of 10 unclipped, z = 1.5: b̃ = (3 − 5 + 3)/10 + ½ = 0.6,
  /// C₁ = C₀·exp(−0.2·(0.6 − 0.5)). A batch larger than E centres on its own size (not on E), and
  /// the fraction is clamped to [0, 1].
  @Test func updateIsTheGeometricRuleOnTheCentredNoisyCount() {
    let state = AdaptiveClipping(
      settings: AdaptiveClippingSettings(targetQuantile: 0.5, learningRate: 0.2, countNoise: 2), initialClipNorm: 1.5,
      expectedBatchSize: 10)
    let fraction = state.update(unclippedCount: 3, batchSize: 10, standardNormal: 1.5)
    #expect(abs(fraction - 0.6) < 1e-15)
    #expect(abs(state.clipNorm - 1.5 * exp(-0.2 * 0.1)) < 1e-15)
    // 14 of 14 unclipped with E = 10 and no noise: (14 − 7)/10 + ½ = 1.2, clamped to 1.
    let second = state.update(unclippedCount: 14, batchSize: 14, standardNormal: 0)
    #expect(second == 1)
    #expect(abs(state.clipNorm - 1.5 * exp(-0.2 * 0.1) * exp(-0.2 * 0.5)) < 1e-15)
    // 6 of 12 unclipped: the centred count is 0, b̃ = ½ whatever E, and C stays.
    let before = state.clipNorm
    #expect(state.update(unclippedCount: 6, batchSize: 12, standardNormal: 0) == 0.5)
    #expect(state.clipNorm == before)
    #expect(state.history == [1.5, 1.5 * exp(-0.2 * 0.1), state.history[2]] && state.history.count == 3)
  }

  /// With norms drawn from a known distribution, C_t settles at its γ-quantile. Norms are
  /// log-normal, log ‖g‖ ~ N(0, 1), so the γ-quantile is exp(Φ⁻¹(γ)); batches of E = 100.
  /// Linearising the update around the quantile, log C_t is an AR(1) process with coefficient
  /// 1 − η·φ(Φ⁻¹(γ)) (0.92 at γ = ½, 0.965 at γ = 0.9) and innovations
  /// η·√(γ(1−γ)/E + (σ_b/E)²) (0.010 to 0.014): a stationary standard deviation below 0.05, and
  /// the mean of log C over the last 400 of 800 steps within ±0.01 (a few effective samples per
  /// correlation time). Tolerance 0.06 (0.1 with noise) in log C: far above the fluctuation, far
  /// below what a wrong sign, scale or quantile would give. Starts from C₀ = 0.1, 2.3 to 3.6
  /// log-units away.
  @Test(arguments: [(0.5, 0.0, 0.0), (0.9, 0.0, 1.281_551_565_545), (0.5, 5.0, 0.0), (0.1, 5.0, -1.281_551_565_545)])
  func normTracksTheTargetQuantile(targetQuantile: Double, countNoise: Double, logQuantile: Double) {
    let expectedBatch = 100
    let state = AdaptiveClipping(
      settings: AdaptiveClippingSettings(targetQuantile: targetQuantile, learningRate: 0.2, countNoise: countNoise),
      initialClipNorm: 0.1, expectedBatchSize: Double(expectedBatch))
    var generator = SeededGenerator(seed: 42)
    var logSum = 0.0
    var maxDeviation = 0.0
    for step in 0..<800 {
      let norms = Random.normal(count: expectedBatch, using: &generator).map { exp(Double($0)) }
      let unclipped = norms.filter { $0 <= state.clipNorm }.count
      state.update(
        unclippedCount: unclipped, batchSize: expectedBatch, standardNormal: Double(Random.normal(count: 1, using: &generator)[0])
      )
      if step >= 400 {
        logSum += log(state.clipNorm)
        maxDeviation = max(maxDeviation, abs(log(state.clipNorm) - logQuantile))
      }
    }
    let meanLog = logSum / 400
    let tolerance = countNoise == 0 ? 0.06 : 0.1
    #expect(
      abs(meanLog - logQuantile) < tolerance,
      "γ = \(targetQuantile), σ_b = \(countNoise): mean log C = \(meanLog), log quantile \(logQuantile)")
    // No excursion beyond about 6 stationary standard deviations.
    #expect(maxDeviation < 0.3, "largest |log C − log quantile| = \(maxDeviation)")
  }

  /// The batch-of-one oracle: each step clips at the current C_t, the clipped gradient has norm
  /// min(‖g‖, C_t), and the next norm follows from whether ‖g‖ ≤ C_t (E = 1, no noise: b̃ = b).
  /// Learning rate 0 keeps the model fixed, so the oracle gradient stays the same.
  @Test func everyStepClipsAtTheCurrentNorm() throws {
    let (inputs, labels) = randomBatch(6)
    let oracleModel = try makeModel()
    let oracleNorms = (0..<6).map { norm(exampleGradient(oracleModel, inputs, labels, index: $0)[...]) }
    let model = try makeModel()
    let adaptive = AdaptiveClippingSettings(targetQuantile: 0.5, learningRate: 0.2, countNoise: 0)
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0),
      gradientMode: .privateSum(
        DPSGDSettings(maxGradNorm: 0.05, noiseMultiplier: 0, expectedBatchSize: 1, adaptiveClipping: adaptive)),
      noise: .seeded(SeededGenerator(seed: 2)))
    let state = try #require(step.adaptiveClipping)
    var generator = SeededGenerator(seed: 1)
    var clippedSteps = 0
    var unclippedSteps = 0
    for t in 0..<90 {
      let index = t % 6
      let clipNorm = state.clipNorm
      let result = step.run(
        inputs: inputs.rows(index..<(index + 1)), labels: [labels[index]], learningRate: 0, generator: &generator)
      #expect(result.clipNorm == Double(Float(clipNorm)))
      let gradient = model.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
      let used = Double(Float(clipNorm))
      #expect(norm(gradient[...]) <= used * (1 + 1e-5), "step \(t): ‖clipped‖ = \(norm(gradient[...])) > C_t = \(used)")
      #expect(abs(norm(gradient[...]) - min(oracleNorms[index], used)) < 1e-5 * max(used, 1e-3), "step \(t)")
      let unclipped = oracleNorms[index] <= used
      if unclipped { unclippedSteps += 1 } else { clippedSteps += 1 }
      #expect(abs(state.clipNorm - clipNorm * exp(-0.2 * ((unclipped ? 1 : 0) - 0.5))) < 1e-12 * clipNorm, "step \(t)")
    }
    #expect(state.history.count == 90)
    // C₀ = 0.05 is below every norm; the norm climbs until it clips some examples and not others.
    #expect(oracleNorms.allSatisfy { $0 > 0.05 })
    #expect(clippedSteps > 0 && unclippedSteps > 0, "\(clippedSteps) clipped, \(unclippedSteps) unclipped")
  }

  /// The noise of an adaptive step comes from the step's source: the gradient gets
  /// z_Δ·C_t/E times the first entries of the step's standard-normal vector and the count the last
  /// one. An identically seeded source replays the same vectors, so both are checked exactly, on
  /// empty Poisson batches (b = 0, n = 0: b̃ = σ_b·z/E + ½).
  @Test func gradientAndCountNoiseComeFromTheStepsNoiseSource() throws {
    let model = try makeModel()
    let parameterCount = model.parameters.reduce(0) { $0 + $1.gradient.count }
    let sigma: Float = 1.3
    let expected = 4.0
    let adaptive = AdaptiveClippingSettings(targetQuantile: 0.5, learningRate: 0.2, countNoise: 3)
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0),
      gradientMode: .privateSum(
        DPSGDSettings(maxGradNorm: 0.7, noiseMultiplier: sigma, expectedBatchSize: expected, adaptiveClipping: adaptive)),
      noise: .seeded(SeededGenerator(seed: 31)))
    let replay = NoiseSource.seeded(SeededGenerator(seed: 31))
    let state = try #require(step.adaptiveClipping)
    var generator = SeededGenerator(seed: 1)
    var standardized: [Double] = []
    for t in 0..<40 {
      let clipNorm = state.clipNorm
      step.run(inputs: Tensor(shape: [0, 6]), labels: [], learningRate: 0, generator: &generator)
      let normals = replay.standardNormals(count: parameterCount + 1)
      let standardDeviation = sigma * Float(clipNorm) / Float(expected)
      let gradient = model.parameters.flatMap(\.gradient.scalars)
      #expect(gradient == normals.prefix(parameterCount).map { standardDeviation * $0 }, "step \(t)")
      let fraction = min(1, max(0, 3 * Double(normals[parameterCount]) / expected + 0.5))
      #expect(abs(state.clipNorm - clipNorm * exp(-0.2 * (fraction - 0.5))) < 1e-12 * clipNorm, "step \(t)")
      standardized += gradient.map { Double($0) / Double(standardDeviation) }
    }
    // The norm moved (the count noise is on), and the gradient noise scaled with it.
    #expect(Set(state.history).count > 30)
    let variance = standardized.reduce(0) { $0 + $1 * $1 } / Double(standardized.count)
    // n = 3,680 standardized draws: the variance is 1 ± 3·√(2/n) ≈ ±0.07.
    #expect(abs(variance - 1) < 0.07, "variance of noise / (z_Δ C_t / E) = \(variance)")
  }

  /// White-box canaries follow C_t: with no data, no noise and γ = 0.9 the count is b̃ = ½, so C
  /// grows by e^{0.2·0.4} per step. An IN canary drawn into every step moves its coordinate by
  /// lr·Σ_t C_t / E (a fixed norm would give lr·T·C₀/E): its raw gradient 10·C_t is clipped to C_t.
  /// Each step is measured in its own unit C_t/E, so its observations sum to T.
  @Test func canariesUseTheCurrentNorm() throws {
    let model = try makeModel()
    let canaries = GradientCanaries(
      count: 20, parameterCounts: model.parameters.map(\.value.count), sampleRate: 1,
      generator: SeededGenerator(seed: 21))
    let adaptive = AdaptiveClippingSettings(targetQuantile: 0.9, learningRate: 0.2, countNoise: 0)
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0),
      gradientMode: .privateSum(
        DPSGDSettings(maxGradNorm: 0.5, noiseMultiplier: 0, expectedBatchSize: 8, adaptiveClipping: adaptive)),
      noise: .seeded(SeededGenerator(seed: 22)), canaries: canaries)
    var generator = SeededGenerator(seed: 23)
    let before = canaries.coordinates.map { model.parameters[$0.parameter].value.scalars[$0.offset] }
    let everyIncluded = Array(canaries.includedCanaries.indices)
    for _ in 0..<10 {
      step.run(
        inputs: Tensor(shape: [0, 6]), labels: [], canaryRecords: everyIncluded, learningRate: 0.1, generator: &generator)
    }
    let after = canaries.coordinates.map { model.parameters[$0.parameter].value.scalars[$0.offset] }
    let norms = (0..<10).map { 0.5 * exp(0.08 * Double($0)) }
    let state = try #require(step.adaptiveClipping)
    for (used, expected) in zip(state.history, norms) { #expect(abs(used / expected - 1) < 1e-12) }
    let expectedMovement = 0.1 * norms.reduce(0) { $0 + Double(Float($1)) / 8 }
    #expect(canaries.isIncluded.contains(true))
    for (index, included) in canaries.isIncluded.enumerated() {
      let movement = Double(before[index] - after[index])
      #expect(abs(movement - (included ? expectedMovement : 0)) < 1e-5, "canary \(index): moved \(movement)")
      #expect(abs(canaries.sums[index] - (included ? 10 : 0)) < 1e-4, "canary \(index): sum \(canaries.sums[index])")
    }
  }
}
