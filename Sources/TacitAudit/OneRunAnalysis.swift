/// Which analysis turns one-run counts (m canaries, r guesses, v correct) into a lower bound on
/// ε at δ. All three are valid at the stated confidence when the guesses were fixed before the
/// inclusion bits were seen; they differ in what they assume and how much they can show.
public enum OneRunAnalysis: String, Sendable, Codable, CaseIterable {
  /// Steinke, Nasr & Jagielski 2023 (`OneRunAudit`): "the run is not (ε, δ)-DP", no assumption.
  case epsilonDelta = "epsilon_delta"
  /// Mahloujifar, Melis & Chaudhuri 2025 against the (ε, δ) trade-off curve
  /// (`FDPOneRunAudit.approximateEpsilonLowerBound`): the same claim, no assumption.
  case tradeOffEpsilonDelta = "trade_off_epsilon_delta"
  /// Mahloujifar, Melis & Chaudhuri 2025 against Gaussian curves (`FDPOneRunAudit.muLowerBound`),
  /// reported as the ε of μ-GDP at δ. Assumes the mechanism's trade-off curve is Gaussian (as
  /// DP-SGD's analysis does): "no μ-GDP curve with a smaller μ fits the run". δ must be positive.
  case tradeOffGaussian = "trade_off_gaussian"

  /// The bound for v = `correct` of r = `guesses` among m = `canaries`, at δ and `confidence`;
  /// `mu` is the μ lower bound for `.tradeOffGaussian` and nil otherwise.
  public func bound(guesses: Int, correct: Int, canaries: Int, delta: Double, confidence: Double) -> (
    epsilon: Double, mu: Double?
  ) {
    switch self {
    case .epsilonDelta:
      let epsilon = OneRunAudit.epsilonLowerBound(
        guesses: guesses, correct: correct, canaries: canaries, delta: delta, confidence: confidence)
      return (epsilon, nil)
    case .tradeOffEpsilonDelta:
      let epsilon = FDPOneRunAudit.approximateEpsilonLowerBound(
        guesses: guesses, correct: correct, canaries: canaries, delta: delta, confidence: confidence)
      return (epsilon, nil)
    case .tradeOffGaussian:
      precondition(delta > 0 && delta < 1, "δ must be in (0, 1) for a Gaussian-curve bound, got \(delta)")
      let mu = FDPOneRunAudit.muLowerBound(
        guesses: guesses, correct: correct, canaries: canaries, confidence: confidence)
      return (GDPEstimate.epsilon(mu: mu, delta: delta), mu)
    }
  }
}
