import RealModule

/// How RDP guarantees at a list of orders become an (ε, δ) guarantee.
///
/// For each order α with RDP r (for the whole computation), a conversion gives an ε at the
/// target δ (or a δ at the target ε); the accountant reports the best order.
///
/// - `improved` (the default; dp_accounting and Opacus): Balle, Barthe, Gaboardi, Hsu & Sato
///   2020, "Hypothesis Testing Interpretations and Rényi Differential Privacy", Prop. 12 (also
///   Asoodeh, Liao, Calmon, Kosut & Sankar 2021, eq. 20):
///   ε = r + log1p(−1/α) − log(δ·α)/(α − 1), used for α > 1.01 only (it is numerically unstable
///   as α → 1 and useless there). In addition, as dp_accounting, the KL bound δ ≤ √(1 − e^{−KL})
///   with KL ≤ r (RDP increases with α) gives ε = 0 when δ² > 1 − e^{−r}.
///   δ for ε: log δ = min(½·log1p(−e^{−r}), (α − 1)(r − ε + log1p(−1/α)) − log α).
/// - `classical`: Mironov 2017, "Rényi Differential Privacy", Prop. 3: ε = r − log δ/(α − 1);
///   δ = exp((α − 1)(r − ε)). Looser; for comparison with older papers (Abadi et al. 2016).
///
/// Orders whose RDP is +∞ (e.g. a mechanism without noise) are skipped by the minimum.
public enum RDPConversion: String, Sendable, CaseIterable {
  case improved
  case classical

  /// The smallest ε over `orders` at `delta` ∈ (0, 1), with the order attaining it (the first
  /// one on ties). ε = +∞ with order `nil` when no order gives a finite bound.
  public func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double?) {
    precondition(orders.count == rdp.count, "\(orders.count) orders but \(rdp.count) RDP values")
    precondition(delta > 0 && delta < 1, "delta \(delta) outside (0, 1)")
    var best = (epsilon: Double.infinity, order: Double?.none)
    let logDelta = Double.log(delta)
    for (alpha, r) in zip(orders, rdp) where !r.isNaN && r < .infinity {
      let epsilon: Double
      switch self {
      case .classical:
        epsilon = r - logDelta / (alpha - 1)
      case .improved:
        if r <= 0 || delta * delta + Double.expMinusOne(-r) > 0 {
          epsilon = 0
        } else if alpha > 1.01 {
          epsilon = r + Double.log(onePlus: -1 / alpha) - (logDelta + Double.log(alpha)) / (alpha - 1)
        } else {
          continue
        }
      }
      if epsilon < best.epsilon { best = (max(0, epsilon), alpha) }
    }
    return best
  }

  /// The smallest δ over `orders` at `epsilon` ≥ 0, with the order attaining it; at most 1.
  public func delta(orders: [Double], rdp: [Double], epsilon: Double) -> (delta: Double, order: Double?) {
    precondition(orders.count == rdp.count, "\(orders.count) orders but \(rdp.count) RDP values")
    precondition(epsilon >= 0, "epsilon \(epsilon) is negative")
    var bestLogDelta = Double.infinity
    var bestOrder: Double? = nil
    for (alpha, r) in zip(orders, rdp) where !r.isNaN && r < .infinity {
      var logDelta: Double
      switch self {
      case .classical:
        logDelta = (alpha - 1) * (r - epsilon)
      case .improved:
        logDelta = r <= 0 ? -Double.infinity : 0.5 * Double.log(onePlus: -Double.exp(-r))
        if alpha > 1.01 {
          let bound = (alpha - 1) * (r - epsilon + Double.log(onePlus: -1 / alpha)) - Double.log(alpha)
          logDelta = min(logDelta, bound)
        }
      }
      if logDelta < bestLogDelta || bestOrder == nil {
        bestLogDelta = logDelta
        bestOrder = alpha
      }
    }
    return (min(Double.exp(bestLogDelta), 1), bestOrder)
  }
}
