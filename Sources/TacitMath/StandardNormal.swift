import RealModule

/// The standard normal distribution: its density, CDF Φ, log Φ (accurate in both tails) and
/// quantile function Φ⁻¹. Shared by `TacitPrivacy` (the Gaussian mechanism and PLD) and
/// `TacitAudit` (LiRA, the GDP estimate), which stay free of each other and of tensors.
///
/// - Φ(x) = ½·erfc(−x/√2): the relative accuracy of `erfc` (≈ 1 ulp), including the lower tail
///   down to the underflow of erfc near x ≈ −38.
/// - log Φ(x): log1p(−½ erfc(x/√2)) for x > −1 (where Φ ≈ 1), log Φ(x) down to x = −37, and below
///   that the asymptotic (Mills ratio) series
///   log Φ(x) = −x²/2 − log(−x√(2π)) + log Σ_{n=0}^{6} (−1)ⁿ (2n−1)!! / x²ⁿ; the first omitted
///   term, 13!!/x¹⁴ < 2e-17 at x = −37, is below the rounding of a value ≈ −690 (measured against
///   scipy's `norm.logsf`: relative error < 1e-14 for −1000 ≤ x ≤ 40). Finite for finite x.
/// - Φ⁻¹(p) starts from Acklam's rational approximation (relative error < 1.15e-9 in the central
///   range) and takes Halley steps on Φ(x) − p, which bring it to a few ulps of the true quantile
///   wherever Φ is accurate (p ≥ 1e-300 in the lower tail; in the upper tail p itself carries
///   only the absolute precision 1.1e-16, so callers wanting Φ⁻¹(1 − ε) for tiny ε should ask for
///   −Φ⁻¹(ε)).
public enum StandardNormal {
  /// Φ(x).
  public static func cdf(_ x: Double) -> Double {
    0.5 * Double.erfc(-x / 2.0.squareRoot())
  }

  /// log Φ(x); −∞ only at x = −∞.
  public static func logCDF(_ x: Double) -> Double {
    if x > -1 { return Double.log(onePlus: -0.5 * Double.erfc(x / 2.0.squareRoot())) }
    if x > -37 { return Double.log(cdf(x)) }
    if x == -.infinity { return -.infinity }
    let u = 1 / (x * x)
    let series = 1 - u * (1 - u * (3 - u * (15 - u * (105 - u * (945 - u * 10395)))))
    return -x * x / 2 - Double.log(-x * (2 * Double.pi).squareRoot()) + Double.log(series)
  }

  /// log P[Z > z] = log Φ(−z) for Z ~ N(0, 1).
  public static func logSurvival(_ z: Double) -> Double { logCDF(-z) }

  /// log of the N(mean, standardDeviation²) density at x:
  /// −½((x − μ)/σ)² − log σ − ½ log 2π. Finite for finite arguments and σ > 0.
  public static func logDensity(_ x: Double, mean: Double, standardDeviation: Double) -> Double {
    let standardised = (x - mean) / standardDeviation
    return -0.5 * standardised * standardised - Double.log(standardDeviation) - 0.5 * Double.log(2 * Double.pi)
  }

  /// Φ⁻¹(p) for p in [0, 1]: −∞ at 0, +∞ at 1.
  public static func quantile(_ probability: Double) -> Double {
    precondition(probability >= 0 && probability <= 1, "Φ⁻¹ needs a probability in [0, 1], got \(probability)")
    if probability == 0 { return -.infinity }
    if probability == 1 { return .infinity }
    // Work in the lower half (where p is exact) and reflect: Φ⁻¹(p) = −Φ⁻¹(1 − p).
    if probability > 0.5 { return -quantile(1 - probability) }
    var x = acklam(probability)
    // Halley steps on f(x) = Φ(x) − p, f' = φ(x), f''/f' = −x (cubic convergence; Acklam's
    // error grows past 1e-9 in the far tail, so up to three steps).
    for _ in 0..<3 {
      let error = cdf(x) - probability
      let step = error * (2 * Double.pi).squareRoot() * Double.exp(x * x / 2)
      let next = x - step / (1 + x * step / 2)
      if next == x { break }
      x = next
    }
    return x
  }

  /// Acklam's approximation of Φ⁻¹(p) for p in (0, ½].
  private static func acklam(_ p: Double) -> Double {
    let a = [
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
      -3.066479806614716e+01, 2.506628277459239e+00,
    ]
    let b = [
      -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
      -1.328068155288572e+01,
    ]
    let c = [
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
      4.374664141464968e+00, 2.938163982698783e+00,
    ]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    if p < 0.02425 {
      let q = (-2 * Double.log(p)).squareRoot()
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
        / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    let q = p - 0.5
    let r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
      / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  }
}
