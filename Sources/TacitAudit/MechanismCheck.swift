import Foundation

/// A white-box check that the DP-SGD mechanism which ran is the one the accountant analysed,
/// measured on the gradient canaries during training (`GradientCanaries`).
///
/// The accountant's ε holds for one mechanism: records drawn by Poisson sampling at rate q, each
/// record's gradient clipped to C, Gaussian noise of standard deviation σC/E drawn afresh at every
/// step. A gradient canary is a virtual record of that pool with a known gradient (raw norm 10·C
/// on one coordinate), so the run can measure, through the code that trains the model, what each
/// of these became:
///
/// | kind | measured | accounted | fails when |
/// |---|---|---|---|
/// | `sampleRate` | canary inclusions / (IN canaries × steps) | q | above |
/// | `clippedContribution` | mean released change at a drawn canary's coordinate, in units of C/E | 1 | either way |
/// | `noiseScale` | standard deviation at undrawn canaries' coordinates, in units of σC/E | 1 | below |
/// | `noiseIndependence` | lag-1 correlation of that noise across consecutive steps | 0 | either way |
///
/// A deviation fails the check (`status == .failed`, the audit's verdict becomes VIOLATION) when
/// it weakens the guarantee: more sampling, less noise, correlated noise, or a clipped
/// contribution other than C (per-example clipping of a 10·C gradient gives exactly C, so any
/// other value means the code does not clip each example to C: a loose bound, no clipping, or the
/// batch clipped as a whole, whose sensitivity is 2C). A deviation in the harmless direction (more
/// noise, a lower rate) is reported as `.deviates` and changes no verdict.
///
/// **Significance.** A deviation counts only when it is both significant,
/// `|measured − accounted| > 6·standardError` (a correct implementation trips one check with
/// probability about 2·10⁻⁹), and material, beyond `tolerance` (5% of the accounted value, or 0.05
/// for a correlation), so float rounding over millions of draws never fails a correct run.
public struct MechanismCheck: Sendable, Equatable {
  /// What the check measures (the raw value names it in JSON and reports).
  public enum Kind: String, Sendable, CaseIterable {
    case sampleRate = "sampling rate"
    case clippedContribution = "clipped contribution"
    case noiseScale = "noise scale"
    case noiseIndependence = "noise independence"

    /// Whether a measurement above the accounted value weakens the guarantee, below it, or both.
    var failingDirections: (above: Bool, below: Bool) {
      switch self {
      case .sampleRate: (true, false)
      case .clippedContribution: (true, true)
      case .noiseScale: (false, true)
      case .noiseIndependence: (true, true)
      }
    }
  }

  /// The outcome of one check.
  public enum Status: String, Sendable {
    /// Consistent with the accounted mechanism.
    case passed
    /// A significant, material deviation that does not weaken the guarantee (reported only).
    case deviates
    /// A significant, material deviation that weakens the guarantee: the claimed ε is not
    /// supported.
    case failed
  }

  /// The significance threshold in standard errors.
  public static let significance = 6.0

  public let kind: Kind
  /// The measured value (see the table above for its units).
  public let measured: Double
  /// The value the accounted mechanism gives.
  public let accounted: Double
  /// The standard error of `measured` under the accounted mechanism.
  public let standardError: Double
  /// How many observations the measurement averages.
  public let observations: Int
  public let status: Status

  /// A check of `measured` against `accounted` with `standardError`; `tolerance` is the smallest
  /// material deviation (default 5% of `accounted`, or 0.05 when `accounted` is 0).
  public init(kind: Kind, measured: Double, accounted: Double, standardError: Double, observations: Int, tolerance: Double? = nil) {
    self.kind = kind
    self.measured = measured
    self.accounted = accounted
    self.standardError = standardError
    self.observations = observations
    let material = tolerance ?? (accounted == 0 ? 0.05 : 0.05 * abs(accounted))
    let deviation = measured - accounted
    // NaN (no observations, or a non-finite release) is never consistent.
    let consistent = abs(deviation) <= max(Self.significance * standardError, material)
    if observations == 0 || consistent {
      status = .passed
    } else {
      let directions = kind.failingDirections
      let weakens = deviation.isNaN || (deviation > 0 ? directions.above : directions.below)
      status = weakens ? .failed : .deviates
    }
  }

  /// One line: `noise scale: measured 0.101 (accounted 1, ±0.0021 over 290000 observations): FAILED`.
  public var summary: String {
    let verdict: String
    switch status {
    case .passed: verdict = "consistent"
    case .deviates: verdict = "deviates (not weaker)"
    case .failed: verdict = "FAILED"
    }
    if observations == 0 { return "\(kind.rawValue): not measured (no observations)" }
    return "\(kind.rawValue): measured \(Self.format(measured)) (accounted \(Self.format(accounted)), "
      + "standard error \(Self.format(standardError)) over \(observations) observations): \(verdict)"
  }

  private static func format(_ value: Double) -> String {
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e-3 && magnitude < 1e5 {
      var text = String(format: "%.4g", value)
      if text.contains("e") { text = String(format: "%g", value) }
      return text
    }
    return String(format: "%.3e", value)
  }
}
