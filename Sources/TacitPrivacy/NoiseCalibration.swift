/// Choosing DP-SGD's noise multiplier or step budget for a target (ε, δ), with any accountant.
///
/// The mechanism is T steps of the Poisson-subsampled Gaussian, `DPEvent.dpsgd(noiseMultiplier: σ,
/// sampleRate: q, steps: T)` = `selfComposed(poissonSampled(q, gaussian(σ)), T)`.
/// Both searches rely only on monotonicity (ε falls as σ grows and grows with T, true of every
/// accountant here), and both err on the private side: the answer's ε never exceeds the target
/// (a recurring complaint about other libraries is calibration that overshoots).
public enum NoiseCalibration {
  /// The smallest σ searched. Below it the RDP quadrature grows costly (its step is σ²/4) and
  /// the ε of any useful run is astronomically large.
  public static let smallestNoiseMultiplier = 0.05
  /// The largest σ searched before a target is declared unreachable.
  public static let largestNoiseMultiplier = 1e4
  /// The largest step count `maximumSteps` returns.
  public static let largestStepCount = 10_000_000

  /// The noise multiplier σ for which `accountant` gives ε ≤ `targetEpsilon` at `delta`, within
  /// `tolerance` (relative) of the smallest such σ, and that ε.
  ///
  /// A bracket [σ_lo, σ_hi] keeps ε(σ_lo) > target ≥ ε(σ_hi) and is narrowed until
  /// σ_hi − σ_lo ≤ tolerance·σ_hi, by the accountant's `calibrationSearch` (bisection: about
  /// log₂(1/tolerance) + |log₂ σ| + 2 accountant calls; interpolation: about 8). The upper end σ_hi
  /// is returned, so the result never overshoots the target.
  /// If even σ = `smallestNoiseMultiplier` meets the target, that σ is returned (its ε is then
  /// below the target).
  ///
  /// With `composedWith` (another mechanism of the same run, fixed beforehand, e.g. the private
  /// feature normalisation's `selfComposed(gaussian(σ_n), 2)`), the ε searched is that of
  /// `composed([fixed, dpsgd(σ)])`: σ is the smallest that keeps the whole composition within the
  /// target, and the ε returned is the composition's. A fixed event that alone reaches the
  /// target leaves DP-SGD nothing: `.unreachable`, saying how much it spends.
  ///
  /// - Throws: `.invalidParameter` for ε ≤ 0, δ ∉ (0, 1), q ∉ (0, 1], T < 1 or tolerance ∉ (0, ½);
  ///   `.unreachable` when σ = `largestNoiseMultiplier` still gives ε above the target (e.g. the
  ///   classical RDP conversion cannot go below −log δ/(α_max − 1)); the accountant's errors.
  public static func noiseMultiplier(
    targetEpsilon: Double, delta: Double, sampleRate: Double, steps: Int,
    accountant: some PrivacyAccountant, tolerance: Double = 1e-5, composedWith fixed: DPEvent? = nil
  ) throws(AccountingError) -> (noiseMultiplier: Double, epsilon: Double) {
    try check(targetEpsilon: targetEpsilon, delta: delta, sampleRate: sampleRate)
    guard steps >= 1 else {
      throw .invalidParameter(name: "steps", value: Double(steps), requirement: "must be ≥ 1 to calibrate")
    }
    guard tolerance > 0 && tolerance < 0.5 else {
      throw .invalidParameter(name: "tolerance", value: tolerance, requirement: "must be in (0, 0.5)")
    }
    if let fixed {
      let alone = try accountant.epsilon(for: fixed, delta: delta)
      guard alone < targetEpsilon else {
        throw .unreachable(
          "the mechanism composed with DP-SGD (\(fixed.ledgerText)) alone spends ε = \(alone) ≥ the target "
            + "\(targetEpsilon) with the \(accountant.name) accountant at δ = \(delta): no DP-SGD noise is enough")
      }
    }
    let problem = CalibrationProblem(targetEpsilon: targetEpsilon, tolerance: tolerance) { sigma throws(AccountingError) in
      // The run's event; σ is the only thing that varies.
      let dpsgd = DPEvent.dpsgd(noiseMultiplier: sigma, sampleRate: sampleRate, steps: steps)
      return try accountant.epsilon(for: fixed.map { .composed([$0, dpsgd]) } ?? dpsgd, delta: delta)
    } unreachable: { sigma, epsilon in
      .unreachable(
        "no noise multiplier up to \(largestNoiseMultiplier) reaches ε ≤ \(targetEpsilon) with the "
          + "\(accountant.name) accountant at δ = \(delta), q = \(sampleRate), T = \(steps)"
          + (fixed.map { " composed with \($0.ledgerText)" } ?? "") + " (ε = \(epsilon) at σ = \(sigma))")
    }
    switch accountant.calibrationSearch {
    case .bisection: return try bisection(problem)
    case .interpolation: return try interpolation(problem)
    }
  }

  /// What a search for σ needs: the target, the tolerance, ε as a function of σ, and the error
  /// for a target that σ = `largestNoiseMultiplier` cannot reach.
  struct CalibrationProblem {
    let targetEpsilon: Double
    let tolerance: Double
    let epsilon: (Double) throws(AccountingError) -> Double
    let unreachable: (_ sigma: Double, _ epsilon: Double) -> AccountingError
  }

  /// Bisection (`CalibrationSearch.bisection`): the bracket starts at [½, 1] and is doubled (or
  /// halved) until it holds, then halved until it is `tolerance` wide.
  private static func bisection(_ problem: CalibrationProblem) throws(AccountingError) -> (
    noiseMultiplier: Double, epsilon: Double
  ) {
    let targetEpsilon = problem.targetEpsilon
    var high = 1.0
    var highEpsilon = try problem.epsilon(high)
    while highEpsilon > targetEpsilon {
      guard high < largestNoiseMultiplier else { throw problem.unreachable(high, highEpsilon) }
      high = min(2 * high, largestNoiseMultiplier)
      highEpsilon = try problem.epsilon(high)
    }
    var low = high / 2
    var lowEpsilon = try problem.epsilon(low)
    while lowEpsilon <= targetEpsilon {
      high = low
      highEpsilon = lowEpsilon
      guard low > smallestNoiseMultiplier else { return (high, highEpsilon) }
      low = max(low / 2, smallestNoiseMultiplier)
      lowEpsilon = try problem.epsilon(low)
    }
    while high - low > problem.tolerance * high {
      let middle = low + (high - low) / 2
      let middleEpsilon = try problem.epsilon(middle)
      if middleEpsilon <= targetEpsilon {
        high = middle
        highEpsilon = middleEpsilon
      } else {
        low = middle
      }
    }
    return (high, highEpsilon)
  }

  /// `noiseMultiplier(…, steps:)` with T = `steps(epochs:sampleRate:)`.
  public static func noiseMultiplier(
    targetEpsilon: Double, delta: Double, sampleRate: Double, epochs: Double,
    accountant: some PrivacyAccountant, tolerance: Double = 1e-5
  ) throws(AccountingError) -> (noiseMultiplier: Double, epsilon: Double) {
    try noiseMultiplier(
      targetEpsilon: targetEpsilon, delta: delta, sampleRate: sampleRate,
      steps: steps(epochs: epochs, sampleRate: sampleRate), accountant: accountant, tolerance: tolerance)
  }

  /// The largest T ≤ `largestStepCount` with ε(T) ≤ `targetEpsilon` at `delta` (0 when even one
  /// step exceeds it). Doubling then binary search: about 2·log₂ T accountant calls.
  public static func maximumSteps(
    noiseMultiplier: Double, sampleRate: Double, targetEpsilon: Double, delta: Double,
    accountant: some PrivacyAccountant
  ) throws(AccountingError) -> Int {
    try check(targetEpsilon: targetEpsilon, delta: delta, sampleRate: sampleRate)
    func fits(_ steps: Int) throws(AccountingError) -> Bool {
      let run = DPEvent.dpsgd(noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps)
      return try accountant.epsilon(for: run, delta: delta) <= targetEpsilon
    }
    guard try fits(1) else { return 0 }
    var good = 1
    var bad = 2
    while try fits(bad) {
      good = bad
      guard bad < largestStepCount else { return largestStepCount }
      bad = min(2 * bad, largestStepCount)
    }
    while bad - good > 1 {
      let middle = good + (bad - good) / 2
      if try fits(middle) { good = middle } else { bad = middle }
    }
    return good
  }

  /// Steps in `epochs` passes at sample rate q: epochs/q rounded to the nearest integer (not
  /// truncated: 90/0.04 must give 2250 even if the quotient rounds to 2249.999…).
  public static func steps(epochs: Double, sampleRate: Double) -> Int {
    precondition(epochs >= 0 && epochs.isFinite && sampleRate > 0, "epochs \(epochs), sample rate \(sampleRate)")
    return Int((epochs / sampleRate).rounded())
  }

  /// Epochs (expected passes over the data) in `steps` steps at sample rate q: T·q.
  public static func epochs(steps: Int, sampleRate: Double) -> Double {
    Double(steps) * sampleRate
  }

  private static func check(targetEpsilon: Double, delta: Double, sampleRate: Double) throws(AccountingError) {
    guard targetEpsilon > 0 && targetEpsilon.isFinite else {
      throw .invalidParameter(name: "epsilon", value: targetEpsilon, requirement: "target must be finite and > 0")
    }
    guard delta > 0 && delta < 1 else {
      throw .invalidParameter(name: "delta", value: delta, requirement: "must be in (0, 1)")
    }
    guard sampleRate > 0 && sampleRate <= 1 else {
      throw .invalidParameter(name: "sample_rate", value: sampleRate, requirement: "must be in (0, 1] to calibrate")
    }
  }
}
