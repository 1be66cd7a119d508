import RealModule

/// The standard normal distribution's CDF Φ and its logarithm, accurate in both tails.
///
/// Φ(x) = ½·erfc(−x/√2) (relative accuracy of `erfc`, ≈ 1 ulp, including the lower tail down to
/// the underflow of erfc near x ≈ −38). log Φ(x) below x = −37 uses the asymptotic series
/// log Φ(x) = −x²/2 − log(−x√(2π)) + log(1 − 1/x² + 3/x⁴ − 15/x⁶): the first omitted term,
/// 105/x⁸ ≤ 3·10⁻¹¹ at x = −37, is an absolute error on a value ≈ −690, so relative ≤ 5·10⁻¹⁴.
enum StandardNormal {
  static func cdf(_ x: Double) -> Double {
    0.5 * Double.erfc(-x / 2.0.squareRoot())
  }

  static func logCDF(_ x: Double) -> Double {
    if x > -37 {
      // Upper half: log(1 − Φ(−x)) keeps precision where Φ(x) ≈ 1.
      return x > -1 ? Double.log(onePlus: -0.5 * Double.erfc(x / 2.0.squareRoot())) : Double.log(cdf(x))
    }
    if x == -Double.infinity { return -Double.infinity }
    let inverseSquare = 1 / (x * x)
    let series = 1 - inverseSquare * (1 - inverseSquare * (3 - 15 * inverseSquare))
    return -x * x / 2 - Double.log(-x * (2 * Double.pi).squareRoot()) + Double.log(series)
  }
}
