import ArgumentParser
import Foundation
import TacitPipeline

/// `tacit shadow`: one shard of a recipe's reference models, for `tacit audit merge`.
struct ShadowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shadow", abstract: "Train one shard of a recipe's reference (shadow) models.",
    discussion: """
      Shard I of N trains the reference models K with K mod N = I (audit.reference_models of the \
      recipe). The shard comes from --shard I/N, or from a Slurm job array (SLURM_ARRAY_TASK_ID, \
      SLURM_ARRAY_TASK_COUNT), or from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with \
      --shard-count N). Then `tacit audit merge SHARD_DIR… --output RUN` trains the target and \
      audits it with every shard's models: the same result as an unsharded `tacit run`. See \
      docs/scale-out.md.
      """)

  @Argument(help: "The recipe (YAML).") var recipe: String
  @Option(parsing: .unconditional, help: "This shard, as I/N (0 ≤ I < N).") var shard: String?
  @Option(
    parsing: .unconditional, help: "The number of shards, with JOB_COMPLETION_INDEX (or to override SLURM_ARRAY_TASK_COUNT).")
  var shardCount: Int?
  @Option(help: "The shard folder to write.") var output: String
  @Option(name: .customLong("set"), help: "Override a recipe value: key.path=value (repeatable); the same on every shard.")
  var overrides: [String] = []
  @Option(parsing: .unconditional, help: "Reference models trained at a time (one thread each).") var threads: Int = 1

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1, got \(shardCount)") }
    if let shard, ShadowPipeline.shard(parsing: shard) == nil {
      throw ValidationError(ShadowPipeline.shardFlagProblem(shard))
    }
  }

  func run() throws {
    try reportingErrors {
      let shard = try ShadowPipeline.shard(
        flag: shard, shardCount: shardCount, environment: ProcessInfo.processInfo.environment)
      _ = try ShadowPipeline.run(
        recipePath: recipe, overrides: overrides, shard: shard, outputDirectory: output, threads: threads,
        log: { printError($0) })
    }
  }
}

/// `tacit audit merge`: train the target of the shards' recipe and audit it with their models.
struct AuditMergeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge", abstract: "Train a recipe's target and audit it with reference models from `tacit shadow` shards.",
    discussion: """
      Refuses folders that are not shard folders written by `tacit shadow` (run folders included). \
      Reads the recipe every shard folder recorded (they must agree), checks that the shards hold \
      each reference model exactly once, then runs the recipe like `tacit run`, reading the \
      reference models instead of training them, and writes the run folder --output. Exit codes \
      as `tacit run` (3 on an audit VIOLATION).
      """)

  @Argument(help: "Shard folders written by `tacit shadow`.") var shards: [String]
  @Option(help: "The run folder to write.") var output: String
  @Option(parsing: .unconditional, help: "Compute threads for the target's training.") var threads: Int = 1
  @Flag(help: "Print summary.json to standard output instead of the terminal summary.") var json = false

  func validate() throws {
    guard !shards.isEmpty else { throw ValidationError("give at least one shard folder") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    let result = try reportingErrors {
      try ShadowPipeline.checkShardFolders(shards)
      return try RunPipeline.run(
        recipePath: shards[0] + "/recipe.yaml", overrides: [], outputDirectory: output, threads: threads,
        showProgress: !json, referenceDirectories: shards, log: { printError($0) })
    }
    print(json ? result.summaryJSON : result.terminalSummary)
    if result.isUntestable {
      printError(
        "audit UNTESTABLE: the claimed ε is at or above the most this audit could show (its ceiling); it is not evidence for the claim (exit code 0)"
      )
    }
    if result.isViolation {
      printError("audit VIOLATION: the empirical ε lower bound exceeds the claimed ε (exit code 3)")
      throw ExitCode(3)
    }
  }
}
