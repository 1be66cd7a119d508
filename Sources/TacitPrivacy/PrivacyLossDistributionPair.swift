/// The two privacy loss distributions of a mechanism under add-or-remove-one adjacency.
///
/// For add-or-remove adjacency the worst case over neighbouring datasets is one of two ordered
/// pairs of output distributions: "remove" (P has the record, Q does not) and "add" (the reverse).
/// Under Poisson subsampling their PLDs differ, and composing each direction separately then
/// taking the larger hockey-stick divergence is tight for compositions of one mechanism and an
/// upper bound for mixed compositions (each step's worst case taken in the same direction, as in
/// dp_accounting's `PrivacyLossDistribution`; Zhu, Dong & Wang 2022, §5).
public struct PrivacyLossDistributionPair: Sendable, Equatable {
  /// The PLD with the differing record present in P.
  public let remove: PrivacyLossDistribution
  /// The PLD with the differing record present in Q.
  public let add: PrivacyLossDistribution

  /// A pair on one grid.
  public init(remove: PrivacyLossDistribution, add: PrivacyLossDistribution) {
    precondition(remove.lossInterval == add.lossInterval, "the two directions are on different grids")
    self.remove = remove
    self.add = add
  }

  /// The pair of a mechanism that reveals nothing.
  public static func identity(lossInterval: Double) -> PrivacyLossDistributionPair {
    let identity = PrivacyLossDistribution.identity(lossInterval: lossInterval)
    return PrivacyLossDistributionPair(remove: identity, add: identity)
  }

  /// Both directions of one Poisson-subsampled Gaussian release, discretised by Connect-the-Dots
  /// on one grid (`PrivacyLossDistribution.subsampledGaussian`). For q = 1 the two directions
  /// have the same loss distribution, N(1/(2σ²), 1/σ²), and the remove one is used for both.
  public static func subsampledGaussian(
    noiseMultiplier: Double, sampleRate: Double, lossInterval: Double, tailMass: Double
  ) -> PrivacyLossDistributionPair {
    func direction(_ direction: PrivacyLossDistribution.NeighbouringDirection) -> PrivacyLossDistribution {
      PrivacyLossDistribution.subsampledGaussian(
        noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, direction: direction, lossInterval: lossInterval,
        tailMass: tailMass)
    }
    let remove = direction(.remove)
    return PrivacyLossDistributionPair(remove: remove, add: sampleRate == 1 ? remove : direction(.add))
  }

  /// Both directions composed with `other`'s, direction by direction.
  public func composed(with other: PrivacyLossDistributionPair, tailMassTruncation: Double) -> PrivacyLossDistributionPair {
    PrivacyLossDistributionPair(
      remove: remove.composed(with: other.remove, tailMassTruncation: tailMassTruncation),
      add: add.composed(with: other.add, tailMassTruncation: tailMassTruncation))
  }

  /// Both directions composed with themselves `count` times.
  public func selfComposed(count: Int, tailMassTruncation: Double) -> PrivacyLossDistributionPair {
    PrivacyLossDistributionPair(
      remove: remove.selfComposed(count: count, tailMassTruncation: tailMassTruncation),
      add: add.selfComposed(count: count, tailMassTruncation: tailMassTruncation))
  }

  /// δ(ε), the larger of the two directions.
  public func delta(epsilon: Double) -> Double {
    max(remove.delta(epsilon: epsilon), add.delta(epsilon: epsilon))
  }

  /// The smallest ε ≥ 0 with δ(ε) ≤ `delta` in both directions, or `nil` when a direction's mass
  /// at +∞ exceeds `delta`.
  public func epsilon(delta: Double) -> Double? {
    guard let removeEpsilon = remove.epsilon(delta: delta), let addEpsilon = add.epsilon(delta: delta) else {
      return nil
    }
    return max(removeEpsilon, addEpsilon)
  }
}
