/// How adaptive clipping splits a DP-SGD step's noise between the gradient and the clipped count
/// (Andrew, Thakkar, McMahan & Ramaswamy 2021, "Differentially Private Learning with Adaptive
/// Clipping", NeurIPS, §3.1; the split TensorFlow Federated's `dp_aggregator` makes).
///
/// Each step releases, from the same Poisson batch, the clipped gradient sum (sensitivity C,
/// noise N(0, z_Δ²C²)) and the centred count of unclipped examples `Σ_i (b_i − ½)` (sensitivity
/// ½, noise N(0, σ_b²)). In noise units the two are one Gaussian mechanism on the concatenated
/// vector with sensitivity `√(z_Δ⁻² + (2σ_b)⁻²)`, that is a Gaussian of noise multiplier z with
///
///     z⁻² = z_Δ⁻² + (2σ_b)⁻².
///
/// A run states z (given, or calibrated to the target ε) and the accountants analyse
/// `DPEvent.dpsgd(noiseMultiplier: z, …)`; the gradient then carries
/// `z_Δ = (z⁻² − (2σ_b)⁻²)^{−1/2} > z`, which exists only when `2σ_b > z` (otherwise the count
/// alone would spend the whole budget). The paper's default `σ_b = E/20` for the expected batch
/// size E costs little: for E = 256, z = 1 it gives z_Δ = 1.0008.
public enum AdaptiveClippingNoise {
  /// The paper's default count noise, `σ_b = E/20` for the expected batch size `E`.
  public static func defaultCountNoise(expectedBatchSize: Double) -> Double { expectedBatchSize / 20 }

  /// The gradient's noise multiplier `z_Δ = (z⁻² − (2σ_b)⁻²)^{−1/2}` that makes the step, count
  /// included, a Gaussian mechanism with noise multiplier `effective` = z; `nil` when
  /// `2σ_b ≤ z` (the count alone would already spend the whole budget). `σ_b = ∞` gives `z`.
  ///
  /// - Precondition: `effective` is finite and > 0.
  public static func gradientNoiseMultiplier(effective: Double, countNoise: Double) -> Double? {
    precondition(effective > 0 && effective.isFinite, "effective noise multiplier must be finite and > 0, got \(effective)")
    let countMultiplier = 2 * countNoise
    guard countMultiplier > effective else { return nil }
    let remaining = 1 / (effective * effective) - 1 / (countMultiplier * countMultiplier)
    return 1 / remaining.squareRoot()
  }

  /// The effective noise multiplier `z = (z_Δ⁻² + (2σ_b)⁻²)^{−1/2}` of a step whose gradient has
  /// noise multiplier `gradient` = z_Δ and whose count has noise `countNoise` = σ_b (0 when either
  /// is 0: that part is released exactly).
  public static func effectiveNoiseMultiplier(gradient: Double, countNoise: Double) -> Double {
    guard gradient > 0 && countNoise > 0 else { return 0 }
    let countMultiplier = 2 * countNoise
    return 1 / (1 / (gradient * gradient) + 1 / (countMultiplier * countMultiplier)).squareRoot()
  }
}
