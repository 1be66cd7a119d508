import Foundation
import TacitNN
import TacitTensor
import TacitTraining
import Testing

@Suite struct GradientCanariesTests {
  /// Runs `steps` DP-SGD steps on random batches with `count` canaries; returns the canaries.
  func runWithCanaries(sigma: Float, steps: Int, count: Int = 60, sampleRate: Double = 0.5) throws -> GradientCanaries {
    let model = try makeModel()
    let clip: Float = 0.5
    let expected = 8.0
    let canaries = GradientCanaries(
      count: count, parameterCounts: model.parameters.map(\.value.count), sampleRate: sampleRate, gradientNorm: clip,
      generator: SeededGenerator(seed: 21))
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false), objective: SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0),
      gradientMode: .privateSum(DPSGDSettings(maxGradNorm: clip, noiseMultiplier: sigma, expectedBatchSize: expected)),
      noise: .seeded(SeededGenerator(seed: 22)), canaries: canaries)
    var generator = SeededGenerator(seed: 23)
    for index in 0..<steps {
      let (inputs, labels) = randomBatch(8, seed: UInt64(100 + index))
      step.run(inputs: inputs, labels: labels, learningRate: 0.1, generator: &generator)
    }
    return canaries
  }

  /// Without noise the score is exactly the canary's own contribution, in its units: 1 per
  /// inclusion for IN canaries, 0 for OUT ones, whatever the data did at those coordinates.
  @Test func noiselessScoresAreTheCanaryContributions() throws {
    let canaries = try runWithCanaries(sigma: 0, steps: 40)
    let unit = 1.0
    #expect(Set(canaries.coordinates.map { "\($0.parameter).\($0.offset)" }).count == canaries.coordinates.count)
    #expect(canaries.isIncluded.contains(true) && canaries.isIncluded.contains(false))
    for index in canaries.scores.indices {
      let expected = canaries.isIncluded[index] ? unit * Double(canaries.inclusions[index]) : 0
      #expect(abs(canaries.scores[index] - expected) < 1e-3, "canary \(index)")
      if !canaries.isIncluded[index] { #expect(canaries.inclusions[index] == 0) }
    }
    // IN canaries join about q·T = 20 of the 40 steps.
    let inCounts = zip(canaries.inclusions, canaries.isIncluded).filter(\.1).map { Double($0.0) }
    let meanInclusions = inCounts.reduce(0, +) / Double(inCounts.count)
    #expect(abs(meanInclusions - 20) < 4 * (10.0 / Double(inCounts.count)).squareRoot(), "mean inclusions \(meanInclusions)")
  }

  /// With noise, OUT scores are N(0, T·σ²) in the canary's units: their sample variance matches
  /// (χ² bounds at about 4 standard errors for the number of OUT canaries).
  @Test func outScoresCarryExactlyTheNoise() throws {
    let steps = 25
    let canaries = try runWithCanaries(sigma: 1.5, steps: steps, count: 90)
    let outScores = zip(canaries.scores, canaries.isIncluded).filter { !$0.1 }.map(\.0)
    let variance = outScores.reduce(0) { $0 + $1 * $1 } / Double(outScores.count)
    let expected = Double(steps) * pow(1.5, 2)
    let relativeError = 4 * (2.0 / Double(outScores.count)).squareRoot()
    #expect(abs(variance / expected - 1) < relativeError, "variance \(variance), expected \(expected)")
  }
}
