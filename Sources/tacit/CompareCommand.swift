import ArgumentParser
import TacitPipeline

/// `tacit compare RUN_DIR RUN_DIR…`: runs side by side (accuracy, claimed ε, audit bound, attacks).
struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare", abstract: "Compare run folders side by side: accuracy, claimed ε, audit bound and attacks.",
    discussion: """
      Reads each run folder's summary.json and audit.json (absent when the audit was off) and \
      prints a table: test accuracy, claimed ε, the empirical ε lower bound with its confidence, \
      the verdict, and per attack AUC and TPR at 1% and 0.1% FPR (— where a run did not run the \
      attack). --json prints the figures as JSON instead; --output DIR also writes \
      DIR/comparison.html (the table, log–log ROC curves, ε bars) and DIR/comparison.json, \
      without deleting anything in DIR. See docs/auditing.md.
      """)

  @Argument(help: "Run folders written by `tacit run` (two or more).") var runs: [String]
  @Option(name: .shortAndLong, help: "Also write comparison.html and comparison.json into this folder.")
  var output: String?
  @Flag(help: "Print JSON instead of the table.") var json = false

  func validate() throws {
    guard runs.count >= 2 else { throw ValidationError("give at least two run folders, got \(runs.count)") }
  }

  func run() throws {
    let comparison = try reportingErrors {
      let comparison = try RunComparison(folders: runs)
      if let output { try comparison.write(to: output) }
      return comparison
    }
    print(json ? comparison.json() : comparison.table())
  }
}
