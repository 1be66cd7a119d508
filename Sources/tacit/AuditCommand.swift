import ArgumentParser
import TacitPipeline

/// `tacit audit`: audits of score files (`scores`, `canaries`) and of sharded runs (`merge`).
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit", abstract: "Audit membership or canary scores: attack metrics and empirical ε lower bounds.",
    subcommands: [AuditScoresCommand.self, AuditCanariesCommand.self, AuditMergeCommand.self])
}

/// The flags every audit shares.
struct AuditConfidenceOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "The confidence of the bounds and intervals, in (0, 1).") var confidence: Double = 0.95
  @Flag(help: "Print JSON.") var json = false

  func validate() throws {
    guard confidence > 0 && confidence < 1 else {
      throw ValidationError("--confidence must be in (0, 1), got \(confidence)")
    }
  }
}

/// Checks a δ flag: [0, 1).
func validateDelta(_ delta: Double) throws {
  guard delta >= 0 && delta < 1 else { throw ValidationError("--delta must be in [0, 1), got \(delta)") }
}

/// `tacit audit scores FILE`: metrics, the hypothesis-test ε lower bound and the GDP estimate.
struct AuditScoresCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scores", abstract: "Audit a membership-score CSV (header score,member; member 1 or 0).",
    discussion: """
      Prints AUC, advantage, TPR at 10%, 1% and 0.1% FPR (optionally with bootstrap intervals), \
      the Clopper–Pearson lower bound on ε, and a GDP estimate of ε (an estimate, not a bound). \
      Without --delta the bound is stated at δ = 0, and the output says so.
      """)

  @Argument(help: "The score file (CSV: score,member).") var file: String
  @Option(parsing: .unconditional, help: "δ of the ε bounds, in [0, 1) (default: 0, reported as such).") var delta: Double?
  @Option(parsing: .unconditional, help: "Bootstrap resamples for the intervals (0: none).") var bootstrap: Int = 0
  @Option(help: "Seed of the held-out split and the bootstrap.") var seed: UInt64 = 0
  @Option(help: "How the ε lower bound picks its threshold.") var selection: ScoreFileAudit.Selection = .heldOut
  @OptionGroup var options: AuditConfidenceOptions

  func validate() throws {
    if let delta { try validateDelta(delta) }
    guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be at least 0, got \(bootstrap)") }
    guard bootstrap <= ScoreFileAudit.maximumBootstrapResamples else {
      throw ValidationError("--bootstrap must be at most \(ScoreFileAudit.maximumBootstrapResamples), got \(bootstrap)")
    }
  }

  func run() throws {
    print(
      try reportingErrors {
        try ScoreFileAudit.auditScores(
          path: file, delta: delta, confidence: options.confidence, bootstrapResamples: bootstrap, seed: seed,
          selection: selection, json: options.json)
      })
  }
}

/// `tacit audit canaries FILE --delta D`: the one-run audit of canary scores.
struct AuditCanariesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "canaries", abstract: "One-run audit of a canary-score CSV (header score,included; included 1 or 0).",
    discussion: """
      Guesses IN for the k+ highest scores and OUT for the k- lowest and bounds ε two ways, each \
      at confidence 1 - (1 - c)/2 so the larger holds at c: the one-run p-value of Steinke, Nasr \
      & Jagielski 2023, and the f-DP one-run analysis of Mahloujifar, Melis & Chaudhuri 2024 with \
      the (epsilon, delta) trade-off curve. By default the guesses are chosen soundly after the \
      scores are seen: a Bonferroni grid of r = m, m/2, m/4, ... guesses, half IN and half OUT. \
      Setting --positive-guesses or --negative-guesses fixes the guesses instead (the other is 0 \
      unless given too); fix them before looking at the scores. With --claimed-epsilon the verdict \
      is VIOLATION when the lower bound exceeds the claim (the command then exits 3 after \
      printing its report), UNTESTABLE when the claim is at or above the audit's ceiling (the \
      bound if every guess were right: no outcome could refute it; exit 0), PASS otherwise.
      """)

  @Argument(help: "The canary score file (CSV: score,included).") var file: String
  @Option(parsing: .unconditional, help: "δ of the bound, in [0, 1).") var delta: Double
  @Option(parsing: .unconditional, help: "The ε the training run claims; adds a PASS/VIOLATION/UNTESTABLE verdict.") var claimedEpsilon:
    Double?
  @Option(parsing: .unconditional, help: "k+, the number of IN guesses (highest scores).") var positiveGuesses: Int?
  @Option(parsing: .unconditional, help: "k-, the number of OUT guesses (lowest scores).") var negativeGuesses: Int?
  @OptionGroup var options: AuditConfidenceOptions

  func validate() throws {
    try validateDelta(delta)
    if let claimedEpsilon, !(claimedEpsilon >= 0 && claimedEpsilon.isFinite) {
      throw ValidationError("--claimed-epsilon must be a non-negative number, got \(claimedEpsilon)")
    }
    if let positiveGuesses, positiveGuesses < 0 {
      throw ValidationError("--positive-guesses must be at least 0, got \(positiveGuesses)")
    }
    if let negativeGuesses, negativeGuesses < 0 {
      throw ValidationError("--negative-guesses must be at least 0, got \(negativeGuesses)")
    }
  }

  func run() throws {
    let result = try reportingErrors {
      try ScoreFileAudit.auditCanaries(
        path: file, delta: delta, claimedEpsilon: claimedEpsilon, positiveGuesses: positiveGuesses,
        negativeGuesses: negativeGuesses, confidence: options.confidence, json: options.json)
    }
    print(result.output)
    if result.isUntestable {
      printError("UNTESTABLE: the claimed ε is at or above the audit ceiling; this audit cannot refute it (exit code 0)")
    }
    if result.isViolation {
      printError("VIOLATION: the ε lower bound exceeds the claimed ε")
      throw ExitCode(3)
    }
  }
}
