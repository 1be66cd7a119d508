import RealModule

extension NoiseCalibration {
  /// Calibration by interpolation (`CalibrationSearch.interpolation`) on
  /// `g(u) = log(ε(e^u)/target)`, u = log σ: ε falls roughly like a power of σ, so g is nearly
  /// linear in u and the secant is accurate (ε = 0, e.g. from PLD's total-variation shortcut, is
  /// read as 10⁻⁹·target so that g stays finite).
  ///
  /// 1. Bracket: from σ = 1, step along the secant of the last two points (the first step assumes
  ///    ε ∝ 1/σ), overshooting it by 10% and moving by a factor between 1.25 and 16, until g
  ///    changes sign; within [`smallestNoiseMultiplier`, `largestNoiseMultiplier`] as bisection.
  /// 2. Refine: regula falsi with the Illinois modification (Dowell & Jarratt 1971: the end kept
  ///    twice in a row has its g halved, which keeps convergence superlinear), each candidate
  ///    held 0.45·tolerance·σ_hi inside the bracket, so that once the root is known to that
  ///    precision the next point lands on the far side and closes the bracket; a bisection step
  ///    whenever three steps have not halved the bracket.
  ///
  /// Returns the bracket's upper end, as bisection does, so ε never exceeds the target.
  static func interpolation(_ problem: CalibrationProblem) throws(AccountingError) -> (
    noiseMultiplier: Double, epsilon: Double
  ) {
    let target = problem.targetEpsilon
    func g(_ epsilon: Double) -> Double { Double.log(max(epsilon, 1e-9 * target) / target) }
    var bracket = try Bracket(problem, g: g)
    if let answer = bracket.answer { return answer }
    var lastSide = 0
    var lowWeight = bracket.lowValue
    var highWeight = bracket.highValue
    var widthBefore = bracket.high - bracket.low
    var stepsSinceHalving = 0
    while bracket.high - bracket.low > problem.tolerance * bracket.high {
      let (lowU, highU) = (Double.log(bracket.low), Double.log(bracket.high))
      var candidate = Double.exp(highU - highWeight * (highU - lowU) / (highWeight - lowWeight))
      if stepsSinceHalving >= 3 || !candidate.isFinite { candidate = (bracket.low + bracket.high) / 2 }
      let margin = 0.45 * problem.tolerance * bracket.high
      candidate = min(max(candidate, bracket.low + margin), bracket.high - margin)
      let epsilon = try problem.epsilon(candidate)
      let value = g(epsilon)
      if epsilon > target {
        (bracket.low, bracket.lowValue, lowWeight) = (candidate, value, value)
        if lastSide == -1 { highWeight /= 2 }
        lastSide = -1
      } else {
        (bracket.high, bracket.highValue, bracket.highEpsilon, highWeight) = (candidate, value, epsilon, value)
        if lastSide == 1 { lowWeight /= 2 }
        lastSide = 1
      }
      stepsSinceHalving += 1
      if bracket.high - bracket.low <= widthBefore / 2 {
        widthBefore = bracket.high - bracket.low
        stepsSinceHalving = 0
      }
    }
    return (bracket.high, bracket.highEpsilon)
  }

  /// σ_lo < σ_hi with ε(σ_lo) > target ≥ ε(σ_hi), found by secant steps from σ = 1; or the
  /// `answer` when σ = `smallestNoiseMultiplier` already meets the target.
  private struct Bracket {
    var low = 0.0
    var lowValue = 0.0
    var high = 0.0
    var highValue = 0.0
    var highEpsilon = 0.0
    var answer: (noiseMultiplier: Double, epsilon: Double)? = nil

    init(_ problem: CalibrationProblem, g: (Double) -> Double) throws(AccountingError) {
      var sigma = 1.0
      var epsilon = try problem.epsilon(sigma)
      var previous: (u: Double, value: Double)? = nil
      var (foundLow, foundHigh) = (false, false)
      while true {
        let value = g(epsilon)
        if epsilon > problem.targetEpsilon {
          (low, lowValue, foundLow) = (sigma, value, true)
          guard sigma < NoiseCalibration.largestNoiseMultiplier else { throw problem.unreachable(sigma, epsilon) }
        } else {
          (high, highValue, highEpsilon, foundHigh) = (sigma, value, epsilon, true)
          if !foundLow && sigma <= NoiseCalibration.smallestNoiseMultiplier {
            answer = (sigma, epsilon)
            return
          }
        }
        if foundLow && foundHigh { return }
        let u = Double.log(sigma)
        // The secant's root (first step: slope −1, as for ε ∝ 1/σ), overshot by 10%.
        var step = value
        if let previous, previous.value != value { step = -value * (u - previous.u) / (value - previous.value) }
        let magnitude = min(max(abs(step) * 1.1, Double.log(1.25)), Double.log(16))
        previous = (u, value)
        sigma = Double.exp(u + (value > 0 ? magnitude : -magnitude))
        sigma = min(max(sigma, NoiseCalibration.smallestNoiseMultiplier), NoiseCalibration.largestNoiseMultiplier)
        epsilon = try problem.epsilon(sigma)
      }
    }
  }
}
