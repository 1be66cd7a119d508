import RealModule

extension PrivacyLossDistribution.SubsampledGaussianLoss {
  /// The mean and variance of one release's privacy loss under P, in the given direction.
  ///
  /// With x ~ P, the loss is `ℓ(x)` (remove: P = (1 − q)N(0, σ²) + q·N(1, σ²)) or `−ℓ(x)` (add:
  /// P = N(0, σ²)); the mean is KL(P‖Q). Both expectations are over Gaussians, written in the
  /// standard normal variable z (x = σz or x = 1 + σz) and summed by the trapezoid rule on
  /// z ∈ [−12, 12] with step 1/20 (481 nodes). The rule converges geometrically for an integrand
  /// that is smooth on the scale of the step; here the loss has a kink of width σ in z, so for
  /// σ ≪ 0.05 the figures are good to a few percent only. `PLDResolution` uses them to choose
  /// the grid spacing and needs no more.
  ///
  /// Numerical properties: the loss is evaluated without cancellation (`loss(at:)`), so the
  /// variance keeps its relative accuracy for tiny q (mean ~ q², variance ~ q²). Complexity: 962
  /// loss evaluations.
  func moments(direction: PrivacyLossDistribution.NeighbouringDirection) -> (mean: Double, variance: Double) {
    let step = 1.0 / 20
    let nodeCount = 481
    let normalisation = step / (2 * Double.pi).squareRoot()
    var first = 0.0
    var second = 0.0
    for node in 0..<nodeCount {
      let z = -12 + Double(node) * step
      let weight = normalisation * Double.exp(-z * z / 2)
      let atZeroMean = loss(at: noiseMultiplier * z)
      switch direction {
      case .remove:
        let atOneMean = loss(at: 1 + noiseMultiplier * z)
        first += weight * ((1 - sampleRate) * atZeroMean + sampleRate * atOneMean)
        second += weight * ((1 - sampleRate) * atZeroMean * atZeroMean + sampleRate * atOneMean * atOneMean)
      case .add:
        first -= weight * atZeroMean
        second += weight * atZeroMean * atZeroMean
      }
    }
    return (first, max(0, second - first * first))
  }

  /// `K(λ) = log E_P[e^{λL}]` of one release's loss in the given direction, by the same trapezoid
  /// rule as `moments(direction:)` (so for heavy tails, good to the rule's accuracy only as long
  /// as the integrand's peak, near z ≈ λ/σ, stays well inside [−12, 12]). Formed as
  /// `log1p(E[expm1(λL)])` while every λL < 1, so that tiny losses keep their accuracy, and by
  /// log-sum-exp beyond. `PLDResolution` uses it for a rough ε (a Chernoff bound).
  func logMoment(_ lambda: Double, direction: PrivacyLossDistribution.NeighbouringDirection) -> Double {
    var terms: [(weight: Double, exponent: Double)] = []
    terms.reserveCapacity(962)
    let step = 1.0 / 20
    let normalisation = step / (2 * Double.pi).squareRoot()
    for node in 0..<481 {
      let z = -12 + Double(node) * step
      let weight = normalisation * Double.exp(-z * z / 2)
      switch direction {
      case .remove:
        terms.append(((1 - sampleRate) * weight, lambda * loss(at: noiseMultiplier * z)))
        terms.append((sampleRate * weight, lambda * loss(at: 1 + noiseMultiplier * z)))
      case .add:
        terms.append((weight, -lambda * loss(at: noiseMultiplier * z)))
      }
    }
    let largest = terms.reduce(-Double.infinity) { max($0, $1.exponent) }
    if largest < 1 {
      return Double.log(onePlus: terms.reduce(0.0) { $0 + $1.weight * Double.expMinusOne($1.exponent) })
    }
    return largest + Double.log(terms.reduce(0.0) { $0 + $1.weight * Double.exp($1.exponent - largest) })
  }
}
