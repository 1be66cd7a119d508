/// How the parameter gradient of a step is formed from per-example gradients `∇θ ℓ_b`, where
/// `ℓ_b` is the step's objective's loss of example b (`TrainingObjective`).
public enum GradientMode: Sendable, Equatable {
  /// The mean gradient `(1/B) Σ_b ∇θ ℓ_b`: ordinary training, one GEMM per layer.
  case mean
  /// Per-example flat clipping without noise: `(1/B) Σ_b min(1, C/‖∇θ ℓ_b‖) ∇θ ℓ_b`, the norms from
  /// the layers' book-keeping (DESIGN.md §3). Used to measure the cost of DP-SGD's
  /// book-keeping, and the base DP-SGD builds on.
  case clippedMean(maxGradNorm: Float)
  /// DP-SGD (Abadi et al. 2016): `(Σ_b clip_C(∇θ ℓ_b) + N(0, σ²C² I)) / (qN)`, see
  /// `DPSGDSettings`. Needs a `NoiseSource`.
  case privateSum(DPSGDSettings)
}
