/// The most a one-run canary audit (`OneRunCanaryAudit`) of m canaries can show, known before
/// training: its bound if every guess were right.
///
/// For each analysis of `OneRunCanaryAudit.analyses` at confidence 1 − α/2 and each guess
/// configuration (r = k₊ + k₋ guesses; the grid's r = m, m/2, … each at its corrected confidence
/// 1 − α/(2·|grid|)), the bound with v = r correct; the ceiling is the largest. A perfect attack
/// (a run that leaks every canary completely, e.g. no noise) reaches it; no attack exceeds it.
/// So a claim ε ≥ ceiling cannot be refuted by the audit, whatever the run does: such an audit
/// is `UNTESTABLE` for that claim (`AuditVerdict`).
///
/// How the ceiling grows (95%, grid, both analyses; `OneRunCeilingTests.ceilingTable` prints the
/// table of docs/auditing.md): about ln 2 per doubling of m, as a perfect attack's p-value is
/// q^m with q = e^ε/(1 + e^ε), so ε ≈ ln(m / ln(1/α)). Steinke et al.'s δ term 2mδ grows with m
/// and caps their analysis near m ≈ 1/(2δ); the f-DP analysis has no such term, so at δ = 1e-5
/// the ceiling beyond m ≈ 10⁴ is the f-DP one's.
///
/// Cost: one bound per analysis and configuration with v = r, each a bisection (< 10 ms in a
/// release build at m = 10⁵).
public struct OneRunCeiling: Sendable {
  /// m.
  public var canaries: Int
  public var guesses: OneRunCanaryAudit.Guesses
  public var delta: Double
  /// 1 − α, the confidence of the audit's headline.
  public var confidence: Double
  /// Each analysis' ceiling, in `OneRunCanaryAudit.analyses` order.
  public var perAnalysis: [(analysis: OneRunAnalysis, ceiling: Double)]

  /// The largest of `perAnalysis`.
  public var ceiling: Double { perAnalysis.map(\.ceiling).max() ?? 0 }

  public init(canaries: Int, guesses: OneRunCanaryAudit.Guesses, delta: Double, confidence: Double) {
    precondition(canaries >= 1, "need at least one canary, got \(canaries)")
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    precondition(delta >= 0 && delta < 1, "δ must be in [0, 1), got \(delta)")
    self.canaries = canaries
    self.guesses = guesses
    self.delta = delta
    self.confidence = confidence
    let each = OneRunCanaryAudit.analysisConfidence(confidence)
    let configurations: [(guesses: Int, confidence: Double)]
    switch guesses {
    case .bonferroniGrid:
      let grid = OneRunGuessGrid.halvings(canaries: canaries)
      let entryConfidence = 1 - (1 - each) / Double(grid.entries.count)
      configurations = grid.entries.map { entry in
        let counts = entry.counts(canaries: canaries)
        return (counts.positive + counts.negative, entryConfidence)
      }
    case .fixed(let positive, let negative):
      precondition(
        positive >= 0 && negative >= 0 && positive + negative <= canaries,
        "need k₊, k₋ ≥ 0 and k₊ + k₋ ≤ m, got \(positive), \(negative), m = \(canaries)")
      configurations = [(positive + negative, each)]
    }
    perAnalysis = OneRunCanaryAudit.analyses.map { analysis in
      let best = configurations.filter { $0.guesses > 0 }.map { configuration in
        analysis.bound(
          guesses: configuration.guesses, correct: configuration.guesses, canaries: canaries, delta: delta,
          confidence: configuration.confidence
        ).epsilon
      }.max()
      return (analysis, best ?? 0)
    }
  }

  /// Canary counts `audit.canaries.count: auto` chooses among, smallest first.
  public static let canaryLadder = [1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]

  /// How far above the claim `sized` wants the ceiling: ln 2. The grid's r = m/2 configuration
  /// has a ceiling about ln 2 below r = m's, so with this margin an attack that is certain of only
  /// half of the canaries (a run that leaks half of them completely) still refutes the claim.
  public static let margin = 0.6931471805599453

  /// The audit size for a claimed ε: the smallest m of `ladder` (at most `maximumCanaries`) whose
  /// grid ceiling is at least `claimedEpsilon + margin`; else the smallest whose ceiling exceeds
  /// the claim; else the one with the largest ceiling (the claim is untestable with these
  /// canaries: the caller says so). `nil` when no rung fits under `maximumCanaries`.
  public static func sized(
    claimedEpsilon: Double, delta: Double, confidence: Double, maximumCanaries: Int, ladder: [Int] = canaryLadder
  ) -> OneRunCeiling? {
    let ceilings = ladder.filter { $0 <= maximumCanaries }.map {
      OneRunCeiling(canaries: $0, guesses: .bonferroniGrid, delta: delta, confidence: confidence)
    }
    guard let largest = ceilings.max(by: { $0.ceiling < $1.ceiling }) else { return nil }
    return ceilings.first { $0.ceiling >= claimedEpsilon + margin } ?? ceilings.first { $0.ceiling > claimedEpsilon }
      ?? largest
  }
}
