import RealModule

/// Where the sum of independent privacy losses lives: a loss range [L, H] outside which a
/// composition has at most a given mass, by Chernoff bounds on the discretised PLDs.
///
/// For a sum S of independent losses, `count_j` draws from each (sub-probability) PLD ω_j's
/// finite part, and any λ > 0 (Chernoff 1952; the moment generating function is Rényi DP in
/// disguise: E_P[e^{λL}] = e^{λ·D_{λ+1}(P‖Q)}):
///
///     P(S ≥ H) ≤ exp(K(λ) − λH),     K(λ) = Σ_j count_j · log Σ_ℓ ω_j(ℓ)·e^{λℓ},
///
/// so `H = min_λ (K(λ) + log(1/β))/λ` bounds the upper tail by β; the lower tail is the same with
/// −ℓ. `g(λ) = (K(λ) + c)/λ` has derivative sign `λK′ − K − c`, increasing in λ (its derivative is
/// λK″ ≥ 0), so g is unimodal and a golden-section search over log λ finds its minimum. Neither
/// end goes past the largest (smallest) possible sum, where the tail is exactly empty.
///
/// Each PLD enters through `LossMomentGenerator`: the search over λ runs on its grouped
/// approximation (O(2,048 · components · 56) exponentials whatever the grid size), and the bound
/// is then evaluated with the exact sum over the grid at the λ found, so it holds exactly.
struct CompositionWindow: Sendable {
  /// L: the composition puts at most β below it.
  let lowestLoss: Double
  /// H: the composition puts at most `massAbove` above it.
  let highestLoss: Double
  /// A bound on the composition's finite mass above H: β, or 0 when H is the largest possible
  /// sum.
  let massAbove: Double

  /// The window of `components` (each a PLD's generator and how many times it is composed) for
  /// tail mass β ∈ (0, 1).
  init(components: [(generator: LossMomentGenerator, count: Int)], tailMass: Double) {
    precondition(tailMass > 0 && tailMass < 1, "tail mass \(tailMass) outside (0, 1)")
    let largestSum = components.reduce(0.0) { $0 + Double($1.count) * $1.generator.highestLoss }
    let smallestSum = components.reduce(0.0) { $0 + Double($1.count) * $1.generator.lowestLoss }
    let upper = Self.bound(components, tailMass: tailMass, sign: 1)
    let lower = Self.bound(components, tailMass: tailMass, sign: -1)
    // A bound that is not finite (no finite mass at all) leaves the exact extremes.
    highestLoss = upper.isFinite ? min(upper, largestSum) : largestSum
    massAbove = highestLoss < largestSum ? tailMass : 0
    lowestLoss = min(lower.isFinite ? max(-lower, smallestSum) : smallestSum, highestLoss)
  }

  /// `min_λ (K(sign·λ) + log(1/β))/λ` over λ > 0: the upper tail's edge H (sign 1) or minus the
  /// lower tail's edge (sign −1). λ is located on the grouped approximation of K, and the bound is
  /// evaluated there with the exact K (any λ gives a valid bound).
  private static func bound(
    _ components: [(generator: LossMomentGenerator, count: Int)], tailMass: Double, sign: Double
  ) -> Double {
    let logInverseTail = -Double.log(tailMass)
    let best = minimiser { lambda in
      (components.reduce(0.0) { $0 + Double($1.count) * $1.generator.approximateLogMoment(sign * lambda) }
        + logInverseTail) / lambda
    }
    let exact = components.reduce(0.0) { $0 + Double($1.count) * $1.generator.logMoment(sign * best) }
    return (exact + logInverseTail) / best
  }

  /// The λ > 0 minimising a function unimodal in λ, by golden-section search on log λ over
  /// [e⁻³⁰, e⁴⁰] (λ from 10⁻¹³ to 2·10¹⁷, wide enough for loss scales from 10⁻¹⁶ to 10¹³ nats).
  static func minimiser(of function: (Double) -> Double) -> Double {
    let ratio = (5.0.squareRoot() - 1) / 2
    var low = -30.0
    var high = 40.0
    var left = high - ratio * (high - low)
    var right = low + ratio * (high - low)
    var leftValue = function(Double.exp(left))
    var rightValue = function(Double.exp(right))
    for _ in 0..<56 {
      if leftValue <= rightValue {
        high = right
        right = left
        rightValue = leftValue
        left = high - ratio * (high - low)
        leftValue = function(Double.exp(left))
      } else {
        low = left
        left = right
        leftValue = rightValue
        right = low + ratio * (high - low)
        rightValue = function(Double.exp(right))
      }
    }
    return Double.exp(leftValue <= rightValue ? left : right)
  }
}
