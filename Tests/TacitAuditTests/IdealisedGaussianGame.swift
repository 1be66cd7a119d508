import RealModule

@testable import TacitAudit

/// The idealised Gaussian one-run game of Steinke et al. and Mahloujifar et al.: each of m
/// canaries is included with probability ½ and scores N(μ, 1) when included, N(0, 1) when not.
enum IdealisedGaussianGame {
  /// Expected correct guesses for k₊ IN guesses above a threshold t and k₋ OUT guesses below s:
  /// t solves (m/2)(Q(t − μ) + Q(t)) = k₊ and gives (m/2)Q(t − μ) right; s solves
  /// (m/2)(Φ(s − μ) + Φ(s)) = k₋ and gives (m/2)Φ(s) right (Q = 1 − Φ; bisection to 1e-13).
  static func expectedCorrect(mu: Double, canaries: Int, positive: Int, negative: Int) -> Double {
    let half = Double(canaries) / 2
    func solve(_ count: Double, _ increasing: (Double) -> Double) -> Double {
      var low = -40.0
      var high = 40.0
      while high - low > 1e-13 {
        let middle = (low + high) / 2
        if increasing(middle) < count { low = middle } else { high = middle }
      }
      return (low + high) / 2
    }
    var total = 0.0
    if positive > 0 {
      // Guesses above t fall as t rises; solve on −t.
      let t = -solve(Double(positive)) { half * (standardNormalCDF($0 + mu) + standardNormalCDF($0)) }
      total += half * standardNormalCDF(mu - t)
    }
    if negative > 0 {
      let s = solve(Double(negative)) { half * (standardNormalCDF($0 - mu) + standardNormalCDF($0)) }
      total += half * standardNormalCDF(s)
    }
    return total
  }

  /// One draw of the game: scores and inclusion flags.
  static func draw(mu: Double, canaries: Int, using generator: inout SplitMix64) -> (scores: [Double], included: [Bool]) {
    var scores: [Double] = []
    var included: [Bool] = []
    for _ in 0..<canaries {
      let inside = Bool.random(using: &generator)
      included.append(inside)
      scores.append(generator.normal() + (inside ? mu : 0))
    }
    return (scores, included)
  }
}
