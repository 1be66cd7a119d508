import Foundation

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
/// (`AdaptiveClippingNoise`); these settings hold the resolved `σ_b`.
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

/// The running state of adaptive clipping for one training run: the current norm `C_t` and the
/// norms used so far (see `AdaptiveClippingSettings` for the update and its privacy cost).
///
/// A `TrainingStep` in `.privateSum` mode with adaptive settings owns one and calls `update`
/// once per step, after the noise, with the step's unclipped count and one standard-normal draw
/// from the step's `NoiseSource` (so seeded runs repeat bit for bit, and secure runs draw the
/// count noise from the secure stream).
public final class AdaptiveClipping {
  public let settings: AdaptiveClippingSettings
  /// The divisor `E = qN` of the count.
  public let expectedBatchSize: Double
  /// The norm the next step clips at, `C_t`.
  public private(set) var clipNorm: Double
  /// Every norm used so far, in step order: `C_0, C_1, …, C_{t−1}` after t steps.
  public private(set) var history: [Double] = []
  /// The noisy unclipped fraction `b̃_t` of every step so far.
  public private(set) var unclippedFractions: [Double] = []

  public init(settings: AdaptiveClippingSettings, initialClipNorm: Double, expectedBatchSize: Double) {
    precondition(
      initialClipNorm > 0 && initialClipNorm.isFinite, "initial clip norm must be finite and > 0, got \(initialClipNorm)")
    precondition(expectedBatchSize > 0, "expected batch size must be > 0, got \(expectedBatchSize)")
    self.settings = settings
    self.expectedBatchSize = expectedBatchSize
    clipNorm = initialClipNorm
  }

  /// Ends a step that clipped at `clipNorm`: forms `b̃ = (unclippedCount − batchSize/2 + σ_b·z)/E + ½`
  /// clamped to [0, 1] and moves the norm to `C · exp(−η (b̃ − γ))`.
  ///
  /// - Parameters:
  ///   - unclippedCount: `Σ b_i`, the examples whose gradient norm was ≤ `clipNorm`.
  ///   - batchSize: `n_t`, the examples in the batch (only its centring `n_t/2` enters, never
  ///     released on its own).
  ///   - standardNormal: z ~ N(0, 1) from the step's noise source.
  /// - Returns: `b̃`.
  @discardableResult
  public func update(unclippedCount: Int, batchSize: Int, standardNormal: Double) -> Double {
    precondition(
      unclippedCount >= 0 && unclippedCount <= batchSize, "unclipped count \(unclippedCount) out of a batch of \(batchSize)")
    let centred = Double(unclippedCount) - Double(batchSize) / 2 + settings.countNoise * standardNormal
    let fraction = min(1, max(0, centred / expectedBatchSize + 0.5))
    history.append(clipNorm)
    unclippedFractions.append(fraction)
    clipNorm *= exp(-settings.learningRate * (fraction - settings.targetQuantile))
    return fraction
  }
}
