import Foundation
import RealModule
import Testing

@testable import TacitAudit

/// The f-DP one-run audit (Mahloujifar, Melis & Chaudhuri 2025): against an independent scipy
/// evaluation, against the exact tail of randomised response (which any valid bound must cover),
/// coverage on the Gaussian game, edge cases and its cost at m = 10⁵. The paper's own numbers and
/// its authors' implementation: FDPOneRunAuditTests+Paper.swift.
@Suite struct FDPOneRunAuditTests {
  /// Values printed by Scripts/fdp_one_run_reference.py (scipy's norm.ppf/cdf and brentq, the
  /// recursion written out separately). Bisection tolerances differ (1e-9 here), hence 1e-7.
  @Test(arguments: [
    (1000, 100, 90, 0.6025036074352101), (1000, 1000, 700, 0.35721078659116756),
    (100_000, 1000, 958, 0.7861591710243374), (100_000, 200, 195, 0.7411500294329016),
    (10_000, 10_000, 10_000, 2.9211038391222246),
  ])
  func muBoundMatchesTheReference(canaries: Int, guesses: Int, correct: Int, expected: Double) {
    let mu = FDPOneRunAudit.muLowerBound(guesses: guesses, correct: correct, canaries: canaries, confidence: 0.95)
    #expect(relativeError(mu, expected) < 1e-7, "(\(canaries), \(guesses), \(correct)): μ \(mu) vs \(expected)")
  }

  @Test(arguments: [
    (1000, 100, 90, 0.0, 1.6149327402526978), (1000, 1000, 700, 1e-5, 0.7260926709204796),
    (100_000, 1000, 958, 1e-5, 2.8474638863262953),
  ])
  func approximateBoundMatchesTheReference(canaries: Int, guesses: Int, correct: Int, delta: Double, expected: Double) {
    let epsilon = FDPOneRunAudit.approximateEpsilonLowerBound(
      guesses: guesses, correct: correct, canaries: canaries, delta: delta, confidence: 0.95)
    #expect(relativeError(epsilon, expected) < 1e-7, "(\(canaries), \(guesses), \(correct), \(delta)): \(epsilon)")
  }

  /// Randomised response with ε (every canary guessed, each right with probability
  /// q = e^ε/(1 + e^ε), independently) is exactly (ε, 0)-DP and makes P[T ≥ v] = P[Bin(r, q) ≥ v].
  /// A valid upper bound under the (ε, 0) curve can never be below that tail; this one is also
  /// close to it (within a factor 2, where the tail is small enough to matter).
  @Test(arguments: [(20, 15, 1.0), (100, 70, 0.5), (100, 90, 1.5), (400, 300, 1.0)])
  func probabilityBoundCoversRandomisedResponse(guesses: Int, correct: Int, epsilon: Double) {
    let q = 1 / (1 + Double.exp(-epsilon))
    let r = Double(guesses)
    var tail = 0.0
    for k in correct...guesses {
      let kk = Double(k)
      tail += Double.exp(
        Double.logGamma(r + 1) - Double.logGamma(kk + 1) - Double.logGamma(r - kk + 1) + kk * Double.log(q)
          + (r - kk) * Double.log(onePlus: -q))
    }
    let bound = FDPOneRunAudit.correctGuessesProbabilityBound(
      .approximate(epsilon: epsilon, delta: 0), guesses: guesses, correct: correct, canaries: guesses)
    print("f-DP P[T ≥ \(correct) of \(guesses)] at ε = \(epsilon): bound \(bound), exact RR tail \(tail)")
    #expect(bound >= tail * (1 - 1e-9), "bound \(bound) below the exact tail \(tail)")
    #expect(bound <= 2 * tail, "bound \(bound) far above the exact tail \(tail)")
    // The test at τ agrees with the bound.
    let rejectsAbove = FDPOneRunAudit.rejects(
      .approximate(epsilon: epsilon, delta: 0), guesses: guesses, correct: correct, canaries: guesses,
      significance: min(0.999, bound * 1.01))
    #expect(rejectsAbove)
  }

  /// Coverage on the mechanism the Gaussian curve describes: the idealised Gaussian game with
  /// μ ∈ {1, 2} is exactly μ-GDP per canary. 300 games of 400 canaries, k₊ = k₋ = 50 fixed in
  /// advance: the 95% μ bound may exceed the true μ in at most 15 + 3 binomial standard
  /// deviations = 26 of them.
  @Test(arguments: [1.0, 2.0])
  func muBoundCoversTheGaussianGame(mu: Double) throws {
    var generator = SplitMix64(seed: UInt64(mu * 100))
    var exceeded = 0
    var total = 0.0
    for _ in 0..<300 {
      let game = IdealisedGaussianGame.draw(mu: mu, canaries: 400, using: &generator)
      let outcome = OneRunAudit.guess(
        scores: game.scores, included: game.included, positiveGuesses: 50, negativeGuesses: 50)
      let bound = FDPOneRunAudit.muLowerBound(
        guesses: outcome.guesses, correct: outcome.correct, canaries: 400, confidence: 0.95)
      if bound > mu { exceeded += 1 }
      total += bound
    }
    print("Gaussian game μ = \(mu), m = 400, r = 100: μ bound exceeded \(exceeded)/300, mean \(total / 300)")
    #expect(exceeded <= 26)
    #expect(total / 300 > mu / 3)
  }

  @Test func edgeCases() {
    // No correct guesses, no guesses at all: nothing is rejected.
    for (guesses, correct) in [(100, 0), (0, 0)] {
      #expect(!FDPOneRunAudit.rejects(.gaussian(mu: 0), guesses: guesses, correct: correct, canaries: 100, significance: 0.05))
      #expect(FDPOneRunAudit.muLowerBound(guesses: guesses, correct: correct, canaries: 100, confidence: 0.95) == 0)
      #expect(
        FDPOneRunAudit.approximateEpsilonLowerBound(
          guesses: guesses, correct: correct, canaries: 100, delta: 0, confidence: 0.95) == 0)
      #expect(
        FDPOneRunAudit.correctGuessesProbabilityBound(.gaussian(mu: 1), guesses: guesses, correct: correct, canaries: 100)
          == 1)
    }
    // Half right is no evidence; one canary proves nothing at 95%.
    #expect(FDPOneRunAudit.muLowerBound(guesses: 1000, correct: 500, canaries: 1000, confidence: 0.95) == 0)
    #expect(FDPOneRunAudit.muLowerBound(guesses: 1, correct: 1, canaries: 1, confidence: 0.95) == 0)
    // All right: finite, and more guesses show more.
    let few = FDPOneRunAudit.muLowerBound(guesses: 100, correct: 100, canaries: 1000, confidence: 0.95)
    let many = FDPOneRunAudit.muLowerBound(guesses: 1000, correct: 1000, canaries: 1000, confidence: 0.95)
    #expect(few > 0 && many > few && many.isFinite, "all right: μ \(few) (100), \(many) (1000)")
    // The bound on P[T ≥ v] falls as v rises.
    var previous = 1.0
    for correct in stride(from: 50, through: 100, by: 10) {
      let bound = FDPOneRunAudit.correctGuessesProbabilityBound(
        .gaussian(mu: 0.5), guesses: 100, correct: correct, canaries: 200)
      #expect(bound <= previous, "v = \(correct): \(bound) after \(previous)")
      previous = bound
    }
  }

  /// Cost at m = 10⁵ (release build): a bound should take well under a second. The limit here is
  /// loose (the machine is shared); the measured times are printed for the record.
  @Test func boundAtOneHundredThousandCanariesIsFast() {
    let clock = ContinuousClock()
    for (guesses, correct) in [(1000, 958), (10_000, 9033), (100_000, 69_146), (100_000, 100_000)] {
      var mu = 0.0
      var epsilon = 0.0
      let gaussian = clock.measure {
        mu = FDPOneRunAudit.muLowerBound(guesses: guesses, correct: correct, canaries: 100_000, confidence: 0.95)
      }
      let approximate = clock.measure {
        epsilon = FDPOneRunAudit.approximateEpsilonLowerBound(
          guesses: guesses, correct: correct, canaries: 100_000, delta: 1e-5, confidence: 0.95)
      }
      print("f-DP bound m = 10⁵, r = \(guesses), v = \(correct): μ \(mu) in \(gaussian), (ε, δ) \(epsilon) in \(approximate)")
      #expect(gaussian < .seconds(3) && approximate < .seconds(3))
    }
  }
}
