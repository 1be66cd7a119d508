import RealModule

/// The one-run audit of Steinke, Nasr & Jagielski 2023 ("Privacy auditing with one (1) training
/// run", Theorem 3.1 / Algorithm 1 with the δ term of their Proposition 5.7 / Appendix D).
///
/// m canaries are each included in the training set independently with probability ½. After
/// training, an attack scores every canary; it guesses IN for the k₊ highest scores, OUT for the
/// k₋ lowest and abstains on the rest: r = k₊ + k₋ guesses, v of them correct. With
/// q = e^ε/(1 + e^ε), an (ε, δ)-DP training run makes
///
///   p(ε) = P[Bin(r, q) ≥ v] + 2mδ · max_{i=1..v} (1/i) Σ_{j=1..i} P[Bin(r, q) = v − j]
///
/// a valid p-value for "ε is the true privacy parameter" (REFERENCES.md "Empirical ε"), and the
/// lower bound at `confidence` is the largest ε with p(ε) < 1 − confidence. k₊ and k₋ must be
/// fixed before the scores are seen.
///
/// Numerics: the tail is the regularised incomplete beta I_q(v, r − v + 1) (relative accuracy
/// ~1e-12 up to r = 10⁵); the δ term sums binomial probabilities in log space from v − 1
/// downwards by the ratio recurrence, stopping once the terms fall below the running average
/// past the mode (from there every average only decreases), so it costs O(v − mode) terms.
public enum OneRunAudit {
  /// p(ε) for r = `guesses` guesses of which v = `correct` are right, among m = `canaries`
  /// canaries, at δ; capped at 1.
  public static func pValue(epsilon: Double, guesses: Int, correct: Int, canaries: Int, delta: Double) -> Double {
    check(guesses: guesses, correct: correct, canaries: canaries, delta: delta)
    precondition(epsilon >= 0 && epsilon.isFinite, "ε must be a finite non-negative number, got \(epsilon)")
    if correct == 0 { return 1 }
    // log q and log(1 − q) for q = e^ε/(1 + e^ε), without forming 1 − q.
    let softplus = Double.log(onePlus: Double.exp(-epsilon))
    let logQ = -softplus
    let logOneMinusQ = -epsilon - softplus
    let q = Double.exp(logQ)
    let tail = IncompleteBeta.regularized(a: Double(correct), b: Double(guesses - correct + 1), x: q)
    guard delta > 0 else { return min(1, tail) }
    let r = Double(guesses)
    let mode = ((r + 1) * q).rounded(.down)
    var k = Double(correct - 1)
    var logTerm = Double.logGamma(r + 1) - Double.logGamma(k + 1) - Double.logGamma(r - k + 1) + k * logQ + (r - k) * logOneMinusQ
    var logSum = -Double.infinity
    var bestLogAverage = -Double.infinity
    for i in 1...correct {
      let logAverageBefore = logSum - Double.log(Double(max(i - 1, 1)))
      if i > 1 && k <= mode && logTerm < logAverageBefore { break }
      logSum = logAddExp(logSum, logTerm)
      bestLogAverage = max(bestLogAverage, logSum - Double.log(Double(i)))
      // P[Bin = k − 1] / P[Bin = k] = k/(r − k + 1) · (1 − q)/q.
      if k > 0 { logTerm += Double.log(k / (r - k + 1)) - epsilon }
      k -= 1
    }
    return min(1, tail + 2 * Double(canaries) * delta * Double.exp(bestLogAverage))
  }

  /// The largest ε with p(ε) < 1 − confidence, found by bisection to 1e-10 (0 when even ε = 0
  /// is not rejected). Bisection presumes p(ε) crosses 1 − confidence once, as in the paper's
  /// reference code: the tail term rises with ε; the δ term falls, and is small wherever a bound
  /// is worth reporting.
  public static func epsilonLowerBound(guesses: Int, correct: Int, canaries: Int, delta: Double, confidence: Double)
    -> Double
  {
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    let alpha = 1 - confidence
    func rejected(_ epsilon: Double) -> Bool {
      pValue(epsilon: epsilon, guesses: guesses, correct: correct, canaries: canaries, delta: delta) < alpha
    }
    guard rejected(0) else { return 0 }
    var low = 0.0
    var high = 1.0
    while rejected(high) {
      low = high
      high *= 2
      precondition(high < 1e4, "the one-run p-value stays below α up to ε = \(high): \(correct) of \(guesses)")
    }
    while high - low > 1e-10 {
      let middle = (low + high) / 2
      if rejected(middle) { low = middle } else { high = middle }
    }
    return low
  }

  /// The bound when every one of the m canaries is guessed and every guess is right: the most a
  /// one-run audit with m canaries can ever show (m = 100 → 3.49, 1,000 → 5.81, 10⁴ → 8.11 at
  /// δ = 0 and 95% confidence).
  public static func ceiling(canaries: Int, delta: Double, confidence: Double) -> Double {
    epsilonLowerBound(guesses: canaries, correct: canaries, canaries: canaries, delta: delta, confidence: confidence)
  }

  /// Guess IN for the `positiveGuesses` highest scores, OUT for the `negativeGuesses` lowest,
  /// abstain on the rest; count correct guesses against `included`. Equal scores are ordered by
  /// position (a stable sort), so the guess is deterministic.
  public static func guess(scores: [Double], included: [Bool], positiveGuesses: Int, negativeGuesses: Int) -> (
    guesses: Int, correct: Int
  ) {
    precondition(scores.count == included.count, "\(scores.count) scores but \(included.count) inclusion flags")
    precondition(
      positiveGuesses >= 0 && negativeGuesses >= 0 && positiveGuesses + negativeGuesses <= scores.count,
      "need k₊, k₋ ≥ 0 and k₊ + k₋ ≤ m, got k₊ = \(positiveGuesses), k₋ = \(negativeGuesses), m = \(scores.count)")
    let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
    var correct = order.prefix(positiveGuesses).lazy.filter { included[$0] }.count
    correct += order.suffix(negativeGuesses).lazy.filter { !included[$0] }.count
    return (positiveGuesses + negativeGuesses, correct)
  }

  private static func check(guesses: Int, correct: Int, canaries: Int, delta: Double) {
    precondition(
      correct >= 0 && correct <= guesses && guesses <= canaries && canaries >= 1,
      "need 0 ≤ correct ≤ guesses ≤ canaries, canaries ≥ 1: got \(correct), \(guesses), \(canaries)")
    precondition(delta >= 0 && delta < 1, "δ must be in [0, 1), got \(delta)")
  }

  private static func logAddExp(_ x: Double, _ y: Double) -> Double {
    if x == -.infinity { return y }
    if y == -.infinity { return x }
    let larger = max(x, y)
    return larger + Double.log(onePlus: Double.exp(-abs(x - y)))
  }
}

/// The outcome of a one-run canary audit: the counts, the bound and its ceiling.
public struct OneRunResult: Sendable, Codable, Equatable {
  /// m, the number of canaries.
  public var canaries: Int
  /// k₊, guesses IN (the highest scores).
  public var positiveGuesses: Int
  /// k₋, guesses OUT (the lowest scores).
  public var negativeGuesses: Int
  /// r = k₊ + k₋.
  public var guesses: Int
  /// v, the correct guesses.
  public var correct: Int
  public var delta: Double
  public var confidence: Double
  /// The largest ε rejected at `confidence` (0 when none).
  public var epsilonLowerBound: Double
  /// The bound this configuration would give if all r guesses were right: the most it can show
  /// (equal to `OneRunAudit.ceiling(canaries:…)` when every canary is guessed).
  public var ceiling: Double

  enum CodingKeys: String, CodingKey {
    case canaries, guesses, correct, delta, confidence, ceiling
    case positiveGuesses = "positive_guesses"
    case negativeGuesses = "negative_guesses"
    case epsilonLowerBound = "epsilon_lower_bound"
  }

  /// Runs the audit on canary scores (higher = more likely included) and their inclusion flags.
  /// Throws `AuditError` for mismatched lengths, non-finite scores or too many guesses.
  public init(
    scores: [Double], included: [Bool], positiveGuesses: Int, negativeGuesses: Int, delta: Double, confidence: Double
  ) throws {
    guard scores.count == included.count else {
      throw AuditError("\(scores.count) scores but \(included.count) inclusion flags")
    }
    guard !scores.isEmpty else { throw AuditError("no canaries") }
    if let index = scores.firstIndex(where: { !$0.isFinite }) {
      throw AuditError("score \(index) is \(scores[index]); scores must be finite numbers")
    }
    guard positiveGuesses >= 0, negativeGuesses >= 0, positiveGuesses + negativeGuesses <= scores.count else {
      throw AuditError(
        "cannot make \(positiveGuesses) positive and \(negativeGuesses) negative guesses among \(scores.count) canaries")
    }
    let outcome = OneRunAudit.guess(
      scores: scores, included: included, positiveGuesses: positiveGuesses, negativeGuesses: negativeGuesses)
    canaries = scores.count
    self.positiveGuesses = positiveGuesses
    self.negativeGuesses = negativeGuesses
    guesses = outcome.guesses
    correct = outcome.correct
    self.delta = delta
    self.confidence = confidence
    epsilonLowerBound = OneRunAudit.epsilonLowerBound(
      guesses: outcome.guesses, correct: outcome.correct, canaries: scores.count, delta: delta, confidence: confidence)
    ceiling =
      outcome.guesses == 0
      ? 0
      : OneRunAudit.epsilonLowerBound(
        guesses: outcome.guesses, correct: outcome.guesses, canaries: scores.count, delta: delta, confidence: confidence)
  }
}
