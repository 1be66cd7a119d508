/// A grid of one-run guess configurations, fixed before any score is seen: each entry is a pair of
/// fractions of the canaries, guessed IN (the highest scores) and OUT (the lowest).
///
/// The default, `halvings`, guesses r = m, m/2, m/4, … canaries (while r ≥ `minimumGuesses`), half
/// of them IN and half OUT: an attack with a few sure canaries is best served by few guesses, a
/// weak but broad one by many, and a factor of two between neighbours loses little of the best
/// r (the bound is flat near its optimum) while keeping the grid, and so the Bonferroni price
/// log |grid|, small: 10 entries for m = 10⁴, 13 for 10⁵.
public struct OneRunGuessGrid: Sendable, Codable, Equatable {
  /// One configuration: k₊ = round(positive·m), k₋ = round(negative·m).
  public struct Fractions: Sendable, Codable, Equatable {
    public var positive: Double
    public var negative: Double

    public init(positive: Double, negative: Double) {
      precondition(
        positive >= 0 && negative >= 0 && positive + negative <= 1,
        "need guess fractions ≥ 0 summing to at most 1, got \(positive) IN and \(negative) OUT")
      self.positive = positive
      self.negative = negative
    }

    /// (k₊, k₋) among m canaries, rounded to nearest; k₊ + k₋ ≤ m.
    public func counts(canaries: Int) -> (positive: Int, negative: Int) {
      let positiveCount = Int((positive * Double(canaries)).rounded())
      let negativeCount = Int((negative * Double(canaries)).rounded())
      return (min(positiveCount, canaries), min(negativeCount, canaries - min(positiveCount, canaries)))
    }
  }

  public var entries: [Fractions]

  public init(entries: [Fractions]) {
    precondition(!entries.isEmpty, "a guess grid needs at least one entry")
    self.entries = entries
  }

  /// r = m, m/2, m/4, … while r ≥ `minimumGuesses` (at least the entry r = m), split evenly
  /// between IN and OUT.
  public static func halvings(canaries: Int, minimumGuesses: Int = 16) -> OneRunGuessGrid {
    precondition(canaries >= 1, "need at least one canary, got \(canaries)")
    var entries: [Fractions] = []
    var fraction = 1.0
    repeat {
      entries.append(Fractions(positive: fraction / 2, negative: fraction / 2))
      fraction /= 2
    } while fraction * Double(canaries) >= Double(minimumGuesses)
    return OneRunGuessGrid(entries: entries)
  }
}
