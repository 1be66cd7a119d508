import ArgumentParser
import Foundation
import TacitPipeline

/// `tacit run RECIPE`: train from a recipe and write a run folder.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run a recipe end to end and write a run folder.")

  @Argument(help: "The recipe file (YAML).")
  var recipe: String

  @Option(name: .shortAndLong, help: "The run folder (default: runs/NAME).")
  var output: String?

  @Option(name: .customLong("set"), help: "Override a recipe value, e.g. --set training.epochs=2 (repeatable).")
  var overrides: [String] = []

  @Option(help: "Compute threads (default 1): BLAS products and per-record loops.")
  var threads: Int = 1

  @Flag(help: "Print summary.json to standard output instead of the terminal summary.")
  var json = false

  @Flag(
    help: ArgumentHelp(
      "Continue the interrupted run of this recipe at the output folder from its last epoch's checkpoint.",
      discussion:
        "The recipe and --set values must be those of the interrupted run. Every step the interrupted attempts took is counted in the privacy ledger."
    ))
  var resume = false

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    let result = try reportingErrors {
      try RunPipeline.run(
        recipePath: recipe, overrides: overrides, outputDirectory: output, threads: threads,
        showProgress: !json, resume: resume, log: { printError($0) })
    }
    if json {
      print(result.summaryJSON)
    } else {
      print(result.terminalSummary)
    }
    if result.isUntestable {
      printError(
        "audit UNTESTABLE: the claimed ε is at or above the most this audit could show (its ceiling); it is not evidence for the claim (exit code 0)"
      )
    }
    if result.isViolation {
      printError("audit VIOLATION: the empirical ε lower bound exceeds the claimed ε (exit code 3)")
      throw ExitCode(3)
    }
    if result.auditVerdict == .invalid {
      printError(
        "audit INVALID: a classifier that never sees the model tells the member texts from the non-member texts; the membership results do not stand (exit code 4)"
      )
      throw ExitCode(4)
    }
  }
}

/// Writes a line to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}
