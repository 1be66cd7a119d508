import ArgumentParser
import TacitPipeline

/// The `tacit` command: thin argument parsing over `TacitPipeline`.
@main
struct Tacit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tacit",
    abstract: "Train models with differential privacy and audit them.",
    discussion: """
      Exit codes: 0 success; 1 the run failed (I/O, internal error); 64 bad command-line usage; \
      65 invalid input (recipe, data file, checkpoint).
      """,
    subcommands: [RunCommand.self, ValidateCommand.self, BenchCommand.self])
}

/// Maps pipeline errors to the documented exit codes, printing the message once.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as PipelineError {
    printError(error.description)
    throw ExitCode(error.isInputError ? 65 : 1)
  }
}
