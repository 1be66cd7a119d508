import RealModule

extension SampledGaussianRDP {
  /// log A_α for any real α > 1 by the trapezoidal rule on the defining integral
  /// (Mironov, Talwar & Zhang 2019, eq. for A_α):
  ///
  ///     A_α = ∫ φ_σ(z) · (1 − q + q·e^{w(z)})^α dz,   w(z) = (2z − 1)/(2σ²),
  ///
  /// with φ_σ the N(0, σ²) density.
  ///
  /// Why the trapezoidal rule: the integrand is analytic in the strip |Im z| < πσ² (its only
  /// singularities are the branch points where 1 − q + q e^{w} = 0, at Im w = ±π) and decays like
  /// a Gaussian, so the rule's error falls like exp(−2π·πσ²/h) (Trefethen & Weideman 2014, "The
  /// exponentially convergent trapezoidal rule"). With the step h = min(σ², σ)/4 that bound is
  /// e^{−79}; the Gaussian factor alone needs h ≲ 0.7σ. The integrand is bounded by
  /// 2^{α−1}[(1−q)^α φ_σ(z) + q^α·c·φ_σ(z − α)] (convexity of x^α), so truncating to
  /// [−20σ, α + 20σ] drops less than e^{−200} of the mass.
  ///
  /// Two evaluations of the same sum:
  /// - log A_α ≥ ½: log-sum-exp of the log integrand (no overflow for any α, σ);
  /// - otherwise A_α − 1 = ∫ φ_σ(z)·(e^{α·log1p(q·(e^{w} − 1))} − 1) dz directly, so that A_α − 1
  ///   ≈ q²·α(α − 1)(e^{1/σ²} − 1)/2 keeps its relative precision for tiny q (the first-order
  ///   terms, of size q, cancel exactly in the integral and to e^{−300} in the rule).
  ///
  /// Cost: (α + 40σ)/h integrand evaluations, e.g. ≈ 250 for α = 10.9, σ = 0.6 and ≈ 6,000 for
  /// σ = 0.1.
  /// The number of integrand evaluations `rdp` makes at `order` (0 for integer orders up to 10⁶,
  /// which use the binomial expansion), as a `Double` so that it cannot overflow.
  static func quadratureEvaluations(noiseMultiplier sigma: Double, order alpha: Double) -> Double {
    if alpha == alpha.rounded() && alpha <= 1e6 { return 0 }
    let evaluations = (alpha + 40 * sigma) / (min(sigma * sigma, sigma) / 4)
    return evaluations.isNaN ? .infinity : evaluations
  }

  static func logAByQuadrature(sampleRate q: Double, noiseMultiplier sigma: Double, order alpha: Double) -> Double {
    let step = min(sigma * sigma, sigma) / 4
    let lower = -20 * sigma
    let upper = alpha + 20 * sigma
    let count = Int(((upper - lower) / step).rounded(.up))
    let twoSigmaSquared = 2 * sigma * sigma
    let logNormalisation = -Double.log(sigma * (2 * Double.pi).squareRoot())
    let logQ = Double.log(q)
    let oddsOneMinusQOverQ = (1 - q) / q

    /// log(1 − q + q·e^w), accurate relative to its size for all w.
    func logMixture(_ w: Double) -> Double {
      if w < 600 { return Double.log(onePlus: q * Double.expMinusOne(w)) }
      return w + logQ + Double.log(onePlus: oddsOneMinusQOverQ * Double.exp(-w))
    }

    var logSum = LogSum()
    for k in 0...count {
      let z = lower + Double(k) * step
      let logDensity = -z * z / twoSigmaSquared + logNormalisation
      logSum.add(logDensity + alpha * logMixture((2 * z - 1) / twoSigmaSquared))
    }
    let logA = logSum.value + Double.log(step)
    if logA >= 0.5 { return logA }

    // A_α close to 1: integrate A_α − 1 so that its relative precision survives.
    var sum = 0.0
    var compensation = 0.0  // Kahan–Babuška–Neumaier summation: the terms have both signs.
    for k in 0...count {
      let z = lower + Double(k) * step
      let logDensity = -z * z / twoSigmaSquared + logNormalisation
      let exponent = alpha * logMixture((2 * z - 1) / twoSigmaSquared)
      let term: Double
      if exponent < 600 {
        term = Double.exp(logDensity) * Double.expMinusOne(exponent)
      } else {
        term = Double.exp(logDensity + exponent) - Double.exp(logDensity)
      }
      let total = sum + term
      if abs(sum) >= abs(term) {
        compensation += (sum - total) + term
      } else {
        compensation += (term - total) + sum
      }
      sum = total
    }
    return Double.log(onePlus: (sum + compensation) * step)
  }
}
