/// How `NoiseCalibration` searches for the noise multiplier with an accountant.
///
/// - `bisection`: halve the bracket until it is `tolerance` wide: about log₂(1/tolerance) + 3
///   accountant calls; robust to any monotone ε(σ). RDP and GDP answer in milliseconds, and their
///   calibrated σ is pinned by tests and recorded runs, so they keep it.
/// - `interpolation`: regula falsi on log ε against log σ (Illinois variant), keeping a bracket
///   and closing it from both sides: about 8 calls, for accountants whose calls are costly
///   (PLD: up to a second each) and whose ε(σ) is smooth. Same guarantee as bisection: the
///   returned σ never exceeds the target's ε, and the bracket is `tolerance` wide.
public enum CalibrationSearch: Sendable, Equatable {
  case bisection
  case interpolation
}

extension PrivacyAccountant {
  /// Bisection, unless the accountant says otherwise.
  public var calibrationSearch: CalibrationSearch { .bisection }
}
