import RealModule
import TacitMath

/// The Poisson-subsampled Gaussian mechanism's privacy loss distribution, discretised
/// pessimistically by Connect-the-Dots.
extension PrivacyLossDistribution {
  /// Which way the neighbouring datasets differ under add-or-remove-one adjacency.
  ///
  /// With sensitivity 1, noise N(0, σ²) and Poisson sampling rate q, write N₀ = N(0, σ²),
  /// N₁ = N(1, σ²) and M = (1 − q)·N₀ + q·N₁ (the output when the differing record is present).
  /// - `remove`: (P, Q) = (M, N₀). Loss `ℓ(x) = log(1 − q + q·e^{(2x−1)/(2σ²)})`, increasing in x,
  ///   bounded below by log(1 − q).
  /// - `add`: (P, Q) = (N₀, M). Loss `−ℓ(x)`, bounded above by −log(1 − q).
  ///
  /// Under subsampling the two PLDs differ (for q = 1 they coincide), and the hockey-stick
  /// divergence of a composition is the larger of the two composed directions (Zhu, Dong &
  /// Wang 2022, "Optimal accounting of differential privacy via characteristic function", §5;
  /// the convention of dp_accounting).
  public enum NeighbouringDirection: Sendable, CaseIterable {
    case remove
    case add
  }

  /// The most grid points one release's discretisation may have: 10⁸ (about 5 GB of working
  /// arrays). A larger grid means σ so small relative to Δ that the losses span more than 10⁴
  /// nats at the default Δ; `PLDAccountant` refuses it and suggests the RDP accountant.
  public static let maximumGridPoints = 1e8

  /// The losses [ε_lo, ε_hi] between the `tailMass` P-quantiles of x, the range `subsampledGaussian`
  /// discretises; not finite when σ is so small that the loss overflows.
  static func lossRange(
    noiseMultiplier sigma: Double, sampleRate: Double, direction: NeighbouringDirection, tailMass: Double
  ) -> (lowest: Double, highest: Double) {
    let mechanism = SubsampledGaussianLoss(noiseMultiplier: sigma, sampleRate: sampleRate)
    let z = StandardNormal.upperQuantile(tailMass)
    switch direction {
    case .remove:
      return (mechanism.loss(at: -sigma * z), mechanism.loss(at: 1 + sigma * z))
    case .add:
      return (-mechanism.loss(at: sigma * z), -mechanism.loss(at: -sigma * z))
    }
  }

  /// About how many grid points `subsampledGaussian` with these arguments allocates, as a
  /// `Double` (infinite or NaN when the loss range overflows), so that a caller can refuse a grid
  /// larger than `maximumGridPoints` before allocating it.
  public static func gridPointCount(
    noiseMultiplier: Double, sampleRate: Double, direction: NeighbouringDirection,
    lossInterval: Double, tailMass: Double
  ) -> Double {
    let (lowest, highest) = lossRange(
      noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, direction: direction, tailMass: tailMass)
    let count = (highest - lowest) / lossInterval + 2
    return count.isNaN ? .infinity : count
  }

  /// The pessimistic Connect-the-Dots PLD of one Poisson-subsampled Gaussian release.
  ///
  /// Algorithm (Doroshenko, Ghazi, Kamath, Kumar & Manurangsi 2022, "Connect the Dots: Tighter
  /// Discrete Approximations of Privacy Loss Distributions", Alg. 1), derived here from interval
  /// masses rather than from differences of δ values, which cancel badly at small Δ: on the grid
  /// `ε_i = i·Δ`, each cell `I = (ε_i, ε_{i+1}]` of losses carries masses P(I) and Q(I), with
  /// `e^{ε_i} ≤ P(I)/Q(I) ≤ e^{ε_{i+1}}`. Split Q(I) between the two ends so that the Q-mean of
  /// the likelihood ratio `e^L` is kept, and give each end the P-mass `e^{ε}·(its Q-mass)`:
  ///
  ///     to ε_i:     P(I)·(e^{ε_{i+1}−ρ} − 1)/(e^Δ − 1),     ρ = log(P(I)/Q(I)) ∈ [ε_i, ε_{i+1}],
  ///     to ε_{i+1}: the rest of P(I).
  ///
  /// This is a mean-preserving spread of the likelihood ratio under Q, so the discrete pair is at
  /// least as informative as the true one (the true pair is a post-processing of it): its curve,
  /// a function of e^ε, is the chord interpolation of the true convex curve through the grid
  /// points (Doroshenko et al., Thm. 3.3), hence ≥ the true δ(ε) for every ε. The P-mass with
  /// loss ≤ ε_lo is moved up to ε_lo, and the P-mass with loss > ε_hi goes to +∞ — both
  /// pessimistic, neither dropped. Unlike privacy buckets (Meiser & Mohammadi 2018), which round
  /// each loss up and so bias the composed ε by ≈ T·Δ/2, the discretisation error here is
  /// second order in Δ per step.
  ///
  /// Range: x runs over the P-quantiles [−σ·z, 1 + σ·z] (remove) or [−σ·z, σ·z] (add) with
  /// Φ̄(z) = `tailMass`, mapped to losses and rounded outwards to the grid; the exact P-masses
  /// outside are carried as described.
  ///
  /// Numerical properties: Gaussian interval masses are differences of `erfc` on the side of the
  /// mean where they are small, so they keep relative accuracy in the tails; split fractions are
  /// clamped to [0, 1]; ρ is formed from the ratio of the two components' masses (`CellMasses`), so
  /// it stays exact to rounding for any q > 0. Complexity: `O(n)` with n ≈ (ε_hi − ε_lo)/Δ grid points.
  ///
  /// - Parameters:
  ///   - noiseMultiplier: σ > 0, the noise standard deviation over the sensitivity.
  ///   - sampleRate: q ∈ (0, 1]; 1 is the plain Gaussian mechanism.
  ///   - direction: `remove` or `add`.
  ///   - lossInterval: the grid spacing Δ > 0.
  ///   - tailMass: the P-mass beyond the x range on each side, in (0, 0.5).
  public static func subsampledGaussian(
    noiseMultiplier: Double, sampleRate: Double, direction: NeighbouringDirection,
    lossInterval: Double, tailMass: Double
  ) -> PrivacyLossDistribution {
    precondition(noiseMultiplier > 0 && noiseMultiplier.isFinite, "noise multiplier \(noiseMultiplier) must be positive")
    precondition(sampleRate > 0 && sampleRate <= 1, "sample rate \(sampleRate) outside (0, 1]")
    precondition(lossInterval > 0 && lossInterval.isFinite, "loss interval \(lossInterval) must be positive")
    precondition(tailMass > 0 && tailMass < 0.5, "tail mass \(tailMass) outside (0, 0.5)")
    let mechanism = SubsampledGaussianLoss(noiseMultiplier: noiseMultiplier, sampleRate: sampleRate)
    let (lowestLoss, highestLoss) = lossRange(
      noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, direction: direction, tailMass: tailMass)
    let pointCountEstimate = (highestLoss - lowestLoss) / lossInterval
    precondition(
      pointCountEstimate <= maximumGridPoints,
      "subsampled Gaussian PLD σ = \(noiseMultiplier), q = \(sampleRate), Δ = \(lossInterval) needs "
        + "\(pointCountEstimate) grid points, more than \(maximumGridPoints); check with gridPointCount first")
    let lowestIndex = Int((lowestLoss / lossInterval).rounded(.down))
    let highestIndex = max(lowestIndex + 1, Int((highestLoss / lossInterval).rounded(.up)))
    let pointCount = highestIndex - lowestIndex + 1

    let cells = CellMasses(
      mechanism: mechanism, direction: direction, lowestIndex: lowestIndex, pointCount: pointCount,
      lossInterval: lossInterval)
    var probabilities = [Double](repeating: 0, count: pointCount)
    probabilities[0] = cells.belowLowest
    let expMinusOneInterval = Double.expMinusOne(lossInterval)
    for i in 0..<(pointCount - 1) {
      let (pMass, ratio) = cells.cell(i)
      guard pMass > 0 else { continue }
      let cellLow = Double(lowestIndex + i) * lossInterval
      let cellHigh = cellLow + lossInterval
      let clampedRatio = min(max(ratio, cellLow), cellHigh)
      let toLow = min(max(pMass * Double.expMinusOne(cellHigh - clampedRatio) / expMinusOneInterval, 0), pMass)
      probabilities[i] += toLow
      probabilities[i + 1] += pMass - toLow
    }
    return PrivacyLossDistribution(
      lossInterval: lossInterval, lowestLossIndex: lowestIndex, probabilities: probabilities,
      infiniteMass: min(1, cells.aboveHighest))
  }

  /// The P-masses and log-likelihood ratios of the loss cells (ε_i, ε_{i+1}] of one release.
  ///
  /// Each cell is an x-interval between two boundaries (`inverseLoss` of its ends), with masses
  /// N(I) under N(0, σ²) and A(I) under N(1, σ²). Remove: (P, Q) = ((1 − q)N + qA, N); add:
  /// (P, Q) = (N, (1 − q)N + qA). The ratio is formed as `ρ = ±log1p(q·(A/N − 1))`, never as
  /// `log P − log Q`, so it keeps its accuracy when q is far below the rounding level of P
  /// (q = 1e-20 makes P and Q equal in floating point, not their ratio).
  private struct CellMasses {
    let direction: NeighbouringDirection
    let sampleRate: Double
    /// Standard normal tails at each boundary for the N(0, σ²) and N(1, σ²) components.
    let zeroMean: [StandardNormal.Tails]
    let oneMean: [StandardNormal.Tails]

    init(
      mechanism: SubsampledGaussianLoss, direction: NeighbouringDirection, lowestIndex: Int, pointCount: Int,
      lossInterval: Double
    ) {
      // The set {L > ε_i} is {x > boundary} (remove) or {x < boundary} (add).
      let sigma = mechanism.noiseMultiplier
      var boundaries = [Double](repeating: 0, count: pointCount)
      for i in 0..<pointCount {
        let epsilon = Double(lowestIndex + i) * lossInterval
        boundaries[i] = mechanism.inverseLoss(direction == .remove ? epsilon : -epsilon)
      }
      self.direction = direction
      self.sampleRate = mechanism.sampleRate
      zeroMean = boundaries.map { StandardNormal.Tails(z: $0 / sigma) }
      oneMean = boundaries.map { StandardNormal.Tails(z: ($0 - 1) / sigma) }
    }

    /// The cell's P-mass and `ρ = log(P(I)/Q(I))` (+∞ when Q(I) = 0).
    func cell(_ i: Int) -> (p: Double, ratio: Double) {
      let (left, right) = direction == .remove ? (i, i + 1) : (i + 1, i)
      let null = StandardNormal.mass(between: zeroMean[left], and: zeroMean[right])
      let alternative = StandardNormal.mass(between: oneMean[left], and: oneMean[right])
      let q = sampleRate
      switch direction {
      case .remove:
        let p = (1 - q) * null + q * alternative
        return (p, null > 0 ? Double.log(onePlus: q * (alternative / null - 1)) : .infinity)
      case .add:
        guard null > 0 else { return (0, 0) }
        return (null, -Double.log(onePlus: q * (alternative / null - 1)))
      }
    }

    /// The P-mass below the lowest grid loss (moved up onto it).
    var belowLowest: Double {
      let q = sampleRate
      return direction == .remove ? (1 - q) * zeroMean[0].lower + q * oneMean[0].lower : zeroMean[0].upper
    }

    /// The P-mass above the highest grid loss (sent to +∞).
    var aboveHighest: Double {
      let q = sampleRate
      let last = zeroMean.count - 1
      return direction == .remove ? (1 - q) * zeroMean[last].upper + q * oneMean[last].upper : zeroMean[last].lower
    }
  }
}

extension PrivacyLossDistribution {
  /// The privacy loss `ℓ(x) = log(1 − q + q·e^{(2x−1)/(2σ²)})` of the Poisson-subsampled Gaussian
  /// (remove direction) and its inverse.
  struct SubsampledGaussianLoss: Sendable {
    let noiseMultiplier: Double
    let sampleRate: Double

    /// ℓ(x) for w = (2x−1)/(2σ²), computed as `log1p(q·expm1(w))` wherever that is finite and
    /// the argument above −½ (no cancellation, so tiny losses keep their accuracy: with
    /// q = 10⁻²⁰, `w + log(q + (1−q)e^{−w})` would round q·e^w away to 0); as
    /// `w + log(q + (1−q)e^{−w})` when expm1(w) overflows; and as `log(1−q) ⊕ (log q + w)`
    /// (log-sum-exp) when w ≪ 0 with q near 1, which is exactly w for q = 1 instead of log(0).
    func loss(at x: Double) -> Double {
      let w = (2 * x - 1) / (2 * noiseMultiplier * noiseMultiplier)
      let q = sampleRate
      let argument = q * Double.expMinusOne(w)
      if argument.isFinite && argument > -0.5 { return Double.log(onePlus: argument) }
      if w > 0 { return w + Double.log(q + (1 - q) * Double.exp(-w)) }
      let (a, b) = (Double.log(onePlus: -q), Double.log(q) + w)
      let (larger, smaller) = a >= b ? (a, b) : (b, a)
      return larger + Double.log(onePlus: Double.exp(smaller - larger))
    }

    /// The x with ℓ(x) = ε: `σ²·log((e^ε − 1 + q)/q) + 1/2`; −∞ when ε ≤ log(1 − q) (every x has a
    /// larger loss). Computed as `log1p(expm1(ε)/q)` wherever that is finite and the argument
    /// above −½, and otherwise as `ε − log q + log1p(−e^{log(1−q) − ε})` (so that q = 1 gives ε,
    /// not log(0), for ε ≪ 0).
    func inverseLoss(_ epsilon: Double) -> Double {
      let q = sampleRate
      let logRatio: Double
      let argument = Double.expMinusOne(epsilon) / q
      if argument.isFinite && argument > -0.5 {
        logRatio = Double.log(onePlus: argument)
      } else {
        let remainder = Double.exp(Double.log(onePlus: -q) - epsilon)
        if remainder >= 1 { return -.infinity }
        logRatio = epsilon - Double.log(q) + Double.log(onePlus: -remainder)
      }
      return noiseMultiplier * noiseMultiplier * logRatio + 0.5
    }
  }

  /// Standard normal tail probabilities, accurate in both tails.
  enum StandardNormal {
    /// Φ̄(z) = P(Z > z) = erfc(z/√2)/2, with relative accuracy in the upper tail.
    static func upperTail(_ z: Double) -> Double { Double.erfc(z / 2.0.squareRoot()) / 2 }

    /// Both tails at one point: `lower` = Φ(z), `upper` = Φ̄(z), each with relative accuracy.
    struct Tails: Sendable {
      let z: Double
      let lower: Double
      let upper: Double
      init(z: Double) {
        self.z = z
        lower = StandardNormal.upperTail(-z)
        upper = StandardNormal.upperTail(z)
      }
    }

    /// P(min(a, b) < Z ≤ max(a, b)), from whichever tails avoid subtracting numbers near 1.
    static func mass(between a: Tails, and b: Tails) -> Double {
      let (low, high) = a.z <= b.z ? (a, b) : (b, a)
      let value: Double
      if low.z >= 0 {
        value = low.upper - high.upper
      } else if high.z <= 0 {
        value = high.lower - low.lower
      } else {
        value = 1 - low.lower - high.upper
      }
      return max(0, value)
    }

    /// The z with Φ̄(z) = p for p ∈ (0, 0.5), by bisection on [0, 40] to full precision.
    static func upperQuantile(_ p: Double) -> Double {
      var low = 0.0
      var high = 40.0
      for _ in 0..<100 {
        let middle = (low + high) / 2
        if upperTail(middle) > p { low = middle } else { high = middle }
      }
      return high
    }
  }
}
