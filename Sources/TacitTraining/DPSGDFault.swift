/// A deliberate defect in a DP-SGD step, for the mutation suite: each fault breaks the guarantee
/// the accountant assumes while the settings (and the claimed ε) stay, and the privacy audit must
/// catch it.
///
/// **Test-only.** Faults exist to check that the audit notices a broken implementation. They are
/// never set from user input, a recipe, or the environment: only tests (and the pipeline's
/// test-only hooks) put them in `DPSGDSettings.faults`. A model trained with any fault has no
/// privacy guarantee at all.
///
/// Each fault is read at the one place of the step (or trainer) it concerns; the symbols are
/// those of `DPSGDSettings` (C the clipping norm, σ the noise multiplier, E = qN the expected
/// batch size, L the number of trainable leaves).
public enum DPSGDFault: Sendable, Hashable, CaseIterable {
  /// No noise: the step behaves exactly as with σ = 0 for the gradient and, under adaptive
  /// clipping, count noise σ_b = 0 (`AdaptiveClippingSettings.countNoise`).
  case noiseDisabled
  /// The noise standard deviation is a tenth of the calibrated one: `0.1 σC/E`.
  case noiseScaledDown
  /// The noise forgets the clipping norm: standard deviation `σ/E` instead of `σC/E`.
  case noiseNotScaledByClipNorm
  /// No clipping: every example's gradient enters the sum whole (`c_b = 1`).
  case clippingSkipped
  /// Clipping at `10·C` (per layer: `10·C/√L`) while the noise stays calibrated to C.
  case clippingLoosened
  /// The batch's summed gradient is clipped as one (to C, or C/√L per leaf) instead of each
  /// example's (or record's) gradient.
  case batchGradientClipped
  /// Per-layer clipping bounds each of the L leaves by C instead of C/√L, so an example's whole
  /// gradient may reach `C·√L`.
  case perLayerBoundUndivided
  /// Poisson sampling at 4q, four times the rate the accountant is told (the divisor E = qN
  /// stays).
  case sampleRateQuadrupled
  /// One standard-normal vector drawn at the first step and added again at every later step.
  case noiseReused
}
