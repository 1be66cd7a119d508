import ArgumentParser
import TacitPipeline

/// `tacit calibrate`: the noise multiplier for a target ε (never overshooting it).
struct CalibrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calibrate", abstract: "Find the noise multiplier σ whose ε is at most a target.")

  @Option(help: "The target ε (> 0).") var epsilon: Double
  @Option(help: "δ in (0, 1).") var delta: Double
  @Option(help: "The Poisson sample rate q in (0, 1].") var sampleRate: Double
  @Option(help: "The number of steps T (≥ 1).") var steps: Int
  @Option(help: "pld, rdp, gdp or all.") var accountant: String = "pld"
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    if !(epsilon > 0 && epsilon.isFinite) { throw ValidationError("--epsilon must be a positive number, got \(epsilon)") }
    if let problem = PrivacyCalculator.problem(
      noiseMultiplier: nil, sampleRate: sampleRate, steps: steps, delta: delta, accountant: accountant)
    {
      throw ValidationError(problem)
    }
  }

  func run() throws {
    print(
      try reportingErrors {
        try PrivacyCalculator.calibrate(
          targetEpsilon: epsilon, sampleRate: sampleRate, steps: steps, delta: delta, accountant: accountant, json: json)
      })
  }
}
