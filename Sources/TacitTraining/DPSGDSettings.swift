import TacitPrivacy

/// The parameters of a DP-SGD step.
///
/// The step computes `g̃ = (Σ_{b ∈ batch} c_b ∇θ ℓ_b + N(0, σ²C² I)) / E` where
/// - `c_b = min(1, C / ‖∇θ ℓ_b‖)` (flat clipping: the norm over all parameters), or, per layer,
///   each trainable leaf's gradient clipped to `C_l = C / √L` (`perLayerBound`) for the `L`
///   trainable leaves of the model (`Sequential.trainableLeaves`: the parameterised layers, and the
///   parameterised sub-layers of composite ones), so the whole per-example gradient still has
///   norm ≤ `√(Σ C_l²) = C` and the same noise calibrates;
/// - `E = qN`, the *expected* batch size (never the drawn size: dividing by the drawn size leaks
///   it, and the accountant's analysis assumes a fixed divisor);
/// - the batch is a Poisson sample (`PoissonSampler`) and may be empty: the noise is still added
///   and the step still taken.
/// With `σ = 0`, `C = ∞` and `E` equal to the batch size, the step is plain SGD on the mean
/// gradient, bit for bit (tested).
///
/// With `adaptiveClipping` (flat clipping only) `C` is `C_t`, starting at `maxGradNorm` and moved
/// after every step towards a quantile of the per-example norms (`AdaptiveClippingSettings`, Andrew
/// et al. 2021); `noiseMultiplier` is then the gradient's share `z_Δ`, larger than the effective
/// multiplier the accountant sees because the step also releases a noisy count.
public struct DPSGDSettings: Sendable, Equatable {
  public enum Clipping: String, Sendable {
    case flat
    case perLayer = "per_layer"
  }

  /// The clipping norm `C` (> 0; `.infinity` disables clipping, for tests); with adaptive
  /// clipping, the initial norm `C_0`.
  public var maxGradNorm: Float
  /// The noise multiplier `σ` (≥ 0): the noise standard deviation is `σC` (`z_Δ C_t` with
  /// adaptive clipping).
  public var noiseMultiplier: Float
  /// The divisor `E = qN`.
  public var expectedBatchSize: Double
  public var clipping: Clipping
  /// Augmentation multiplicity K (De et al. 2022, "Unlocking High-Accuracy Differentially Private
  /// Image Classification through Scale"): the batch holds K augmented copies of each sampled
  /// record, consecutive; a record's gradient is the mean over its copies, clipped as one, so the
  /// record still contributes at most C and counts once in the accounting. 1: plain DP-SGD.
  public var augmentationMultiplicity: Int
  /// Adaptive clipping's parameters, or `nil` for a fixed `C`.
  public var adaptiveClipping: AdaptiveClippingSettings?
  /// Test-only defects the step and trainer inject (`DPSGDFault`, for the mutation suite); empty
  /// for every real run. Never set from user input or the environment.
  public var faults: Set<DPSGDFault> = []

  public init(
    maxGradNorm: Float, noiseMultiplier: Float, expectedBatchSize: Double, clipping: Clipping = .flat,
    adaptiveClipping: AdaptiveClippingSettings? = nil, augmentationMultiplicity: Int = 1
  ) {
    precondition(maxGradNorm > 0, "max_grad_norm must be > 0, got \(maxGradNorm)")
    precondition(
      noiseMultiplier >= 0 && noiseMultiplier.isFinite, "noise multiplier must be finite and ≥ 0, got \(noiseMultiplier)")
    precondition(expectedBatchSize > 0, "expected batch size must be > 0, got \(expectedBatchSize)")
    precondition(
      adaptiveClipping == nil || (clipping == .flat && maxGradNorm.isFinite),
      "adaptive clipping needs flat clipping and a finite initial norm, got \(clipping) with C = \(maxGradNorm)")
    self.maxGradNorm = maxGradNorm
    self.noiseMultiplier = noiseMultiplier
    self.expectedBatchSize = expectedBatchSize
    self.clipping = clipping
    self.adaptiveClipping = adaptiveClipping
    precondition(augmentationMultiplicity >= 1, "augmentation multiplicity must be ≥ 1, got \(augmentationMultiplicity)")
    self.augmentationMultiplicity = augmentationMultiplicity
  }
}

extension DPSGDSettings {
  /// The per-layer clipping bound `C_l = C / √L` for `L = leafCount` trainable leaves
  /// (`Sequential.trainableLeaves`; `L` = 0 is taken as 1): clipping every leaf's per-example
  /// gradient to `C_l` bounds the whole per-example gradient by `√(L C_l²) = C`. Also the norm a
  /// one-coordinate white-box canary may have under per-layer clipping (`GradientCanaries`).
  public static func perLayerBound(maxGradNorm: Double, leafCount: Int) -> Double {
    maxGradNorm / Double(max(leafCount, 1)).squareRoot()
  }

  /// `C / √L` for these settings' `maxGradNorm` and `leafCount` trainable leaves.
  public func perLayerBound(leafCount: Int) -> Double {
    Self.perLayerBound(maxGradNorm: Double(maxGradNorm), leafCount: leafCount)
  }
}
