import ArgumentParser
import TacitPipeline

/// The `tacit` command: thin argument parsing over `TacitPipeline`.
@main
struct Tacit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tacit",
    abstract: "Train models with differential privacy and audit them.",
    discussion: """
      Exit codes: 0 success; 1 the run failed (I/O, internal error); 3 the audit found the claimed ε \
      violated (VIOLATION; the run folder is written; an UNTESTABLE claim, above what the audit can \
      show, exits 0 with a warning); 4 a language-model audit is INVALID (the blind baseline, a \
      classifier that never sees the model, tells the member texts from the non-member texts: \
      tacit run, tacit audit lm-scores, tacit audit texts; the run folder is written); 64 bad command-line usage; 65 invalid input \
      (recipe, data file, checkpoint, score file).
      """,
    subcommands: [
      RunCommand.self, ValidateCommand.self, EpsilonCommand.self, CalibrateCommand.self, BenchCommand.self, AuditCommand.self,
      ShadowCommand.self, ScoreCommand.self, GenerateCommand.self,
      CompareCommand.self,
    ])
}

/// Maps every error of a command's work to the documented exit codes, printing its message once
/// (65 for input errors: recipe, data, checkpoint; 1 for anything else).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch {
    let failure = PipelineError(describing: error)
    printError(failure.description)
    throw ExitCode(failure.isInputError ? 65 : 1)
  }
}
