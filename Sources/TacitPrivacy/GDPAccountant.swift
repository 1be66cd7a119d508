import RealModule

/// The Gaussian differential privacy accountant (name `gdp`): the central-limit approximation of
/// Bu, Dong, Long & Su 2020, "Deep Learning with Gaussian Differential Privacy" (Harvard Data
/// Science Review), Thm. 5 / eq. (6).
///
/// T steps of the Poisson-subsampled Gaussian mechanism with rate q and noise multiplier σ are
/// approximately μ-GDP with
///
///     μ = q·√(T·(e^{1/σ²} − 1)),
///
/// as T → ∞ with q√T fixed. Composition adds μ² (Dong, Roth & Su 2022, Cor. 3.3), so a
/// composition of events has μ = √(Σ μᵢ²). Plain `gaussian(σ)` events (and q = 1) are exactly
/// (1/σ)-GDP; q = 0 contributes nothing. (ε, δ) then come from `GaussianMechanism`:
/// δ(ε) = Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2), ε for δ by bisection (δ is decreasing in ε).
///
/// When μ overflows `Double` (under subsampling, σ ≲ 0.0375 unless q is tiny: e^{1/σ²} passes
/// 1.8e308), μ = ∞ and ε = ∞ (δ = 1): the approximation gives no finite guarantee, and says so
/// instead of failing or returning NaN.
///
/// This is an approximation, not a bound (`isApproximation` is true): it can understate ε,
/// notably for large q or few steps. Reports label it. A `poissonSampled` event must contain
/// only Gaussians (composed or not); anything else is `AccountingError.unsupported`.
public struct GDPAccountant: PrivacyAccountant {
  public var name: String { "gdp" }
  public var isApproximation: Bool { true }

  public init() {}

  /// μ of `event` under the central-limit approximation.
  public func mu(for event: DPEvent) throws(AccountingError) -> Double {
    try muSquared(of: event).squareRoot()
  }

  public func epsilon(for event: DPEvent, delta: Double) throws(AccountingError) -> Double {
    guard delta > 0 && delta < 1 else {
      throw .invalidParameter(name: "delta", value: delta, requirement: "must be in (0, 1)")
    }
    let mu = try mu(for: event)
    guard mu.isFinite else { return .infinity }
    return GaussianMechanism.epsilon(delta: delta, mu: mu)
  }

  public func delta(for event: DPEvent, epsilon: Double) throws(AccountingError) -> Double {
    guard epsilon >= 0 && epsilon.isFinite else {
      throw .invalidParameter(name: "epsilon", value: epsilon, requirement: "must be finite and ≥ 0")
    }
    return GaussianMechanism.delta(epsilon: epsilon, mu: try mu(for: event))
  }

  private func muSquared(of event: DPEvent) throws(AccountingError) -> Double {
    switch event {
    case .gaussian(let sigma):
      try RDPAccountant.checkNoiseMultiplier(sigma)
      return 1 / (sigma * sigma)
    case .poissonSampled(let q, let inner):
      guard q >= 0 && q <= 1 else {
        throw .invalidParameter(name: "sample_rate", value: q, requirement: "must be in [0, 1]")
      }
      let precision = try RDPAccountant.gaussianPrecision(of: inner, within: event, accountant: name)
      if q == 0 || precision == 0 { return 0 }
      if q == 1 { return precision }
      let growth = Double.expMinusOne(precision)
      // e^{1/σ²} − 1 overflows for σ ≲ 0.0375; then q²·e^{1/σ²} in log space, which is ∞ only
      // when μ² truly is (a q² that underflows must not make 0·∞ = NaN).
      return growth.isFinite ? q * (q * growth) : Double.exp(2 * Double.log(q) + precision)
    case .selfComposed(let inner, let count):
      try RDPAccountant.checkCount(count)
      if count == 0 { return 0 }  // Not 0·∞: no step costs nothing, however small σ.
      return Double(count) * (try muSquared(of: inner))
    case .composed(let events):
      var sum = 0.0
      for inner in events { sum += try muSquared(of: inner) }
      return sum
    }
  }
}
