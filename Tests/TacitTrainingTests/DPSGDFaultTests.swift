import Foundation
import TacitData
import TacitNN
import TacitPrivacy
import TacitTensor
import TacitTraining
import Testing

/// Each test-only DP-SGD fault makes the step (or trainer) do what the fault says, checked
/// against the unfaulted step or a batch-of-one oracle.
@Suite struct DPSGDFaultTests {
  /// The privatised gradient of each of `steps` DP-SGD steps on the same batch (learning rate 0:
  /// the model stays as built), flattened over the parameters; noise seeded with `noiseSeed`.
  func privatisedGradients(
    _ settings: DPSGDSettings, inputs: Tensor = Tensor(shape: [0, 6]), labels: [Int32] = [], steps: Int = 1,
    noiseSeed: UInt64 = 7, model: Sequential? = nil
  ) throws -> [[Float]] {
    let model = try model ?? makeModel()
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: noiseSeed)))
    var generator = SeededGenerator(seed: 1)
    return (0..<steps).map { _ in
      step.run(inputs: inputs, labels: labels, learningRate: 0, generator: &generator)
      return model.parameters.flatMap(\.gradient.scalars)
    }
  }

  func settings(
    _ faults: Set<DPSGDFault>, maxGradNorm: Float = 0.05, noiseMultiplier: Float = 0, expectedBatchSize: Double = 10,
    clipping: DPSGDSettings.Clipping = .flat
  ) -> DPSGDSettings {
    var settings = DPSGDSettings(
      maxGradNorm: maxGradNorm, noiseMultiplier: noiseMultiplier, expectedBatchSize: expectedBatchSize, clipping: clipping)
    settings.faults = faults
    return settings
  }

  /// The batch-of-one oracle `Σ_b clip(g_b) / E`, with `clip` applied to each example's flattened
  /// gradient.
  func oracle(_ batch: Int, expectedBatchSize: Double, clip: ([Double]) -> [Double]) throws -> [Double] {
    let (inputs, labels) = randomBatch(batch)
    var sum = [Double](repeating: 0, count: 92)
    for index in 0..<batch {
      let clipped = clip(exampleGradient(try makeModel(), inputs, labels, index: index))
      for i in sum.indices { sum[i] += clipped[i] / expectedBatchSize }
    }
    return sum
  }

  /// Scales `gradient` to norm at most `bound`, in the blocks `ranges` (one block: flat).
  func clipped(_ gradient: [Double], to bound: Double, blocks ranges: [Range<Int>] = [0..<92]) -> [Double] {
    var result = gradient
    for range in ranges {
      let factor = min(1, bound / norm(gradient[range]))
      for i in range { result[i] *= factor }
    }
    return result
  }

  func maxError(_ got: [Float], _ want: [Double]) -> Double {
    zip(got, want).map { abs(Double($0) - $1) }.max() ?? .infinity
  }

  /// `.noiseDisabled` is exactly σ = 0 and σ_b = 0 with the settings otherwise kept: the same
  /// gradients and the same adaptive norms, step after step, as those explicit settings.
  @Test func noiseDisabledIsZeroGradientAndCountNoise() throws {
    let (inputs, labels) = randomBatch(7)
    func run(_ settings: DPSGDSettings) throws -> (gradients: [[Float]], norms: [Double]) {
      let model = try makeModel()
      let step = TrainingStep(
        model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings),
        noise: .seeded(SeededGenerator(seed: 3)))
      var generator = SeededGenerator(seed: 1)
      let gradients = (0..<6).map { _ in
        step.run(inputs: inputs, labels: labels, learningRate: 0.1, generator: &generator)
        return model.parameters.flatMap(\.gradient.scalars)
      }
      return (gradients, step.adaptiveClipping?.history ?? [])
    }
    for adaptive in [false, true] {
      var faulty = settings([.noiseDisabled], noiseMultiplier: 1.5)
      var explicit = settings([], noiseMultiplier: 0)
      if adaptive {
        faulty.adaptiveClipping = AdaptiveClippingSettings(countNoise: 2)
        explicit.adaptiveClipping = AdaptiveClippingSettings(countNoise: 0)
      }
      let (faultyGradients, faultyNorms) = try run(faulty)
      let (explicitGradients, explicitNorms) = try run(explicit)
      #expect(faultyGradients == explicitGradients && faultyNorms == explicitNorms, "adaptive \(adaptive)")
      #expect(faultyNorms.count == (adaptive ? 6 : 0))
      // And it differs from the noisy step the settings describe.
      let noisy = try run(settings([], noiseMultiplier: 1.5))
      #expect(noisy.gradients != faultyGradients)
    }
  }

  /// `.noiseScaledDown`: on an empty batch the update is pure noise, a tenth of the unfaulted one
  /// (same stream).
  @Test func noiseScaledDownIsATenth() throws {
    let normal = try privatisedGradients(settings([], noiseMultiplier: 2))[0]
    let faulty = try privatisedGradients(settings([.noiseScaledDown], noiseMultiplier: 2))[0]
    #expect(normal.contains { $0 != 0 })
    for (a, b) in zip(faulty, normal) { #expect(abs(Double(a) - 0.1 * Double(b)) <= 1e-6 * abs(Double(b))) }
  }

  /// `.noiseNotScaledByClipNorm`: the noise of C = 0.25 is that of C = 1, bit for bit.
  @Test func noiseNotScaledByClipNormIgnoresC() throws {
    let faulty = try privatisedGradients(settings([.noiseNotScaledByClipNorm], maxGradNorm: 0.25, noiseMultiplier: 2))
    let unitNorm = try privatisedGradients(settings([], maxGradNorm: 1, noiseMultiplier: 2))
    let calibrated = try privatisedGradients(settings([], maxGradNorm: 0.25, noiseMultiplier: 2))
    #expect(faulty == unitNorm && faulty != calibrated)
  }

  /// `.clippingSkipped`: the update is the unclipped sum / E plus the same noise.
  @Test func clippingSkippedAddsNoiseToTheUnclippedSum() throws {
    let (inputs, labels) = randomBatch(7)
    let faultySettings = settings([.clippingSkipped], maxGradNorm: 0.05, noiseMultiplier: 1)
    let faulty = try privatisedGradients(faultySettings, inputs: inputs, labels: labels)[0]
    let noise = try privatisedGradients(faultySettings)[0]  // an empty batch: the noise alone
    let expected = try oracle(7, expectedBatchSize: 10) { $0 }
    let clippedOracle = try oracle(7, expectedBatchSize: 10) { clipped($0, to: 0.05) }
    #expect(zip(expected, clippedOracle).contains { abs($0 - $1) > 1e-3 }, "clipping would be active")
    let withoutNoise = zip(faulty, noise).map { $0 - $1 }
    #expect(maxError(withoutNoise, expected) < 1e-5, "max error \(maxError(withoutNoise, expected))")
  }

  /// `.clippingLoosened`: examples are clipped at 10·C (flat), or 10·C/√L per layer.
  @Test(arguments: [DPSGDSettings.Clipping.flat, .perLayer])
  func clippingLoosenedClipsAtTenC(clipping: DPSGDSettings.Clipping) throws {
    let (inputs, labels) = randomBatch(7)
    let maxGradNorm = 0.005
    let faulty = try privatisedGradients(
      settings([.clippingLoosened], maxGradNorm: Float(maxGradNorm), clipping: clipping), inputs: inputs, labels: labels)[0]
    let blocks = clipping == .flat ? [0..<92] : [0..<56, 56..<92]
    let bound = 10 * (clipping == .flat ? maxGradNorm : maxGradNorm / 2.0.squareRoot())
    let expected = try oracle(7, expectedBatchSize: 10) { clipped($0, to: bound, blocks: blocks) }
    let unfaulted = try oracle(7, expectedBatchSize: 10) { clipped($0, to: bound / 10, blocks: blocks) }
    #expect(maxError(faulty, expected) < 1e-6 && maxError(faulty, unfaulted) > 1e-4)
  }

  /// `.batchGradientClipped`: the batch's summed gradient S is clipped as one,
  /// `min(1, C/‖S‖) S / E` (per leaf block, per layer), instead of each example's.
  @Test(arguments: [DPSGDSettings.Clipping.flat, .perLayer])
  func batchGradientClippedClipsTheSum(clipping: DPSGDSettings.Clipping) throws {
    let (inputs, labels) = randomBatch(7)
    let maxGradNorm = 0.05
    let faulty = try privatisedGradients(
      settings([.batchGradientClipped], maxGradNorm: Float(maxGradNorm), clipping: clipping), inputs: inputs,
      labels: labels)[0]
    let sum = try oracle(7, expectedBatchSize: 1) { $0 }
    let blocks = clipping == .flat ? [0..<92] : [0..<56, 56..<92]
    let bound = clipping == .flat ? maxGradNorm : maxGradNorm / 2.0.squareRoot()
    #expect(blocks.allSatisfy { norm(sum[$0]) > bound }, "the sum is clipped")
    let expected = clipped(sum, to: bound, blocks: blocks).map { $0 / 10 }
    #expect(maxError(faulty, expected) < 1e-6, "max error \(maxError(faulty, expected))")
  }

  /// `.perLayerBoundUndivided`: per-layer clipping bounds each of the L = 2 layers by C, not C/√2.
  @Test func perLayerBoundUndividedClipsEachLayerAtC() throws {
    let (inputs, labels) = randomBatch(7)
    let faulty = try privatisedGradients(
      settings([.perLayerBoundUndivided], maxGradNorm: 0.05, clipping: .perLayer), inputs: inputs, labels: labels)[0]
    let expected = try oracle(7, expectedBatchSize: 10) { clipped($0, to: 0.05, blocks: [0..<56, 56..<92]) }
    let unfaulted = try oracle(7, expectedBatchSize: 10) { clipped($0, to: 0.05 / 2.0.squareRoot(), blocks: [0..<56, 56..<92]) }
    #expect(maxError(faulty, expected) < 1e-6 && maxError(faulty, unfaulted) > 1e-4)
  }

  /// `.noiseReused`: every step adds the first step's noise again; without the fault each step
  /// draws afresh. The first step's noise is the unfaulted first step's.
  @Test func noiseReusedRepeatsTheFirstVector() throws {
    let faulty = try privatisedGradients(settings([.noiseReused], noiseMultiplier: 1), steps: 3)
    let normal = try privatisedGradients(settings([], noiseMultiplier: 1), steps: 3)
    #expect(faulty[0] == normal[0] && faulty[1] == faulty[0] && faulty[2] == faulty[0])
    #expect(normal[1] != normal[0] && normal[2] != normal[1])
  }

  /// `.sampleRateQuadrupled`: the trainer's Poisson batches hold about 4qN records (q = B/N)
  /// while the step still divides by E = qN. N = 400, B = 10: 40 steps of Binomial(400, q).
  @Test func sampleRateQuadrupledDrawsFourTimesTheRecords() throws {
    let train = blobs(samples: 400, seed: 11)
    func drawn(_ faults: Set<DPSGDFault>) throws -> Int {
      var settings = DPSGDSettings(maxGradNorm: 1, noiseMultiplier: 1, expectedBatchSize: 10)
      settings.faults = faults
      let objective = RecordingObjective()
      let step = TrainingStep(
        model: try makeModel(inputs: 5, classes: 3), optimizer: SGD(momentum: 0, nesterov: false), objective: objective,
        regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings),
        noise: .seeded(SeededGenerator(seed: 12)))
      let configuration = TrainerConfiguration(
        epochs: 1, batchSize: 10, sampling: .poisson, schedule: LearningRateSchedule(baseRate: 0.1), earlyStopping: nil,
        evaluateTrain: false)
      _ = Trainer(step: step, configuration: configuration).train(on: train, validation: nil, generator: SeededGenerator(seed: 2))
      return objective.batchSizes.reduce(0, +)
    }
    // Totals: Binomial(16,000, q): 400 ± 20 at q = 0.025, 1,600 ± 38 at 4q = 0.1 (bounds ≥ 5σ).
    let normal = try drawn([])
    let faulty = try drawn([.sampleRateQuadrupled])
    #expect(abs(normal - 400) < 100, "\(normal) records drawn at q")
    #expect(abs(faulty - 1600) < 200, "\(faulty) records drawn at 4q")
  }
}
