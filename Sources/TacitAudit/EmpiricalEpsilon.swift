/// An empirical lower bound on ε: with probability at least `confidence` over the audit's
/// randomness, a mechanism that is (ε, δ)-DP has ε ≥ `epsilon` (at this `delta`).
///
/// `epsilon` is 0 when the audit found no evidence of leakage; it is a bound on what the
/// mechanism can be, never a measurement of what it is. `method` says how it was obtained
/// (which test, how the threshold was chosen), and the optional fields carry the threshold and
/// the Clopper–Pearson upper bounds of the error rates that produced it.
public struct EmpiricalEpsilon: Sendable, Codable, Equatable {
  /// The lower bound (0 when no evidence).
  public var epsilon: Double
  /// The probability that the bound holds, e.g. 0.95.
  public var confidence: Double
  /// The δ the bound is stated at (explicit: δ = 0 is a choice, never a default in disguise).
  public var delta: Double
  /// How the bound was obtained, e.g. "clopper-pearson, threshold chosen on a held-out half".
  public var method: String
  /// The score threshold of the winning test ("member" when score ≥ threshold).
  public var threshold: Double?
  /// The upper confidence bound of the winning test's false-positive rate.
  public var falsePositiveRateUpper: Double?
  /// The upper confidence bound of the winning test's false-negative rate.
  public var falseNegativeRateUpper: Double?

  public init(
    epsilon: Double, confidence: Double, delta: Double, method: String, threshold: Double? = nil,
    falsePositiveRateUpper: Double? = nil, falseNegativeRateUpper: Double? = nil
  ) {
    self.epsilon = epsilon
    self.confidence = confidence
    self.delta = delta
    self.method = method
    self.threshold = threshold
    self.falsePositiveRateUpper = falsePositiveRateUpper
    self.falseNegativeRateUpper = falseNegativeRateUpper
  }

  enum CodingKeys: String, CodingKey {
    case epsilon, confidence, delta, method, threshold
    case falsePositiveRateUpper = "false_positive_rate_upper"
    case falseNegativeRateUpper = "false_negative_rate_upper"
  }
}
