import RealModule
import Testing

@testable import TacitAudit

/// The one-run audit (Steinke, Nasr & Jagielski 2023): its published ceilings, the p-value
/// against a direct evaluation of the formula, and its validity on randomised response.
@Suite struct OneRunAuditTests {
  /// REFERENCES.md "Empirical ε": with every guess right and p = 0.05, m = 100 → 3.49,
  /// 1,000 → 5.81, 10⁴ → 8.11 (δ = 0) and 7.83 (δ = 1e-5). Compared to the printed digits.
  @Test(arguments: [(100, 0.0, 3.49), (1000, 0.0, 5.81), (10_000, 0.0, 8.11), (10_000, 1e-5, 7.83)])
  func ceilingsMatchThePaper(canaries: Int, delta: Double, expected: Double) {
    let ceiling = OneRunAudit.ceiling(canaries: canaries, delta: delta, confidence: 0.95)
    print("OneRunAudit ceiling m = \(canaries), δ = \(delta): \(ceiling)")
    #expect((ceiling * 100).rounded() / 100 == expected, "m = \(canaries), δ = \(delta): \(ceiling)")
  }

  /// At δ = 0 and all guesses right the bound solves q^m = α exactly: ε = logit(α^{1/m}).
  @Test func ceilingClosedFormAtDeltaZero() {
    for canaries in [10, 100, 1000] {
      let q = Double.exp(Double.log(0.05) / Double(canaries))
      let expected = Double.log(q / (1 - q))
      let ceiling = OneRunAudit.ceiling(canaries: canaries, delta: 0, confidence: 0.95)
      #expect(abs(ceiling - expected) < 1e-8, "m = \(canaries): \(ceiling) vs \(expected)")
    }
  }

  /// The p-value against the formula evaluated term by term in the most direct way (every
  /// binomial probability from log Γ, every partial average formed), small and large r.
  @Test(arguments: [
    (1.5, 30, 25, 50, 1e-3), (0.7, 30, 12, 30, 1e-2), (3.0, 200, 190, 1000, 1e-5), (2.0, 100_000, 86_000, 100_000, 1e-6),
    (0.2, 100_000, 52_000, 100_000, 1e-7),
  ])
  func pValueMatchesTheDirectFormula(epsilon: Double, guesses: Int, correct: Int, canaries: Int, delta: Double) {
    let q = 1 / (1 + Double.exp(-epsilon))
    let r = Double(guesses)
    func probability(_ k: Int) -> Double {
      let k = Double(k)
      return Double.exp(
        Double.logGamma(r + 1) - Double.logGamma(k + 1) - Double.logGamma(r - k + 1) + k * Double.log(q) + (r - k)
          * Double.log(onePlus: -q))
    }
    var tail = 0.0
    for k in correct...guesses { tail += probability(k) }
    var sum = 0.0
    var best = 0.0
    for i in 1...correct {
      sum += probability(correct - i)
      best = max(best, sum / Double(i))
    }
    let expected = min(1, tail + 2 * Double(canaries) * delta * best)
    let value = OneRunAudit.pValue(epsilon: epsilon, guesses: guesses, correct: correct, canaries: canaries, delta: delta)
    // log Γ at 10⁵ carries ~1e-10 absolute error into every direct term.
    #expect(relativeError(value, expected) < 1e-8, "p(\(epsilon)) = \(value), direct \(expected)")
  }

  @Test func boundIsWhereThePValueCrossesAlpha() {
    let bound = OneRunAudit.epsilonLowerBound(guesses: 1000, correct: 800, canaries: 2000, delta: 1e-5, confidence: 0.95)
    #expect(bound > 0)
    #expect(OneRunAudit.pValue(epsilon: bound, guesses: 1000, correct: 800, canaries: 2000, delta: 1e-5) < 0.05)
    #expect(OneRunAudit.pValue(epsilon: bound + 1e-8, guesses: 1000, correct: 800, canaries: 2000, delta: 1e-5) >= 0.05)
    // Half right is no evidence at all.
    #expect(OneRunAudit.epsilonLowerBound(guesses: 1000, correct: 500, canaries: 1000, delta: 0, confidence: 0.95) == 0)
  }

  @Test func guessCountsTheTopAndBottom() {
    let scores = [0.9, 0.1, 0.5, 0.8, 0.2, 0.4]
    let included = [true, false, false, false, true, true]
    // IN for 0.9 (right) and 0.8 (wrong); OUT for 0.1 (right) and 0.2 (wrong).
    let outcome = OneRunAudit.guess(scores: scores, included: included, positiveGuesses: 2, negativeGuesses: 2)
    #expect(outcome.guesses == 4 && outcome.correct == 2)
    let all = OneRunAudit.guess(scores: scores, included: included, positiveGuesses: 3, negativeGuesses: 3)
    #expect(all.guesses == 6 && all.correct == 2)
    let result = try! OneRunResult(
      scores: scores, included: included, positiveGuesses: 1, negativeGuesses: 1, delta: 0, confidence: 0.95)
    #expect(result.guesses == 2 && result.correct == 2 && result.canaries == 6)
    #expect(result.epsilonLowerBound == 0)  // two right guesses prove nothing at 95%
    #expect(throws: AuditError.self) {
      try OneRunResult(scores: scores, included: included, positiveGuesses: 4, negativeGuesses: 3, delta: 0, confidence: 0.95)
    }
  }

  /// The one-run game on randomised response with ε = 2 (each canary's score is its inclusion
  /// bit, kept with probability e^ε/(1 + e^ε)): 100 audits of 1,000 canaries, all guessed. A
  /// valid 95% bound exceeds ε = 2 in at most 5% of them; the test allows 12 of 100 (5 plus three
  /// binomial standard deviations). The bound is also far from vacuous: ≈ 1.5–1.8 with these
  /// counts.
  @Test func validOnRandomisedResponse() {
    var generator = SplitMix64(seed: 77)
    let epsilon = 2.0
    let keep = 1 / (1 + Double.exp(-epsilon))
    var exceed = 0
    var total = 0.0
    for _ in 0..<100 {
      var scores: [Double] = []
      var included: [Bool] = []
      for _ in 0..<1000 {
        let inside = Bool.random(using: &generator)
        let truthful = Double.random(in: 0..<1, using: &generator) < keep
        included.append(inside)
        scores.append(inside == truthful ? 1 : 0)
      }
      let result = try! OneRunResult(
        scores: scores, included: included, positiveGuesses: 500, negativeGuesses: 500, delta: 0, confidence: 0.95)
      if result.epsilonLowerBound > epsilon { exceed += 1 }
      total += result.epsilonLowerBound
    }
    print("OneRunAudit on randomised response ε = 2: exceeded in \(exceed) of 100, mean bound \(total / 100)")
    #expect(exceed <= 12)
    #expect(total / 100 > 1.2)
  }
}
