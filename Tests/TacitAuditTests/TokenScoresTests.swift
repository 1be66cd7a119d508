import Foundation
import Testing

@testable import TacitAudit

/// The language-model scores from per-token log-probabilities against their closed forms.
@Suite struct TokenScoresTests {
  static let logProbabilities = [-1.0, -5.0, -2.0, -7.0, -3.0, -0.5, -4.25, -6.5, -0.125, -2.75]

  @Test func lossAndPerplexity() {
    let loss = TokenScores.loss(Self.logProbabilities)
    #expect(abs(loss - 32.125 / 10) < 1e-12)
    #expect(abs(TokenScores.perplexity(Self.logProbabilities) - exp(3.2125)) < 1e-9)
    #expect(TokenScores.loss([]).isNaN)
  }

  @Test func selectedCountIsAtLeastOne() {
    #expect(TokenScores.selectedCount(k: 0.2, tokens: 3) == 1)  // ⌊0.6⌋ = 0 → 1
    #expect(TokenScores.selectedCount(k: 0.2, tokens: 10) == 2)
    #expect(TokenScores.selectedCount(k: 0.2, tokens: 14) == 2)
    #expect(TokenScores.selectedCount(k: 1, tokens: 7) == 7)
  }

  @Test func minKAveragesTheLowest() {
    // k = 0.2 of 10 tokens: the two lowest, −7 and −6.5.
    #expect(abs(TokenScores.minK(Self.logProbabilities) - (-6.75)) < 1e-12)
    #expect(abs(TokenScores.minK(Self.logProbabilities, k: 0.3) - (-18.5 / 3)) < 1e-12)
  }

  @Test func minKAtOneIsMinusTheLoss() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20 {
      let values = (0..<Int.random(in: 1...60, using: &generator)).map { _ in -Double.random(in: 0...12, using: &generator) }
      #expect(abs(TokenScores.minK(values, k: 1) + TokenScores.loss(values)) < 1e-9)
    }
  }

  @Test func minKPlusPlusStandardisesByTheModelsOwnDistribution() {
    let means = Self.logProbabilities.map { $0 / 2 - 1 }
    let deviations = Self.logProbabilities.indices.map { 0.5 + Double($0) / 4 }
    let z = Self.logProbabilities.indices.map { (Self.logProbabilities[$0] - means[$0]) / deviations[$0] }
    let meanZ = z.reduce(0, +) / Double(z.count)
    let atOne = TokenScores.minKPlusPlus(Self.logProbabilities, means: means, standardDeviations: deviations, k: 1)
    #expect(abs(atOne - meanZ) < 1e-9)
    let lowestTwo = z.sorted().prefix(2).reduce(0, +) / 2
    #expect(abs(TokenScores.minKPlusPlus(Self.logProbabilities, means: means, standardDeviations: deviations) - lowestTwo) < 1e-12)
    // σ_t = 0 carries no evidence: z_t = 0.
    let flat = TokenScores.minKPlusPlus([-3, -1], means: [-2, -1], standardDeviations: [0, 1], k: 1)
    #expect(abs(flat - 0) < 1e-12)
  }

  @Test func momentsOfTheNextTokenDistribution() {
    // A uniform distribution: log p is constant, σ = 0.
    let uniform = TokenScores.logProbabilityMoments([Double](repeating: log(0.25), count: 4))
    #expect(abs(uniform.mean - log(0.25)) < 1e-12 && uniform.standardDeviation < 1e-7)
    // Two points (¼, ¾): μ = ¼ ln ¼ + ¾ ln ¾, σ² = ¼·¾·(ln ¼ − ln ¾)².
    let two = TokenScores.logProbabilityMoments([log(0.25), log(0.75), -.infinity])
    #expect(abs(two.mean - (0.25 * log(0.25) + 0.75 * log(0.75))) < 1e-12)
    #expect(abs(two.standardDeviation - (0.25 * 0.75).squareRoot() * abs(log(0.25) - log(0.75))) < 1e-12)
  }

  @Test func ratiosAndDifferences() {
    #expect(TokenScores.zlibRatio(loss: 3, compressedBytes: 12) == 0.25)
    #expect(TokenScores.lowercaseRatio(lowercaseLoss: 3, loss: 2) == 1.5)
    #expect(TokenScores.referenceDifference(targetLoss: 2, referenceLoss: 2.5) == -0.5)
  }
}
