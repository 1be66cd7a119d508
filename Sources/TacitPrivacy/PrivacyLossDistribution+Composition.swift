/// Composition of privacy loss distributions: convolution by FFT, with pessimistic tail
/// truncation after every product.
extension PrivacyLossDistribution {
  /// The PLD of running this mechanism and then `other` (losses add, so the finite parts
  /// convolve; the result is +∞ whenever either part is): `ω₁ ∗ ω₂`, with
  /// `ω(+∞) = a + b − a·b` for infinite masses a, b (Koskela, Jälkö & Honkela 2020; Sommer,
  /// Meiser & Mohammadi 2019, Thm. 2).
  ///
  /// The convolution is linear (`FFT.linearConvolution`, transform length ≥ n₁ + n₂ − 1), so no
  /// mass wraps around. Rounding noise of either sign is clamped to 0 (raising the total by at
  /// most the noise level), then `truncatingTails(mass:)` trims each tail to at most
  /// `tailMassTruncation`, the upper tail going to +∞.
  ///
  /// - Precondition: both grids have the same `lossInterval`.
  public func composed(
    with other: PrivacyLossDistribution, tailMassTruncation: Double
  ) -> PrivacyLossDistribution {
    precondition(
      lossInterval == other.lossInterval,
      "composing PLDs on different grids (\(lossInterval) and \(other.lossInterval))")
    let product =
      self == other
      ? FFT.linearSelfConvolution(probabilities)
      : FFT.linearConvolution(probabilities, other.probabilities)
    let infinite = infiniteMass + other.infiniteMass - infiniteMass * other.infiniteMass
    return PrivacyLossDistribution(
      lossInterval: lossInterval, lowestLossIndex: lowestLossIndex + other.lowestLossIndex,
      probabilities: product.map { max(0, $0) }, infiniteMass: min(1, infinite)
    ).truncatingTails(mass: tailMassTruncation)
  }

  /// This PLD composed with itself `count` times (`count` = 0 gives the identity).
  ///
  /// Repeated squaring: `ω^{∗T}` from the binary digits of T, `⌊log₂T⌋` squarings and at most as
  /// many further products, each a linear FFT convolution followed by tail truncation, so the
  /// grid stays as wide as the bulk of the composed distribution (≈ mean ± a few standard
  /// deviations of T·L plus the heavy upper tail), never T times the single-step width.
  ///
  /// Pessimism: the truncations add at most `2·⌈log₂(T+1)⌉·tailMassTruncation` to the mass at +∞
  /// beyond the exact `1 − (1 − ω(+∞))^T`; the lower tails are moved up to the lowest kept loss.
  ///
  /// Complexity: `O(log T)` FFTs of length ≤ 2× the composed grid.
  public func selfComposed(count: Int, tailMassTruncation: Double) -> PrivacyLossDistribution {
    precondition(count >= 0, "self-composition count \(count) is negative")
    var result: PrivacyLossDistribution? = nil
    var power = self
    var remaining = count
    while remaining > 0 {
      if remaining & 1 == 1 {
        result = result.map { $0.composed(with: power, tailMassTruncation: tailMassTruncation) } ?? power
      }
      remaining >>= 1
      if remaining > 0 {
        power = power.composed(with: power, tailMassTruncation: tailMassTruncation)
      }
    }
    return result ?? .identity(lossInterval: lossInterval)
  }

  /// The same PLD with its tails cut: the longest prefix of total mass ≤ `mass` is moved up onto
  /// the lowest kept loss (losses rounded up: pessimistic), and the longest suffix of total mass
  /// ≤ `mass` is added to the mass at +∞ (never dropped). At least one grid point is kept.
  ///
  /// Complexity: `O(n)`.
  public func truncatingTails(mass: Double) -> PrivacyLossDistribution {
    precondition(mass >= 0 && mass < 1, "tail mass \(mass) outside [0, 1)")
    guard mass > 0, probabilities.count > 1 else { return self }
    var upper = probabilities.count - 1
    var upperMass = 0.0
    while upper > 0 && upperMass + probabilities[upper] <= mass {
      upperMass += probabilities[upper]
      upper -= 1
    }
    var lower = 0
    var lowerMass = 0.0
    while lower < upper && lowerMass + probabilities[lower] <= mass {
      lowerMass += probabilities[lower]
      lower += 1
    }
    if lower == 0 && upper == probabilities.count - 1 { return self }
    var kept = Array(probabilities[lower...upper])
    kept[0] += lowerMass
    return PrivacyLossDistribution(
      lossInterval: lossInterval, lowestLossIndex: lowestLossIndex + lower, probabilities: kept,
      infiniteMass: min(1, infiniteMass + upperMass))
  }
}
