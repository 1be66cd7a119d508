import ArgumentParser
import TacitPipeline

/// `tacit epsilon`: ε of DP-SGD's mechanism (Poisson-subsampled Gaussian, `steps` times).
struct EpsilonCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "epsilon", abstract: "Compute ε for a noise multiplier, sample rate, number of steps and δ.")

  @Option(parsing: .unconditional, help: "The noise multiplier σ (> 0).") var noiseMultiplier: Double
  @OptionGroup var mechanism: MechanismOptions

  func validate() throws {
    try mechanism.validate(noiseMultiplier: noiseMultiplier)
  }

  func run() throws {
    print(
      try reportingErrors {
        try PrivacyCalculator.epsilon(
          noiseMultiplier: noiseMultiplier, sampleRate: mechanism.sampleRate, steps: mechanism.steps,
          delta: mechanism.delta, accountant: mechanism.accountant, json: mechanism.json,
          featureNormNoise: mechanism.featureNormNoise)
      })
  }
}
