/// An interval estimate [lower, upper] holding the true value with probability `confidence`
/// (e.g. 0.95), whether from Clopper–Pearson (exact coverage ≥ `confidence`) or a bootstrap
/// (approximate).
public struct ConfidenceInterval: Sendable, Codable, Equatable {
  public var lower: Double
  public var upper: Double
  /// The nominal coverage in (0, 1).
  public var confidence: Double

  public init(lower: Double, upper: Double, confidence: Double) {
    self.lower = lower
    self.upper = upper
    self.confidence = confidence
  }

  /// The percentile interval of `values`: the (1 − confidence)/2 and (1 + confidence)/2
  /// quantiles, linearly interpolated between order statistics (NumPy's default `quantile`).
  /// Used for bootstrap replicates (Efron & Tibshirani 1993, §13.3). `values` must be non-empty.
  public static func percentile(of values: [Double], confidence: Double) -> ConfidenceInterval {
    precondition(!values.isEmpty, "a percentile interval needs at least one value")
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    let sorted = values.sorted()
    func quantile(_ level: Double) -> Double {
      let position = level * Double(sorted.count - 1)
      let below = Int(position.rounded(.down))
      let above = min(below + 1, sorted.count - 1)
      let fraction = position - Double(below)
      return sorted[below] + fraction * (sorted[above] - sorted[below])
    }
    return ConfidenceInterval(
      lower: quantile((1 - confidence) / 2), upper: quantile((1 + confidence) / 2), confidence: confidence)
  }
}
