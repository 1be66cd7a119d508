import RealModule

/// The moment generating function of a PLD's finite part, `K(λ) = log Σ_ℓ ω(ℓ)·e^{λℓ}`, for
/// `CompositionWindow`'s Chernoff bounds: exactly, and approximately for the search over λ.
///
/// The approximation gathers the grid into about 2,048 groups of consecutive losses, each
/// group's mass at its mass-weighted mean loss, except that a point holding more than 1/2,048 of
/// the mass is a group of its own (at most 2,048 of those). By Jensen's inequality it is below the exact
/// value, by a factor at most e^{|λ|·w} for groups w nats wide, and it keeps the bulk where it
/// is (a group holding the mass at loss 0 stays at 0, however wide: T-fold composition would
/// multiply any shift by T). It only locates the minimising λ; the bound itself is taken with
/// the exact sum at that λ, so it holds whatever the approximation's error.
struct LossMomentGenerator: Sendable {
  private let distribution: PrivacyLossDistribution
  private let logMasses: [Double]
  private let meanLosses: [Double]
  /// The largest and smallest grid losses with positive mass.
  let highestLoss: Double
  let lowestLoss: Double

  init(_ distribution: PrivacyLossDistribution, groupCount: Int = 2048) {
    let probabilities = distribution.probabilities
    let groupSize = max(1, (probabilities.count + groupCount - 1) / groupCount)
    let atomMass = probabilities.reduce(0, +) / Double(groupCount)
    var logMasses: [Double] = []
    var meanLosses: [Double] = []
    var mass = 0.0
    var weightedLoss = 0.0
    func flush() {
      guard mass > 0 else { return }
      logMasses.append(Double.log(mass))
      meanLosses.append(weightedLoss / mass)
      (mass, weightedLoss) = (0, 0)
    }
    for (j, probability) in probabilities.enumerated() where probability > 0 {
      if j % groupSize == 0 { flush() }
      if probability >= atomMass {
        // A heavy point is its own group: averaging it with its neighbours would hide it.
        flush()
        (mass, weightedLoss) = (probability, probability * distribution.loss(at: j))
        flush()
      } else {
        mass += probability
        weightedLoss += probability * distribution.loss(at: j)
      }
    }
    flush()
    self.distribution = distribution
    self.logMasses = logMasses
    self.meanLosses = meanLosses
    let occupied = probabilities.indices.filter { probabilities[$0] > 0 }
    highestLoss = occupied.last.map { distribution.loss(at: $0) } ?? 0
    lowestLoss = occupied.first.map { distribution.loss(at: $0) } ?? 0
  }

  /// The grouped approximation of K(λ), for any real λ (−∞ for an empty finite part).
  func approximateLogMoment(_ lambda: Double) -> Double {
    var largest = -Double.infinity
    for g in logMasses.indices { largest = max(largest, logMasses[g] + lambda * meanLosses[g]) }
    guard largest.isFinite else { return largest }
    var sum = 0.0
    for g in logMasses.indices { sum += Double.exp(logMasses[g] + lambda * meanLosses[g] - largest) }
    return largest + Double.log(sum)
  }

  /// K(λ) = log Σ_ℓ ω(ℓ)·e^{λℓ} over every grid point, shifted by the largest exponent so that
  /// nothing overflows. Complexity O(n).
  func logMoment(_ lambda: Double) -> Double {
    let extreme = lambda >= 0 ? highestLoss : lowestLoss
    let shift = lambda * extreme
    var sum = 0.0
    for (j, mass) in distribution.probabilities.enumerated() where mass > 0 {
      sum += mass * Double.exp(lambda * distribution.loss(at: j) - shift)
    }
    return sum > 0 ? shift + Double.log(sum) : -.infinity
  }
}
