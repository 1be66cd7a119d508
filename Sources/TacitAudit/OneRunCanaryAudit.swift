/// The sound one-run canary audit Tacit reports, after a run and in `tacit audit canaries`: two
/// analyses of the same canary scores, each at confidence 1 − α/2, the larger bound the headline,
/// valid at 1 − α by the union bound (Bonferroni):
///
/// - `.epsilonDelta`: Steinke, Nasr & Jagielski 2023's (ε, δ) p-value (`OneRunAudit`);
/// - `.tradeOffEpsilonDelta`: Mahloujifar, Melis & Chaudhuri 2024's f-DP recursion against the
///   (ε, δ) trade-off curve (`FDPOneRunAudit`): the same claim, no assumption on the curve's
///   shape, and no 2mδ term (at m = 10⁵, δ = 1e-5 that term is 2 and the first analysis
///   collapses).
///
/// **Guesses.** `.bonferroniGrid` (the default) chooses them soundly after the scores are seen:
/// r = m, m/2, m/4, … split evenly IN/OUT (`OneRunGuessGrid.halvings`), each configuration at
/// its share of the analysis' α (`OneRunGuessSelection.bonferroniGrid`). `.fixed(positive:
/// negative:)` uses those counts, which must be fixed before the scores are seen (a recipe's
/// `audit.canaries.guess_fraction`, or `--positive-guesses`/`--negative-guesses`).
///
/// **Ceiling.** `ceiling` is the most this audit could show whatever the scores: the largest
/// bound over the analyses (and, for the grid, over its configurations at their corrected
/// confidence) if every guess were right (`OneRunCeiling`). A claimed ε at or above it cannot be
/// refuted by this audit.
///
/// Cost: one sort of the scores, then one bound per analysis and grid entry (≈ 20 bounds for
/// m = 10⁴), plus the same for the ceiling.
public struct OneRunCanaryAudit: Sendable {
  /// The analyses reported, each at 1 − α/2.
  public static let analyses: [OneRunAnalysis] = [.epsilonDelta, .tradeOffEpsilonDelta]

  /// How the guesses are chosen.
  public enum Guesses: Sendable, Equatable {
    /// The Bonferroni grid r = m, m/2, m/4, … (`OneRunGuessGrid.halvings`), chosen after the
    /// scores are seen.
    case bonferroniGrid
    /// k₊ IN guesses for the highest scores and k₋ OUT guesses for the lowest, fixed in advance.
    case fixed(positive: Int, negative: Int)

    /// The guesses a recipe's `guess_fraction` f makes among m canaries: ⌊f·m/2⌋ (at least 1)
    /// IN and as many OUT.
    public static func fraction(_ guessFraction: Double, canaries: Int) -> Guesses {
      let perSide = max(1, Int((guessFraction * Double(canaries) / 2).rounded(.down)))
      return .fixed(positive: min(perSide, canaries), negative: min(perSide, canaries - min(perSide, canaries)))
    }

    /// The selection in words, e.g. "Bonferroni grid of 7 guess counts (r = m, m/2, m/4, …, half
    /// IN, half OUT)" for m canaries.
    public func description(canaries: Int) -> String {
      switch self {
      case .bonferroniGrid:
        let tried = OneRunGuessGrid.halvings(canaries: canaries).entries.count
        return "Bonferroni grid of \(tried) guess counts (r = m, m/2, m/4, …, half IN, half OUT)"
      case .fixed(let positive, let negative):
        return "fixed guesses (\(positive) IN, \(negative) OUT, chosen before training)"
      }
    }
  }

  /// One analysis' bound: the guesses it used, the bound and its ceiling.
  public struct Bound: Sendable, Equatable {
    public var analysis: OneRunAnalysis
    public var positiveGuesses: Int
    public var negativeGuesses: Int
    public var correct: Int
    public var epsilonLowerBound: Double
    /// The bound of the configuration used if every one of its guesses were right.
    public var ceiling: Double
    /// The confidence of the configuration's own bound (1 − α/2, further divided over a grid).
    public var configurationConfidence: Double
    public var guesses: Int { positiveGuesses + negativeGuesses }

    public init(
      analysis: OneRunAnalysis, positiveGuesses: Int, negativeGuesses: Int, correct: Int, epsilonLowerBound: Double,
      ceiling: Double, configurationConfidence: Double
    ) {
      self.analysis = analysis
      self.positiveGuesses = positiveGuesses
      self.negativeGuesses = negativeGuesses
      self.correct = correct
      self.epsilonLowerBound = epsilonLowerBound
      self.ceiling = ceiling
      self.configurationConfidence = configurationConfidence
    }

    /// The analysis' short name and its method with the paper, e.g. ("f-DP one-run", "f-DP
    /// one-run audit, (ε, δ) trade-off curve (Mahloujifar, Melis & Chaudhuri 2024)").
    public var names: (short: String, method: String) { OneRunCanaryAudit.names(analysis) }
  }

  public var guesses: Guesses
  /// m.
  public var canaries: Int
  public var delta: Double
  /// 1 − α, the confidence of the headline.
  public var confidence: Double
  /// One bound per `analyses` entry, in that order.
  public var bounds: [Bound]
  /// The most this audit could show (see the type's comment).
  public var ceiling: Double

  /// The larger bound (the first of equal ones).
  public var headline: Bound {
    bounds.dropFirst().reduce(bounds[0]) { $1.epsilonLowerBound > $0.epsilonLowerBound ? $1 : $0 }
  }

  /// The selection in words.
  public var selection: String { guesses.description(canaries: canaries) }

  /// The confidence of each analysis: 1 − α/2.
  public static func analysisConfidence(_ confidence: Double) -> Double {
    1 - (1 - confidence) / Double(analyses.count)
  }

  /// Audits canary scores (higher = more likely included) against their inclusion flags.
  /// Throws `AuditError` for mismatched lengths, no canaries, non-finite scores or more guesses
  /// than canaries.
  public init(scores: [Double], included: [Bool], guesses: Guesses, delta: Double, confidence: Double) throws {
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    let each = Self.analysisConfidence(confidence)
    switch guesses {
    case .bonferroniGrid:
      bounds = try Self.analyses.map { analysis in
        let result = try OneRunGuessSelection.bonferroniGrid(
          scores: scores, included: included, delta: delta, confidence: each, analysis: analysis)
        return Bound(
          analysis: analysis, positiveGuesses: result.positiveGuesses, negativeGuesses: result.negativeGuesses,
          correct: result.correct, epsilonLowerBound: result.epsilonLowerBound, ceiling: result.ceiling,
          configurationConfidence: result.configurationConfidence)
      }
    case .fixed(let positive, let negative):
      let fixed = try OneRunResult(
        scores: scores, included: included, positiveGuesses: positive, negativeGuesses: negative, delta: delta,
        confidence: each)
      bounds = Self.analyses.map { analysis in
        func bound(correct: Int) -> Double {
          fixed.guesses == 0
            ? 0
            : analysis.bound(
              guesses: fixed.guesses, correct: correct, canaries: fixed.canaries, delta: delta, confidence: each
            ).epsilon
        }
        return Bound(
          analysis: analysis, positiveGuesses: positive, negativeGuesses: negative, correct: fixed.correct,
          epsilonLowerBound: bound(correct: fixed.correct), ceiling: bound(correct: fixed.guesses),
          configurationConfidence: each)
      }
    }
    self.guesses = guesses
    canaries = scores.count
    self.delta = delta
    self.confidence = confidence
    ceiling = OneRunCeiling(canaries: scores.count, guesses: guesses, delta: delta, confidence: confidence).ceiling
  }

  /// The short name and the method, with the paper, of each analysis.
  public static func names(_ analysis: OneRunAnalysis) -> (short: String, method: String) {
    switch analysis {
    case .epsilonDelta: return ("(ε, δ) one-run", "one-run audit (Steinke, Nasr & Jagielski 2023)")
    case .tradeOffEpsilonDelta:
      return ("f-DP one-run", "f-DP one-run audit, (ε, δ) trade-off curve (Mahloujifar, Melis & Chaudhuri 2024)")
    case .tradeOffGaussian:
      return ("f-DP Gaussian", "f-DP one-run audit, Gaussian trade-off curve (Mahloujifar, Melis & Chaudhuri 2024)")
    }
  }
}
