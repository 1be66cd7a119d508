/// An accountant: turns a `DPEvent` into (ε, δ) guarantees.
///
/// Both directions are offered: ε for a given δ (what a run claims) and δ for a given ε. An
/// accountant that cannot analyse an event throws `AccountingError.unsupported` naming the
/// event; it never falls back to a guess.
public protocol PrivacyAccountant: Sendable {
  /// The accountant's name in recipes, reports and the command line (`rdp`, `pld`, `gdp`).
  var name: String { get }

  /// Whether the figures are guarantees (upper bounds on the true ε) or approximations (GDP's
  /// central-limit estimate). Reports label approximations as such.
  var isApproximation: Bool { get }

  /// The smallest ε this accountant can certify for `event` at `delta`.
  ///
  /// - Throws: `AccountingError` when `delta` is outside (0, 1) or the event is unsupported.
  func epsilon(for event: DPEvent, delta: Double) throws(AccountingError) -> Double

  /// The smallest δ this accountant can certify for `event` at `epsilon` (≥ 0).
  func delta(for event: DPEvent, epsilon: Double) throws(AccountingError) -> Double

  /// How `NoiseCalibration` searches σ with this accountant (default: bisection).
  var calibrationSearch: CalibrationSearch { get }
}

/// Why an accountant could not answer.
public enum AccountingError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The accountant has no analysis for this event (e.g. sampling without replacement).
  case unsupported(event: String, accountant: String, reason: String)
  /// A parameter is outside its domain: `name` is the parameter (`delta`, `noise_multiplier`,
  /// `sample_rate`, `steps`, `epsilon`), `value` as given, `requirement` in words.
  case invalidParameter(name: String, value: Double, requirement: String)
  /// A target cannot be reached (e.g. calibrating σ for an ε no finite noise achieves within the
  /// search range).
  case unreachable(String)

  public var description: String {
    switch self {
    case .unsupported(let event, let accountant, let reason):
      return "the \(accountant) accountant cannot analyse \(event): \(reason)"
    case .invalidParameter(let name, let value, let requirement):
      return "\(name) = \(value): \(requirement)"
    case .unreachable(let message):
      return message
    }
  }
}
