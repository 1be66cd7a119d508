import RealModule

/// How finely the PLD accountant discretises an event: the loss interval Δ it chooses, and the
/// limits of its grids.
///
/// Accuracy. Connect-the-Dots (`PrivacyLossDistribution.subsampledGaussian`) spreads each cell's
/// mass onto the cell's two ends, which keeps the distribution's mean likelihood ratio and adds at
/// most Δ²/4 to the variance of each step's loss: T steps add v ≤ T·Δ²/4. Blurring the composed
/// loss (density f) by a small variance v moves δ(ε) = E[(1 − e^{ε−L})₊] by (v/2)·δ″(ε), and
/// δ″ = f + δ′, so ε moves by about (v/2)·(h − 1) with h = f(ε)/|δ′(ε)|, the loss distribution's
/// hazard rate at ε. The Chernoff bound gives h: at its optimum λ* for the tail at δ, the rate
/// function's slope is λ* (for a Gaussian loss of standard deviation S, λ* ≈ z/S). Asking the
/// move to stay below η, with a factor 2 to spare and h taken as max(λ*, 1),
///
///     Δ = √(6·η / (T·max(λ*, 1))),     η = min(max(10⁻³·ε̂, 2·10⁻⁴), max(2·10⁻³, 2·10⁻⁵·ε̂)),
///
/// a relative accuracy of 10⁻³ for moderate ε, at most 0.002 absolute up to ε ≈ 100 (inside
/// prv_accountant's ±0.01 at its `eps_error = 0.01`) and 2·10⁻⁵ relative beyond, where ε̂ and λ*
/// come from `epsilonEstimate` at δ = 10⁻⁵, per direction, ε̂ being the larger direction's; a
/// direction whose ε̂_d is far below is allowed an error of g = (ε̂/2 − ε̂_d)/2 if that is larger
/// (its ε cannot become the answer), and Δ = g/T always suffices for it (a discretised loss
/// exceeds the true one by at most Δ per step); the finer direction wins. The hazard
/// matters with heavy tails (small q and σ): at q = 10⁻⁶, σ = 0.3, T = 10⁶ the loss has standard
/// deviation S ≈ 0.19 but ε ≈ 5.4, set by rare large losses; a rule in S alone would ask for
/// a grid 20× finer than the ε needs. Two bounds keep small problems accurate and large ones
/// bounded: Δ ≤ W/2¹⁶ with W the larger of 20·S and the widest single-step loss range (at least
/// 2¹⁶ points across the bulk or the single step: cheap, and tighter for few steps), and
/// Δ ≥ the widest single-step range / 2²² (no release is discretised on more than 2²² points).
/// The rule is checked against prv_accountant by `Scripts/pld_grid_benchmark.py`.
///
/// Cost. The composed window (`CompositionWindow`) holds W/Δ points for a Chernoff width W of a
/// few times ε̂ plus the bulk: at most about 2²⁰ for T ≤ 10⁶ and ε ≤ 100 on the benchmark grid
/// (docs/performance.md), transformed a few times whatever T. The estimates cost a few thousand
/// loss evaluations per release.
enum PLDResolution {
  /// The fewest points across ±10 standard deviations of the composed loss or one step's range.
  static let fewestBulkPoints = 65_536.0
  /// The most points of one composition window (or of one release's discretisation): 2²², about
  /// 200 MB of working arrays.
  static let mostWindowPoints = 4_194_304.0
  /// The coarsest grid the accountant accepts. A composition that would need a coarser one to
  /// fit `mostWindowPoints` spans over 2·10⁵ nats (ε in the tens of thousands) and is refused.
  static let largestLossInterval = 0.05
  /// The finest grid used: below it the whole loss range of a release is a few cells, and ε is
  /// 0 to any printed precision.
  static let smallestLossInterval = 1e-12

  /// Δ for composing `releases`, whose single steps are discretised with P-mass `tailMasses[j]`
  /// left outside their x range; infinite when a loss range overflows (σ ≈ 0) or the estimated ε
  /// is four times wider than the widest window allowed (`largestLossInterval · mostWindowPoints`).
  static func lossInterval(for releases: [PLDAccountant.Release], tailMasses: [Double]) -> Double {
    let directions = [PrivacyLossDistribution.NeighbouringDirection.remove, .add]
    let steps = releases.reduce(0.0) { $0 + Double($1.count) }
    var widestRange = 0.0
    var bulkWidth = 0.0
    for direction in directions {
      var variance = 0.0
      for (release, tailMass) in zip(releases, tailMasses) {
        let loss = PrivacyLossDistribution.SubsampledGaussianLoss(
          noiseMultiplier: release.noiseMultiplier, sampleRate: release.sampleRate)
        variance += Double(release.count) * loss.moments(direction: direction).variance
        let range = PrivacyLossDistribution.lossRange(
          noiseMultiplier: release.noiseMultiplier, sampleRate: release.sampleRate, direction: direction,
          tailMass: tailMass)
        let width = range.highest - range.lowest
        widestRange = width.isFinite ? max(widestRange, width) : .infinity
      }
      bulkWidth = max(bulkWidth, 20 * variance.squareRoot())
    }
    guard widestRange.isFinite else { return .infinity }
    // The answer is the larger direction's ε: a direction whose estimate is far below it needs
    // only an error well inside the gap.
    let estimates = directions.map { epsilonEstimate(releases, direction: $0) }
    let largest = estimates.map(\.epsilon).max() ?? 0
    // A composition whose ε estimate exceeds the widest window fourfold cannot fit: refuse before
    // any work (the estimate can be a few times the PLD's ε, so nearer cases are tried).
    guard largest <= 4 * largestLossInterval * mostWindowPoints else { return .infinity }
    var finest = max(bulkWidth, widestRange) / fewestBulkPoints
    for estimate in estimates {
      let gap = (largest / 2 - estimate.epsilon) / 2
      let target = max(accuracy(epsilonEstimate: largest), gap)
      // Discretised losses exceed the true ones by at most Δ per step, so Δ = gap/T keeps a
      // direction far below the answer below it whatever its hazard rate.
      finest = min(finest, max((6 * target / (steps * max(estimate.hazard, 1))).squareRoot(), gap / steps))
    }
    return max(min(finest, largestLossInterval), widestRange / mostWindowPoints, smallestLossInterval)
  }

  /// ε̂: a rough ε at δ = 10⁻⁵, the Chernoff bound `min_λ (Σ_j count_j·K_j(λ) + log 10⁵)/λ` on the
  /// composed loss (K_j from `SubsampledGaussianLoss.logMoment`; it is the RDP bound in disguise,
  /// typically 1–2× the PLD's ε). Unlike M + 4S it sees heavy tails: with q = 10⁻⁶, σ = 0.3,
  /// T = 10⁶ the loss has S ≈ 0.19 but ε ≈ 5.4, set by rare large losses. Also returns the
  /// optimal λ* (the `hazard`: the slope of the tail's rate function there).
  static func epsilonEstimate(
    _ releases: [PLDAccountant.Release], direction: PrivacyLossDistribution.NeighbouringDirection
  ) -> (epsilon: Double, hazard: Double) {
    let losses = releases.map {
      (
        loss: PrivacyLossDistribution.SubsampledGaussianLoss(noiseMultiplier: $0.noiseMultiplier, sampleRate: $0.sampleRate),
        count: Double($0.count)
      )
    }
    func bound(_ lambda: Double) -> Double {
      (losses.reduce(0.0) { $0 + $1.count * $1.loss.logMoment(lambda, direction: direction) } + Double.log(1e5)) / lambda
    }
    let hazard = CompositionWindow.minimiser(of: bound)
    let value = bound(hazard)
    return (value.isFinite ? max(0, value) : .infinity, hazard)
  }

  /// η: the ε error the grid is chosen for, given a rough ε.
  static func accuracy(epsilonEstimate: Double) -> Double {
    min(max(1e-3 * epsilonEstimate, 2e-4), max(2e-3, 2e-5 * epsilonEstimate))
  }
}
