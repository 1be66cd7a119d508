import ArgumentParser
import TacitPipeline

/// `tacit epsilon`: ε of DP-SGD's mechanism (Poisson-subsampled Gaussian, `steps` times).
struct EpsilonCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "epsilon", abstract: "Compute ε for a noise multiplier, sample rate, number of steps and δ.")

  @Option(help: "The noise multiplier σ (> 0).") var noiseMultiplier: Double
  @Option(help: "The Poisson sample rate q in (0, 1].") var sampleRate: Double
  @Option(help: "The number of steps T (≥ 1).") var steps: Int
  @Option(help: "δ in (0, 1).") var delta: Double
  @Option(help: "pld, rdp, gdp or all.") var accountant: String = "pld"
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    if let problem = PrivacyCalculator.problem(
      noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps, delta: delta, accountant: accountant)
    {
      throw ValidationError(problem)
    }
  }

  func run() throws {
    print(
      try reportingErrors {
        try PrivacyCalculator.epsilon(
          noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps, delta: delta, accountant: accountant,
          json: json)
      })
  }
}
