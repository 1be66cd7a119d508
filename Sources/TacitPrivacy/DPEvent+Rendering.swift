import Foundation

extension DPEvent {
  /// The event in words, as the report's ledger shows it, e.g.
  /// `1200 × Poisson-sampled (q = 0.034133) Gaussian (σ = 1.8257)`: σ to 4 decimals, q to 6.
  public var ledgerText: String {
    switch self {
    case .gaussian(let noiseMultiplier): return String(format: "Gaussian (σ = %.4f)", noiseMultiplier)
    case .poissonSampled(let sampleRate, let inner):
      return String(format: "Poisson-sampled (q = %.6f) ", sampleRate) + inner.ledgerText
    case .selfComposed(let inner, let count): return "\(count) × " + inner.ledgerText
    case .composed(let events): return "composed of [" + events.map(\.ledgerText).joined(separator: "; ") + "]"
    }
  }

  /// The event as a JSON-ready object in dp_accounting's vocabulary: `{"event": "gaussian",
  /// "noise_multiplier": σ}`, `{"event": "poisson_sampled", "sample_rate": q, "inner": …}`,
  /// `{"event": "self_composed", "count": T, "inner": …}`, `{"event": "composed", "events": […]}`.
  /// Values are `String`, `Double`, `Int`, nested objects and arrays, as `JSONSerialization` takes them.
  public var jsonObject: [String: Any] {
    switch self {
    case .gaussian(let noiseMultiplier):
      return ["event": "gaussian", "noise_multiplier": noiseMultiplier]
    case .poissonSampled(let sampleRate, let inner):
      return ["event": "poisson_sampled", "sample_rate": sampleRate, "inner": inner.jsonObject]
    case .selfComposed(let inner, let count):
      return ["event": "self_composed", "count": count, "inner": inner.jsonObject]
    case .composed(let events):
      return ["event": "composed", "events": events.map(\.jsonObject)]
    }
  }
}
