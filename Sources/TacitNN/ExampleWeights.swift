/// The coefficients `c_b` of a weighted parameter-gradient sum `Σ_b c_b ∇θ ℓ_b`.
///
/// Non-private training uses `.uniform(1 / B)` (the mean gradient); DP-SGD uses the per-example
/// clip factors `c_b = min(1, C / ‖∇θ ℓ_b‖)` (and divides by the expected batch size afterwards).
public enum ExampleWeights: Sendable {
  /// The same coefficient for every example.
  case uniform(Float)
  /// One coefficient per example, in batch order.
  case perExample([Float])

  /// The coefficient of example `index`.
  @inlinable
  public subscript(index: Int) -> Float {
    switch self {
    case .uniform(let value): return value
    case .perExample(let values): return values[index]
    }
  }
}
