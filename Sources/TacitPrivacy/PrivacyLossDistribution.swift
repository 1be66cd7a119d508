import RealModule

/// A discrete privacy loss distribution (PLD) on a uniform grid of losses, plus a mass at +∞.
///
/// For a pair of output distributions (P, Q) of a mechanism on neighbouring datasets, the privacy
/// loss is `L = log(dP/dQ)(Y)` with `Y ~ P`; its distribution ω determines every (ε, δ)
/// guarantee through the hockey-stick divergence (Sommer, Meiser & Mohammadi 2019, Thm. 1):
///
///     δ(ε) = sup_S P(S) − e^ε·Q(S) = ω({+∞}) + Σ_{ℓ > ε} ω(ℓ)·(1 − e^{ε−ℓ}).
///
/// Privacy losses add under composition, so the PLD of a composition is the convolution of the
/// PLDs (Meiser & Mohammadi 2018; Koskela, Jälkö & Honkela 2020).
///
/// Representation: `probabilities[j]` is the mass at loss `(lowestLossIndex + j)·lossInterval`;
/// `infiniteMass` is the mass at +∞ (outcomes Q cannot produce, plus every tail this type or its
/// constructors cut off: truncation never drops mass, it sends upper tails to +∞). Every
/// operation here is pessimistic: it can only move mass to higher losses, which can only raise
/// δ(ε) (δ(ε) is non-decreasing under first-order stochastic dominance of ω, and convolution
/// preserves dominance), so the figures stay upper bounds for the mechanism.
///
/// Invariants: probabilities are ≥ 0, there is at least one, and `Σ probabilities + infiniteMass`
/// is 1 up to rounding (FFT noise of order 1e-16 per entry after composition).
public struct PrivacyLossDistribution: Sendable, Equatable {
  /// The grid spacing Δ of the losses (nats).
  public let lossInterval: Double
  /// The loss of `probabilities[0]` divided by `lossInterval`.
  public let lowestLossIndex: Int
  /// `probabilities[j]` is the mass at loss `(lowestLossIndex + j)·lossInterval`.
  public let probabilities: [Double]
  /// The mass at loss +∞ (counts fully towards δ at every ε).
  public let infiniteMass: Double

  /// A PLD from its parts; see the type's invariants.
  public init(lossInterval: Double, lowestLossIndex: Int, probabilities: [Double], infiniteMass: Double) {
    precondition(lossInterval > 0 && lossInterval.isFinite, "loss interval \(lossInterval) must be positive")
    precondition(!probabilities.isEmpty, "a privacy loss distribution needs at least one finite loss")
    precondition(infiniteMass >= 0 && infiniteMass <= 1, "infinite mass \(infiniteMass) outside [0, 1]")
    self.lossInterval = lossInterval
    self.lowestLossIndex = lowestLossIndex
    self.probabilities = probabilities
    self.infiniteMass = infiniteMass
  }

  /// The PLD of a mechanism that reveals nothing: all mass at loss 0 (the identity of
  /// composition).
  public static func identity(lossInterval: Double) -> PrivacyLossDistribution {
    PrivacyLossDistribution(lossInterval: lossInterval, lowestLossIndex: 0, probabilities: [1], infiniteMass: 0)
  }

  /// The loss at grid position `j` of `probabilities`.
  public func loss(at j: Int) -> Double { Double(lowestLossIndex + j) * lossInterval }

  /// The largest finite loss on the grid.
  public var highestLoss: Double { loss(at: probabilities.count - 1) }

  /// The hockey-stick divergence δ(ε) = ω(+∞) + Σ_{ℓ > ε} ω(ℓ)·(1 − e^{ε−ℓ}), for any real ε.
  ///
  /// Numerical properties: each term is formed with `expMinusOne`, so tiny δ keep their relative
  /// accuracy (no cancellation between a sum of masses and a sum of weighted masses).
  /// Complexity: `O(n)` in the number of grid points above ε.
  public func delta(epsilon: Double) -> Double {
    precondition(!epsilon.isNaN, "ε is NaN")
    if epsilon == .infinity { return infiniteMass }
    // Grid index of ε, kept within ±2⁶² so that the conversion to Int cannot trap (ε = 1e300, −∞):
    // any ε beyond the grid behaves like the grid's end.
    let index = min(max((epsilon / lossInterval).rounded(.down), -0x1p62), 0x1p62)
    let firstAbove = max(0, Int(index) - lowestLossIndex + 1)
    var total = 0.0
    if firstAbove < probabilities.count {
      for j in firstAbove..<probabilities.count {
        let gap = epsilon - loss(at: j)
        if gap < 0 { total -= probabilities[j] * Double.expMinusOne(gap) }
      }
    }
    return infiniteMass + total
  }

  /// The smallest ε ≥ 0 with δ(ε) ≤ `delta`, or `nil` when no finite ε has it (the mass at +∞
  /// alone exceeds `delta`).
  ///
  /// δ(ε) is continuous and non-increasing, and between consecutive grid losses
  /// `ℓ_{j−1} ≤ ε < ℓ_j` it is `S − e^{ε−ℓ_{j−1}}·W` with `S = ω(+∞) + Σ_{i ≥ j} ω(ℓ_i)` and
  /// `W = Σ_{i ≥ j} ω(ℓ_i)·e^{ℓ_{j−1}−ℓ_i}`. One pass from the top finds the segment where δ
  /// crosses `delta` and solves there: `ε = ℓ_{j−1} + log((S − delta)/W)`. The scaled sum `W` is
  /// updated as `W ← e^{−Δ}·(W + ω(ℓ))`, which neither overflows nor underflows for losses of any
  /// size. Complexity `O(n)`.
  public func epsilon(delta: Double) -> Double? {
    precondition(delta >= 0 && delta <= 1, "δ = \(delta) outside [0, 1]")
    if infiniteMass > delta { return nil }
    let decay = Double.exp(-lossInterval)
    // Sums over the losses strictly above the current grid point `j`.
    var upperMass = infiniteMass
    var scaledLowerMass = 0.0
    var j = probabilities.count - 1
    while j >= 0 {
      // Now δ(ℓ_j) = upperMass − scaledLowerMass ≤ delta. Extend the sums to include ℓ_j, which
      // gives the sums for the segment just below ℓ_j, scaled to its left end ℓ_{j−1}.
      upperMass += probabilities[j]
      scaledLowerMass = decay * (scaledLowerMass + probabilities[j])
      if upperMass - scaledLowerMass > delta || j == 0 {
        // δ(ℓ_{j−1}) > delta (or ℓ_j is the lowest loss): solve on the segment below ℓ_j.
        guard upperMass > delta else { return 0 }
        let leftEnd = loss(at: j - 1)
        let offset = scaledLowerMass > 0 ? Double.log((upperMass - delta) / scaledLowerMass) : .infinity
        return max(0, min(leftEnd + offset, loss(at: j)))
      }
      j -= 1
    }
    return 0
  }
}
