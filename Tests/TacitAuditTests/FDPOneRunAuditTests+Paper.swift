import Foundation
import Testing

@testable import TacitAudit

/// The f-DP one-run audit against its authors: the outputs printed by their group's implementation,
/// and Table 1 of the paper (Mahloujifar, Melis & Chaudhuri, ICML 2025) under the protocol the
/// paper describes. Reference values: Scripts/fdp_one_run_reference.py (sections 2–5).
///
/// Summary of what these establish. The recursion is the paper's Algorithm 3 step for step (same
/// start τc/m and τ(c′ − c)/m, same update, same test against c′/m; their appendix code and
/// PrivacyGuard agree), so Tacit's bound is exactly as tight as the paper's analysis. The paper's
/// "Ours" column of Table 1 (8.16 / 3.61 / 1.59 / 0.82) is not what that analysis gives under the
/// protocol the paper states (expected correct counts of its idealised game, Appendix D, the best
/// number of guesses): 7.37 / 3.36 / 1.50 / 0.73. The printed values sit inside the spread of single
/// simulated games with the number of guesses picked after seeing each game (μ = 1: mean 3.61,
/// sd 0.38 over 40 games), which is neither the stated protocol nor a valid bound.
extension FDPOneRunAuditTests {
  /// Meta's PrivacyGuard (`FDPAnalysisNode`, tutorial_notebooks/fdp_analysis_tutorial.ipynb, by
  /// the authors' group) printed these (m, correct of guesses) → ε. Its search differs from
  /// `FDPOneRunAudit.epsilonLowerBound` only in resolution: noise σ = start + 0.01i (μ = 1/σ), the
  /// first σ rejected at 95%, then ε of that μ by bisection to 1e-3 (its upper end). Replaying that
  /// search on `FDPOneRunAudit.rejects` gives every printed value (to its bisection's 1e-3), and the
  /// continuous search is never lower. One case is capped by their grid's start (σ ≥ 1, so
  /// ε ≤ 4.3777: 65 of 65 reaches it), where the continuous bound goes on to 4.60.
  @Test(arguments: [
    (100, 80, 70, 0.001, 1e-6, 3.2906), (1000, 10, 10, 1.0, 1e-5, 1.2260), (1000, 15, 15, 1.0, 1e-5, 1.8776),
    (1000, 25, 25, 1.0, 1e-5, 2.7534), (1000, 40, 40, 1.0, 1e-5, 3.6179), (1000, 65, 65, 1.0, 1e-5, 4.3777),
    (1000, 268, 255, 1.0, 1e-5, 4.1374), (1000, 429, 404, 1.0, 1e-5, 4.1832), (1000, 686, 621, 1.0, 1e-5, 3.6537),
  ])
  func matchesTheAuthorsImplementation(
    canaries: Int, guesses: Int, correct: Int, gridStart: Double, delta: Double, printed: Double
  ) {
    var sigma = gridStart + 0.01 * 999
    for step in 0..<1000 {
      let candidate = gridStart + 0.01 * Double(step)
      if FDPOneRunAudit.rejects(
        .gaussian(mu: 1 / candidate), guesses: guesses, correct: correct, canaries: canaries, significance: 0.05)
      {
        sigma = candidate
        break
      }
    }
    let replayed = GDPEstimate.epsilon(mu: 1 / sigma, delta: delta)
    let continuous = FDPOneRunAudit.epsilonLowerBound(
      guesses: guesses, correct: correct, canaries: canaries, delta: delta, confidence: 0.95)
    let label = "m \(canaries), \(correct) of \(guesses)"
    #expect(replayed <= printed + 1e-4 && replayed >= printed - 1.1e-3, "\(label): replayed \(replayed), printed \(printed)")
    #expect(continuous >= replayed - 1e-9, "\(label): continuous \(continuous) below the grid's \(replayed)")
  }

  /// The grid of guess counts for Table 1: c′ = 2h, h = ⌊10^(1.2 + j/20) + ½⌋ for j = 0…56
  /// (h from 16 to 10,000, 20 per decade), half IN for the highest scores, half OUT for the lowest.
  static let halfGuessGrid = (0...56).map { Int((pow(10, 1.2 + Double($0) / 20) + 0.5).rounded(.down)) }

  /// Table 1 of the paper: the idealised Gaussian mechanism (canary scores N(1/σ, 1) when included,
  /// N(0, 1) when not: μ = 1/σ), δ = 1e-5, 95%; columns theory / Steinke et al. / f-DP ("Ours").
  ///
  /// The protocol the paper states (§4.1 and Appendix D): c = the expected correct count of its
  /// idealised adversary (Algorithm 4 averages 100 simulated games; `IdealisedGaussianGame`
  /// computes the same expectation exactly: its 1,429 of 1,500 at m = 10⁵, μ = 1 is the pair the
  /// paper prints in Appendix B), audited with Algorithm 3 for every c′, the best c′ reported.
  /// Under it, Tacit gives what the scipy reference gives (to 5e-3) and the theory column to 0.01,
  /// and Steinke's column to within 0.11 (the printed values scatter both ways: 4.99 / 2.61 / 1.33 /
  /// 0.61 against 4.89 / 2.66 / 1.30 / 0.61 here). The f-DP column does not follow: 7.37 / 3.36 /
  /// 1.50 / 0.73 against the printed 8.16 / 3.61 / 1.59 / 0.82. Nor do m = 10⁶ or 10⁷ (at
  /// 10⁷: 8.20 / 3.68 / 1.68 / 0.77, the last still under 0.82), nor a finer grid (near its best
  /// c′ the bound is flat: 3.34–3.36 for c′ from 600 to 800 at σ = 1). Since the recursion is the
  /// paper's (`matchesTheAuthorsImplementation`), the gap is in how the table was produced, not
  /// in Tacit's bound; `bestGuessesPickedAfterTheFactExplainThePrintedTable` shows a protocol
  /// whose spread covers the printed values. The test pins the stated-protocol values and the gap.
  @Test(arguments: [
    (0.5, 100_000, 9.99, 4.99, 8.16, 4.8873, 7.3721), (1.0, 100_000, 4.37, 2.61, 3.61, 2.6647, 3.3567),
    (2.0, 100_000, 1.99, 1.33, 1.59, 1.2964, 1.4997), (4.0, 1_000_000, 0.92, 0.61, 0.82, 0.6107, 0.7266),
  ])
  func reproducesThePapersGaussianExamples(
    sigma: Double, canaries: Int, theory: Double, printedSteinke: Double, printedFDP: Double,
    steinke: Double, fDP: Double
  ) {
    let mu = 1 / sigma
    if sigma == 1 {
      let paperPair = IdealisedGaussianGame.expectedCorrect(mu: mu, canaries: canaries, positive: 750, negative: 750)
      #expect(Int((paperPair + 0.5).rounded(.down)) == 1429, "expected correct of 1,500: \(paperPair)")
    }
    var bestSteinke = 0.0
    var bestFDP = 0.0
    for half in Self.halfGuessGrid {
      let expected = IdealisedGaussianGame.expectedCorrect(mu: mu, canaries: canaries, positive: half, negative: half)
      let correct = Int((expected + 0.5).rounded(.down))
      bestSteinke = max(
        bestSteinke,
        OneRunAudit.epsilonLowerBound(
          guesses: 2 * half, correct: correct, canaries: canaries, delta: 1e-5, confidence: 0.95))
      bestFDP = max(
        bestFDP,
        FDPOneRunAudit.epsilonLowerBound(
          guesses: 2 * half, correct: correct, canaries: canaries, delta: 1e-5, confidence: 0.95))
    }
    let theoryEpsilon = GDPEstimate.epsilon(mu: mu, delta: 1e-5)
    print(
      "Table 1, σ = \(sigma), m = \(canaries): theory \(theoryEpsilon), Steinke \(bestSteinke) (printed \(printedSteinke)),"
        + " f-DP \(bestFDP) (printed \(printedFDP))")
    #expect(abs(theoryEpsilon - theory) < 0.01)
    #expect(abs(bestSteinke - steinke) < 5e-3, "Steinke \(bestSteinke) vs the reference \(steinke)")
    #expect(abs(bestFDP - fDP) < 5e-3, "f-DP \(bestFDP) vs the reference \(fDP)")
    #expect(abs(bestSteinke - printedSteinke) < 0.11)
    #expect(printedFDP - bestFDP > 0.05 && bestFDP > bestSteinke + 0.1 && bestFDP < theoryEpsilon)
  }

  /// The protocol that covers the printed column: one simulated game, c′ picked after seeing it.
  /// μ = 1, m = 10⁵, 12 games (`IdealisedGaussianGame.draw`, seed 2025), each audited at every c′
  /// of the grid from h = 100 to 2,000 (on expected counts the best is h = 355) and its best kept.
  /// Measured here: mean 3.59, range 3.32–3.88. The reference script (section 4: 40 numpy games
  /// per row, the whole grid) gives mean 3.61, sd 0.38, 10–90% 3.29–3.84 for μ = 1, and for
  /// σ = 0.5 / 2 / 4 means 7.74 / 1.65 / 0.77 (sd 0.46 / 0.16 / 0.06; 10–90% 7.18–8.31,
  /// 1.48–1.89, 0.71–0.83) against the printed 8.16 / 1.59 / 0.82: every printed value lies
  /// between the 10th and 90th percentiles of this protocol, and 0.6–1.7 sd above the stated
  /// protocol's value. Choosing c′ after seeing the game is not a valid a-priori bound: its level
  /// is not the nominal 95% (OneRunGuessSelectionTests: the best grid entry picked after the fact
  /// exceeds ε in 27–50 of 300 randomised-response audits, limit 26); Tacit fixes the guesses in
  /// advance or chooses them with `OneRunGuessSelection`. (On this game the Gaussian-curve bound
  /// has so much slack, μ ≥ 0.79 at best against the true 1, that the after-the-fact maximum
  /// rarely passes the truth: 2 of 300 games at m = 400 with 16 choices of c′, script section 5.)
  @Test func bestGuessesPickedAfterTheFactExplainThePrintedTable() {
    let canaries = 100_000
    let stated = 3.3567
    let grid = Self.halfGuessGrid.filter { $0 >= 100 && $0 <= 2000 }
    var generator = SplitMix64(seed: 2025)
    var bests: [Double] = []
    for _ in 0..<12 {
      let game = IdealisedGaussianGame.draw(mu: 1, canaries: canaries, using: &generator)
      let order = game.scores.indices.sorted { game.scores[$0] > game.scores[$1] }
      var best = 0.0
      for half in grid {
        let correct =
          order.prefix(half).filter { game.included[$0] }.count + order.suffix(half).filter { !game.included[$0] }.count
        best = max(
          best,
          FDPOneRunAudit.epsilonLowerBound(
            guesses: 2 * half, correct: correct, canaries: canaries, delta: 1e-5, confidence: 0.95))
      }
      bests.append(best)
    }
    let mean = bests.reduce(0, +) / Double(bests.count)
    print("after the fact, μ = 1: mean \(mean), min \(bests.min()!), max \(bests.max()!) over \(bests.count) games")
    #expect(mean > stated + 0.1, "mean \(mean): selection after the fact should lift it above \(stated)")
    #expect(bests.min()! < 3.61 && bests.max()! > 3.61, "the printed 3.61 should lie inside \(bests)")
  }
}
