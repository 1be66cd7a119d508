/// The outcome of a one-run audit whose guesses were chosen by `OneRunGuessSelection`: the
/// configuration used, its counts, the bound and the most that configuration could have shown.
public struct SelectedOneRunResult: Sendable, Codable, Equatable {
  /// How the guesses were chosen.
  public enum Strategy: String, Sendable, Codable {
    /// Every grid entry bounded at confidence 1 − α/|grid|, the largest reported.
    case bonferroniGrid = "bonferroni_grid"
    /// The best grid entry chosen on a random half, bounded on the other half at 1 − α.
    case heldOutHalf = "held_out_half"
  }

  public var strategy: Strategy
  public var analysis: OneRunAnalysis
  /// m in the bound: every canary for the grid, the audited half for the held-out strategy.
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
  /// The confidence of the reported bound, 1 − α.
  public var confidence: Double
  /// The confidence the chosen configuration was bounded at: 1 − α/|grid| for the grid, 1 − α
  /// for the held-out half.
  public var configurationConfidence: Double
  /// Grid entries the strategy chose among.
  public var configurationsTried: Int
  /// The lower bound on ε at δ (0 when nothing is rejected).
  public var epsilonLowerBound: Double
  /// The μ lower bound behind `epsilonLowerBound` for `.tradeOffGaussian`, nil otherwise.
  public var muLowerBound: Double?
  /// The bound the chosen configuration would give with all r guesses right, at the same
  /// confidence and m: the most it could show.
  public var ceiling: Double

  enum CodingKeys: String, CodingKey {
    case strategy, analysis, canaries, guesses, correct, delta, confidence, ceiling
    case positiveGuesses = "positive_guesses"
    case negativeGuesses = "negative_guesses"
    case configurationConfidence = "configuration_confidence"
    case configurationsTried = "configurations_tried"
    case epsilonLowerBound = "epsilon_lower_bound"
    case muLowerBound = "mu_lower_bound"
  }
}
