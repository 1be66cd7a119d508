import ArgumentParser
import TacitPipeline

/// `tacit calibrate`: the noise multiplier for a target ε (never overshooting it).
struct CalibrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate", abstract: "Find the noise multiplier σ whose ε is at most a target.")

  @Option(parsing: .unconditional, help: "The target ε (> 0).") var epsilon: Double
  @OptionGroup var mechanism: MechanismOptions

  func validate() throws {
    if !(epsilon > 0 && epsilon.isFinite) { throw ValidationError("--epsilon must be a positive number, got \(epsilon)") }
    try mechanism.validate(noiseMultiplier: nil)
  }

  func run() throws {
    print(
      try reportingErrors {
        try PrivacyCalculator.calibrate(
          targetEpsilon: epsilon, sampleRate: mechanism.sampleRate, steps: mechanism.steps, delta: mechanism.delta,
          accountant: mechanism.accountant, json: mechanism.json,
          featureNormNoise: mechanism.featureNormNoise)
      })
  }
}
