import Foundation

/// One secret-sharer canary after training (Carlini et al. 2019): its exposure
/// log₂|R| − log₂ rank among the |R| candidates of its format (`maximum` = log₂|R|: ranked
/// first), how it was computed, its rank when exact, and whether greedy decoding from the
/// prefix produced it.
public struct SecretCanaryResult: Sendable, Equatable {
  public var insertions: Int
  public var secret: String
  public var exposure: Double
  public var maximum: Double
  public var method: String
  public var rank: Double?
  public var extracted: Bool

  public init(
    insertions: Int, secret: String, exposure: Double, maximum: Double, method: String, rank: Double?, extracted: Bool
  ) {
    self.insertions = insertions
    self.secret = secret
    self.exposure = exposure
    self.maximum = maximum
    self.method = method
    self.rank = rank
    self.extracted = extracted
  }

  /// The exposure a DP-SGD run at (ε, δ) allows a canary inserted k times, at 95%: with group
  /// privacy (kε, k·e^{(k−1)ε}·δ), P(rank ≤ r) ≤ e^{kε}·r/|R| + δ_k, so P(exposure ≥ t) ≤
  /// e^{kε}·2^{−t} + δ_k, which is 5% at t = log₂(e^{kε} / (0.05 − δ_k)); `nil` (no bound) when
  /// δ_k ≥ 0.05. Capped at log₂|R|, where it says nothing.
  public static func allowedExposure(epsilon: Double, delta: Double, insertions k: Int, maximum: Double) -> Double? {
    let groupEpsilon = Double(k) * epsilon
    let groupDelta = Double(k) * Foundation.exp(Double(k - 1) * epsilon) * delta
    guard groupDelta < 0.05 else { return nil }
    return min(maximum, groupEpsilon / Foundation.log(2) + Foundation.log2(1 / (0.05 - groupDelta)))
  }
}
