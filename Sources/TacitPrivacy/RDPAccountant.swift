/// The Rényi differential privacy accountant (name `rdp`): RDP per order, added over the
/// composition, then converted to (ε, δ).
///
/// Analysis (add-or-remove-one neighbours):
/// - `gaussian(σ)`: RDP α/(2σ²) (Mironov 2017, Prop. 7);
/// - `poissonSampled(q, e)` where `e` is a Gaussian or a composition of Gaussians: `e` is one
///   Gaussian with the effective noise multiplier σ = (Σ count/σᵢ²)^{−½} (Mironov, Talwar & Zhang
///   2019, §3: a composition of Gaussian queries is one Gaussian query after pre- and
///   post-processing), then `SampledGaussianRDP` (Mironov et al. 2019);
/// - `selfComposed(e, n)` and `composed(events)`: RDP adds per order (Mironov 2017, Prop. 1).
///
/// Anything else inside `poissonSampled` (another `poissonSampled`, i.e. sampling of a sampled
/// mechanism) has no analysis here: `AccountingError.unsupported`.
///
/// The conversion to (ε, δ) is `RDPConversion.improved` unless chosen otherwise; both minimise
/// over `orders`. RDP bounds are upper bounds on the privacy loss, so `isApproximation` is false;
/// they are loose for few steps (PLD is tight).
///
/// Cost: O(Σ integer orders) + O(#fractional orders · (α + 40σ)/min(σ², σ)) per distinct
/// (q, σ) in the event, independent of the step count.
public struct RDPAccountant: PrivacyAccountant {
  public var name: String { "rdp" }
  public var isApproximation: Bool { false }

  /// The orders α (finite, > 1) at which RDP is tracked.
  public let orders: [Double]
  /// How RDP becomes (ε, δ).
  public let conversion: RDPConversion

  /// - Parameters:
  ///   - orders: Rényi orders, each finite and > 1 (default: dp_accounting's).
  ///   - conversion: `.improved` (default) or `.classical`.
  public init(orders: [Double] = RDPOrders.dpAccounting, conversion: RDPConversion = .improved) {
    precondition(!orders.isEmpty, "an RDP accountant needs at least one order")
    for order in orders {
      precondition(order > 1 && order.isFinite, "RDP order \(order) must be finite and > 1")
    }
    self.orders = orders
    self.conversion = conversion
  }

  /// The RDP of `event` at each of `orders` (same indices).
  public func rdp(for event: DPEvent) throws(AccountingError) -> [Double] {
    var total = [Double](repeating: 0, count: orders.count)
    try accumulate(event, count: 1, into: &total)
    return total
  }

  public func epsilon(for event: DPEvent, delta: Double) throws(AccountingError) -> Double {
    try epsilonAndOrder(for: event, delta: delta).epsilon
  }

  public func delta(for event: DPEvent, epsilon: Double) throws(AccountingError) -> Double {
    try deltaAndOrder(for: event, epsilon: epsilon).delta
  }

  /// ε at `delta` and the order that attains it (`nil` when no order gives a finite ε).
  public func epsilonAndOrder(
    for event: DPEvent, delta: Double
  ) throws(AccountingError) -> (epsilon: Double, order: Double?) {
    guard delta > 0 && delta < 1 else {
      throw .invalidParameter(name: "delta", value: delta, requirement: "must be in (0, 1)")
    }
    return conversion.epsilon(orders: orders, rdp: try rdp(for: event), delta: delta)
  }

  /// δ at `epsilon` and the order that attains it.
  public func deltaAndOrder(
    for event: DPEvent, epsilon: Double
  ) throws(AccountingError) -> (delta: Double, order: Double?) {
    guard epsilon >= 0 && epsilon.isFinite else {
      throw .invalidParameter(name: "epsilon", value: epsilon, requirement: "must be finite and ≥ 0")
    }
    return conversion.delta(orders: orders, rdp: try rdp(for: event), epsilon: epsilon)
  }

  private func accumulate(_ event: DPEvent, count: Int, into total: inout [Double]) throws(AccountingError) {
    switch event {
    case .gaussian(let sigma):
      try Self.checkNoiseMultiplier(sigma)
      add(count: count, into: &total) { alpha in alpha / (2 * sigma * sigma) }
    case .poissonSampled(let q, let inner):
      guard q >= 0 && q <= 1 else {
        throw .invalidParameter(name: "sample_rate", value: q, requirement: "must be in [0, 1]")
      }
      let precision = try Self.gaussianPrecision(of: inner, within: event)
      guard precision.isFinite else {
        throw .invalidParameter(
          name: "noise_multiplier", value: 1 / precision.squareRoot(), requirement: "too small (1/σ² overflows)")
      }
      guard precision > 0 && q > 0 else { return }
      let sigma = 1 / precision.squareRoot()
      let evaluations = orders.reduce(0) { $0 + SampledGaussianRDP.quadratureEvaluations(noiseMultiplier: sigma, order: $1) }
      if q < 1 && evaluations > Self.maximumQuadratureEvaluations {
        throw .unreachable(
          "noise_multiplier \(sigma) is too small for the RDP accountant: its quadrature over the fractional orders would"
            + " take \(evaluations.isFinite ? "\(evaluations.rounded(.up))" : "unboundedly many") evaluations (at most"
            + " \(Int(Self.maximumQuadratureEvaluations))); use a larger noise multiplier (σ this small leaves the"
            + " sampled records almost unprotected)")
      }
      add(count: count, into: &total) { alpha in
        SampledGaussianRDP.rdp(sampleRate: q, noiseMultiplier: sigma, order: alpha)
      }
    case .selfComposed(let inner, let innerCount):
      try Self.checkCount(innerCount)
      let (product, overflow) = count.multipliedReportingOverflow(by: innerCount)
      guard !overflow else {
        throw .invalidParameter(name: "steps", value: Double(count) * Double(innerCount), requirement: "too large")
      }
      try accumulate(inner, count: product, into: &total)
    case .composed(let events):
      for inner in events { try accumulate(inner, count: count, into: &total) }
    }
  }

  private func add(count: Int, into total: inout [Double], perStep: (Double) -> Double) {
    guard count > 0 else { return }
    for index in orders.indices { total[index] += Double(count) * perStep(orders[index]) }
  }

  /// Σ count/σ² over the Gaussians of a composition of Gaussians (the precision of the one
  /// equivalent Gaussian); throws `unsupported` for any other event.
  static func gaussianPrecision(
    of event: DPEvent, within outer: DPEvent, accountant: String = "rdp"
  ) throws(AccountingError) -> Double {
    switch event {
    case .gaussian(let sigma):
      try checkNoiseMultiplier(sigma)
      return 1 / (sigma * sigma)
    case .selfComposed(let inner, let count):
      try checkCount(count)
      return Double(count) * (try gaussianPrecision(of: inner, within: outer, accountant: accountant))
    case .composed(let events):
      var sum = 0.0
      for inner in events { sum += try gaussianPrecision(of: inner, within: outer, accountant: accountant) }
      return sum
    case .poissonSampled:
      throw .unsupported(
        event: "\(outer)", accountant: accountant,
        reason: "a Poisson-sampled event must contain only Gaussian mechanisms (found \(event))")
    }
  }

  /// The most integrand evaluations the quadratures of one (q, σ) may take in total, summed over
  /// the fractional orders (`SampledGaussianRDP.quadratureEvaluations`): 10⁸, a few seconds;
  /// beyond it (σ ≲ 4.6e-3 for the default orders) the accountant refuses rather than run for
  /// minutes or overflow the count.
  static let maximumQuadratureEvaluations = 1e8

  static func checkNoiseMultiplier(_ sigma: Double) throws(AccountingError) {
    guard sigma > 0 && sigma.isFinite else {
      throw .invalidParameter(name: "noise_multiplier", value: sigma, requirement: "must be finite and > 0")
    }
  }

  static func checkCount(_ count: Int) throws(AccountingError) {
    guard count >= 0 else {
      throw .invalidParameter(name: "steps", value: Double(count), requirement: "must be ≥ 0")
    }
  }
}
