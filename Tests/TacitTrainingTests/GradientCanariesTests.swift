import Foundation
import TacitData
import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// Gradient canaries as records of the trainer's pool: drawn by its Poisson sampler, clipped by
/// the step's clip factors, observed after the noise; and what each test-only DP-SGD fault does
/// to what they measure.
@Suite struct GradientCanariesTests {
  /// Trains a small MLP on 400 blob records for `epochs` Poisson epochs of DP-SGD with `count`
  /// canaries (expected batch 20: q = 0.05, 20 steps per epoch); returns the canaries.
  func trainWithCanaries(
    sigma: Float, epochs: Int = 2, count: Int = 60, clip: Float = 0.5, clipping: DPSGDSettings.Clipping = .flat,
    faults: Set<DPSGDFault> = [], multiplicity: Int = 1, seed: UInt64 = 21
  ) throws -> GradientCanaries {
    let train = blobs(samples: 400, seed: seed)
    let model = try makeModel(inputs: 5, classes: 3)
    let canaries = GradientCanaries(
      count: count, parameterCounts: model.parameters.map(\.value.count), sampleRate: 20.0 / 400,
      generator: SeededGenerator(seed: seed))
    var settings = DPSGDSettings(
      maxGradNorm: clip, noiseMultiplier: sigma, expectedBatchSize: 20, clipping: clipping)
    settings.faults = faults
    settings.augmentationMultiplicity = multiplicity
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: .privateSum(settings),
      noise: .seeded(SeededGenerator(seed: seed + 1)), canaries: canaries)
    let configuration = TrainerConfiguration(
      epochs: epochs, batchSize: 20, sampling: .poisson, schedule: LearningRateSchedule(baseRate: 0.05),
      earlyStopping: nil, evaluateTrain: false,
      augmentation: multiplicity > 1 ? Augmentation(imageShape: [1, 1, 5], cropPadding: 0, flip: false, noiseStandardDeviation: 0.1) : nil)
    _ = Trainer(step: step, configuration: configuration).train(
      on: train, validation: nil, generator: SeededGenerator(seed: seed + 2))
    return canaries
  }

  /// Without noise an observation is exactly what the canary added: one unit C/E per draw for an
  /// IN canary (its raw gradient 10·C clipped to C), nothing for an OUT canary, whatever the data
  /// did at those coordinates; the trainer's sampler drew only IN canaries.
  @Test(arguments: [1, 3])
  func noiselessObservationsAreTheClippedContributions(multiplicity: Int) throws {
    let canaries = try trainWithCanaries(sigma: 0, epochs: 3, multiplicity: multiplicity)
    #expect(Set(canaries.coordinates.map { "\($0.parameter).\($0.offset)" }).count == canaries.coordinates.count)
    #expect(canaries.isIncluded.contains(true) && canaries.isIncluded.contains(false))
    #expect(canaries.includedCanaries == canaries.isIncluded.indices.filter { canaries.isIncluded[$0] })
    for index in canaries.sums.indices {
      let expected = canaries.isIncluded[index] ? Double(canaries.inclusions[index]) : 0
      #expect(abs(canaries.sums[index] - expected) < 1e-3, "canary \(index): \(canaries.sums[index]) vs \(expected)")
      if !canaries.isIncluded[index] { #expect(canaries.inclusions[index] == 0) }
    }
    #expect(abs(canaries.measurements.contribution - 1) < 1e-4)
    #expect(canaries.measurements.noiseScale == 0)
    #expect(canaries.measurements.draws == canaries.inclusions.reduce(0, +))
    #expect(canaries.measurements.eligibleDraws == canaries.includedCanaries.count * 60)
  }

  /// The sampler draws canaries at the accounted q = 0.05: over ~30 IN canaries × 200 steps the
  /// drawn fraction is within 4 standard errors of q.
  @Test func theSamplerDrawsCanariesAtTheAccountedRate() throws {
    let canaries = try trainWithCanaries(sigma: 1, epochs: 10)
    let measured = canaries.measurements
    let standardError = (0.05 * 0.95 / Double(measured.eligibleDraws)).squareRoot()
    #expect(abs(measured.sampleRate - 0.05) < 4 * standardError, "rate \(measured.sampleRate) ± \(standardError)")
  }

  /// With noise, an undrawn canary's observation is N(0, σ²) in units (σ = 1.5): its measured
  /// scale is 1 and its lag-1 correlation 0, each within 4 standard errors; a drawn canary's mean
  /// is 1 unit.
  @Test func undrawnObservationsCarryExactlyTheNoise() throws {
    let canaries = try trainWithCanaries(sigma: 1.5, epochs: 6, count: 70)
    let measured = canaries.measurements
    #expect(abs(measured.noiseInUnits - 1.5) < 1e-12)
    #expect(abs(measured.noiseScale - 1) < 4 * (0.5 / Double(measured.noiseCount)).squareRoot(), "\(measured.noiseScale)")
    #expect(abs(measured.noiseCorrelation) < 4 / Double(measured.lagCount).squareRoot(), "\(measured.noiseCorrelation)")
    let contributionError = 1.5 / Double(measured.contributionCount).squareRoot()
    #expect(abs(measured.contribution - 1) < 4 * contributionError, "\(measured.contribution) ± \(contributionError)")
  }

  /// Per-layer clipping: each canary sits in one leaf with raw norm 10·C/√L and adds C/√L; the
  /// observation is measured in that unit, so noise σC/E reads as σ√L.
  @Test func perLayerCanariesAddTheirLeafBound() throws {
    let noiseless = try trainWithCanaries(sigma: 0, clipping: .perLayer)
    #expect(abs(noiseless.measurements.contribution - 1) < 1e-4)
    let noisy = try trainWithCanaries(sigma: 1, clipping: .perLayer)
    #expect(abs(noisy.measurements.noiseInUnits - 2.0.squareRoot()) < 1e-6)
    #expect(abs(noisy.measurements.noiseScale - 1) < 0.05)
  }

  /// The score is the per-step log-likelihood ratio `log(1 − q + q·e^{(x − ½)/s²})`: checked
  /// against the direct formula where it does not overflow, increasing in x, the linear
  /// `(x − ½)/s²` at q = 1, and finite where the direct formula overflows.
  @Test func scoreIsTheLikelihoodRatioOfTheSubsampledGaussian() {
    for q in [0.001, 0.05, 0.5] {
      for s in [0.3, 1.0, 4.0] {
        var previous = -Double.infinity
        for x in stride(from: -5.0, through: 5.0, by: 0.25) {
          let value = GradientCanaries.logLikelihoodRatio(x, sampleRate: q, noise: s)
          let direct = log(1 - q + q * exp((x - 0.5) / (s * s)))
          #expect(abs(value - direct) < 1e-9 * max(1, abs(direct)), "q \(q), s \(s), x \(x)")
          #expect(value >= previous)
          previous = value
        }
      }
    }
    #expect(abs(GradientCanaries.logLikelihoodRatio(2, sampleRate: 1, noise: 2) - 1.5 / 4) < 1e-12)
    let huge = GradientCanaries.logLikelihoodRatio(1e4, sampleRate: 0.01, noise: 0.1)
    #expect(huge.isFinite && abs(huge - ((1e4 - 0.5) / 0.01 + log(0.01))) < 1e-6 * huge)
  }

  /// What each test-only fault does to the canaries' measurements (noise σ = 1 unless the fault
  /// is about the noise's size): the mechanism checks' inputs.
  @Test func everyFaultShowsInTheMeasurements() throws {
    func measured(_ faults: Set<DPSGDFault>, sigma: Float = 1, clip: Float = 0.5, clipping: DPSGDSettings.Clipping = .flat)
      throws -> CanaryMeasurements
    {
      try trainWithCanaries(sigma: sigma, epochs: 3, clip: clip, clipping: clipping, faults: faults).measurements
    }
    // Clipping skipped or at 10·C: the canary's 10·C enters whole, 10 units.
    #expect(abs(try measured([.clippingSkipped], sigma: 0).contribution - 10) < 1e-3)
    #expect(abs(try measured([.clippingLoosened], sigma: 0).contribution - 10) < 1e-3)
    // Per-layer bound C instead of C/√2: a canary adds C, √2 units.
    #expect(abs(try measured([.perLayerBoundUndivided], sigma: 0, clipping: .perLayer).contribution - 2.0.squareRoot()) < 1e-3)
    // The batch clipped as one: the canaries' 10·C shares one bound with the data, well under a unit.
    #expect(try measured([.batchGradientClipped], sigma: 0).contribution < 0.5)
    // Sampling at 4q: the canaries are drawn at 4q too.
    let rate = try measured([.sampleRateQuadrupled]).sampleRate
    #expect(abs(rate - 0.2) < 0.03, "rate \(rate)")
    // Noise off, a tenth, or not scaled by C = 5 (σ/E = a fifth of σC/E).
    #expect(try measured([.noiseDisabled]).noiseScale == 0)
    #expect(abs(try measured([.noiseScaledDown]).noiseScale - 0.1) < 0.01)
    #expect(abs(try measured([.noiseNotScaledByClipNorm], clip: 5).noiseScale - 0.2) < 0.02)
    // The first step's noise reused: consecutive undrawn observations are equal.
    #expect(try measured([.noiseReused]).noiseCorrelation > 0.99)
  }
}
