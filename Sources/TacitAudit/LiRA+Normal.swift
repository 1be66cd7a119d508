import RealModule

/// The standard normal's log-density and upper tail, for LiRA's Gaussian tests. (`internal`, and
/// named apart from the metrics layer's `StandardNormal`.)
enum GaussianTail {
  /// log of the N(mean, standardDeviation²) density at x:
  /// −½((x − μ)/σ)² − log σ − ½ log 2π. Finite for finite arguments and σ > 0.
  static func logDensity(_ x: Double, mean: Double, standardDeviation: Double) -> Double {
    let standardised = (x - mean) / standardDeviation
    return -0.5 * standardised * standardised - Double.log(standardDeviation) - 0.5 * Double.log(2 * Double.pi)
  }

  /// log P[Z > z] = log(1 − Φ(z)) = log Φ(−z) for Z ~ N(0, 1), accurate in both tails.
  ///
  /// For z < 0: log1p(−½ erfc(−z/√2)) (the survival is above ½, so its complement Φ(z) is what
  /// erfc gives accurately). For 0 ≤ z < 37: log(½ erfc(z/√2)), erfc's ≈ 1 ulp relative accuracy.
  /// For z ≥ 37 (erfc near underflow): the asymptotic (Mills ratio) series
  /// log S(z) = −z²/2 − log(z√(2π)) + log Σ_{n=0}^{6} (−1)ⁿ (2n−1)!! / z²ⁿ; the first omitted term,
  /// 13!!/z¹⁴ < 2e-17 at z = 37, is below the rounding of a value ≈ −690 (measured against
  /// scipy's `norm.logsf`: relative error < 1e-14 over −40 ≤ z ≤ 1000). Stopping at z⁻⁶ instead
  /// would leave an error of 105/z⁸ ≈ 3e-11 there.
  /// Finite for every finite z; −∞ only at z = +∞.
  static func logSurvival(_ z: Double) -> Double {
    if z < 0 {
      return Double.log(onePlus: -0.5 * Double.erfc(-z / 2.0.squareRoot()))
    }
    if z < 37 {
      return Double.log(0.5 * Double.erfc(z / 2.0.squareRoot()))
    }
    if z == .infinity { return -.infinity }
    let u = 1 / (z * z)
    let series = 1 - u * (1 - u * (3 - u * (15 - u * (105 - u * (945 - u * 10395)))))
    return -z * z / 2 - Double.log(z * (2 * Double.pi).squareRoot()) + Double.log(series)
  }
}
