import ArgumentParser
import TacitPipeline

/// The flags `tacit epsilon` and `tacit calibrate` share: DP-SGD's mechanism (Poisson sample
/// rate, steps, δ), the accountant and the output format.
///
/// Numeric options parse `.unconditional`ly: the argument after the flag is its value even when
/// it starts with `-`, so `--sample-rate -0.1` reaches `validate` ("must be in (0, 1]") instead
/// of reading as an unknown flag and a missing value.
struct MechanismOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "The Poisson sample rate q in (0, 1].") var sampleRate: Double
  @Option(parsing: .unconditional, help: "The number of steps T (≥ 1).") var steps: Int
  @Option(parsing: .unconditional, help: "δ in (0, 1).") var delta: Double
  @Option(
    parsing: .unconditional,
    help: "A private feature normalisation's noise multiplier σ_n (data.features.private_norm): its two releases come first.")
  var featureNormNoise: Double?
  @Option(help: "The accountant, or all of them.") var accountant: PrivacyCalculator.AccountantChoice = .pld
  @Flag(help: "Print JSON.") var json = false

  /// The first problem with the numbers (and `noiseMultiplier`, when given), as a usage error.
  func validate(noiseMultiplier: Double?) throws {
    if let problem = PrivacyCalculator.problem(
      noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps, delta: delta,
      featureNormNoise: featureNormNoise)
    {
      throw ValidationError(problem)
    }
  }
}
