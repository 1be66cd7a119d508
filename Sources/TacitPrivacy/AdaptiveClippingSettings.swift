/// The parameters of adaptive clipping (Andrew, Thakkar, McMahan & Ramaswamy 2021,
/// "Differentially Private Learning with Adaptive Clipping", NeurIPS; Algorithm 1 with the
/// geometric update): the clipping norm follows a chosen quantile of the per-example gradient
/// norms, estimated privately each step.
///
/// **Update.** At step t the step clips at `C_t`. With `b_i = 1[‖g_i‖ ≤ C_t]` for the `n_t`
/// examples of the Poisson batch, the step releases the noisy *centred* count
/// `Σ_i (b_i − ½) + N(0, σ_b²)` and forms the unclipped fraction
/// `b̃_t = (Σ_i (b_i − ½) + N(0, σ_b²)) / E + ½`, clamped to [0, 1], with `E = qN` the expected
/// batch size. The next norm is `C_{t+1} = C_t · exp(−η (b̃_t − γ))`. In expectation over the
/// batch `b̃_t` is the fraction of examples unclipped, so `C_t` climbs while fewer than γ are
/// unclipped and falls while more are: it settles at the γ-quantile of the norms (tested). One
/// step changes `C` by at most a factor `e^{±η}` (the clamp, as TF Privacy's
/// `QuantileEstimatorQuery`; post-processing, so free).
///
/// **Privacy (the paper's §3.1).** Centring makes each record's count contribution `±½`, so the
/// count query has sensitivity ½ (the uncentred count `Σ b_i` has sensitivity 1 under add/remove,
/// because the batch size `n_t` is itself private: Tacit never releases it, and `E` and ½ are
/// public). The gradient sum (noise multiplier `z_Δ`) and the count (noise `σ_b`) together are
/// one Gaussian mechanism with noise multiplier `z`, `z⁻² = z_Δ⁻² + (2σ_b)⁻²`: the run states `z`
/// and the gradient carries `z_Δ = (z⁻² − (2σ_b)⁻²)^{−1/2}`. That split, its refusal when
/// `2σ_b ≤ z` and the default `σ_b = E/20` are accounting math and live in TacitPrivacy
/// (`AdaptiveClippingNoise`); these settings hold the resolved `σ_b`. TacitTraining's
/// `AdaptiveClipping` runs the update; the privacy report states these settings.
public struct AdaptiveClippingSettings: Sendable, Equatable {
  /// γ in (0, 1): the fraction of per-example gradients meant to stay unclipped (0.5: the median).
  public var targetQuantile: Double
  /// η > 0: the geometric learning rate of the norm.
  public var learningRate: Double
  /// σ_b ≥ 0: the standard deviation of the noise on the centred count, in counts (examples).
  public var countNoise: Double

  public init(targetQuantile: Double = 0.5, learningRate: Double = 0.2, countNoise: Double) {
    precondition(targetQuantile > 0 && targetQuantile < 1, "target quantile must be in (0, 1), got \(targetQuantile)")
    precondition(learningRate > 0 && learningRate.isFinite, "learning rate must be finite and > 0, got \(learningRate)")
    precondition(countNoise >= 0 && countNoise.isFinite, "count noise must be finite and ≥ 0, got \(countNoise)")
    self.targetQuantile = targetQuantile
    self.learningRate = learningRate
    self.countNoise = countNoise
  }
}
