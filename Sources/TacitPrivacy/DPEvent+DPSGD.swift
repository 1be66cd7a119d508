extension DPEvent {
  /// The event of DP-SGD (Abadi et al. 2016, "Deep Learning with Differential Privacy"): `steps`
  /// steps, each a Gaussian mechanism on a Poisson subsample,
  ///
  ///     selfComposed(poissonSampled(q, gaussian(σ)), T).
  ///
  /// Each step includes every record independently with probability q (`sampleRate`), clips each
  /// example's gradient to norm C and adds N(0, σ²C²) to their sum: relative to the sensitivity C,
  /// a Gaussian release with noise multiplier σ. The T steps are the same mechanism composed T
  /// times (adaptively: each step's input depends on the previous releases, which composition
  /// covers). This is the one place Tacit builds this event: noise calibration, a run's privacy
  /// plan and `tacit epsilon` all analyse exactly this.
  ///
  /// - Parameters:
  ///   - noiseMultiplier: σ, the noise standard deviation in units of the clipping norm.
  ///   - sampleRate: q in (0, 1], the Poisson inclusion probability (expected batch / records).
  ///   - steps: T, the number of steps.
  public static func dpsgd(noiseMultiplier: Double, sampleRate: Double, steps: Int) -> DPEvent {
    .selfComposed(
      event: .poissonSampled(sampleRate: sampleRate, event: .gaussian(noiseMultiplier: noiseMultiplier)), count: steps)
  }
}
