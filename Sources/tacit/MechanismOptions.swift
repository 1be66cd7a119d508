import ArgumentParser
import TacitPipeline

/// The flags `tacit epsilon` and `tacit calibrate` share: DP-SGD's mechanism (Poisson sample
/// rate, steps, δ), the accountant and the output format.
struct MechanismOptions: ParsableArguments {
  @Option(help: "The Poisson sample rate q in (0, 1].") var sampleRate: Double
  @Option(help: "The number of steps T (≥ 1).") var steps: Int
  @Option(help: "δ in (0, 1).") var delta: Double
  @Option(help: "The accountant, or all of them.") var accountant: PrivacyCalculator.AccountantChoice = .pld
  @Flag(help: "Print JSON.") var json = false

  /// The first problem with the numbers (and `noiseMultiplier`, when given), as a usage error.
  func validate(noiseMultiplier: Double?) throws {
    if let problem = PrivacyCalculator.problem(
      noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps, delta: delta)
    {
      throw ValidationError(problem)
    }
  }
}
