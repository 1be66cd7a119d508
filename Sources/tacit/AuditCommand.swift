import ArgumentParser
import TacitPipeline
import TacitTensor

/// `tacit audit`: audits of score files (`scores`, `canaries`, `lm-scores`), of texts under a
/// language model (`texts`) and of sharded runs (`merge`).
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit", abstract: "Audit membership or canary scores: attack metrics and empirical ε lower bounds.",
    subcommands: [
      AuditScoresCommand.self, AuditCanariesCommand.self, AuditLanguageModelScoresCommand.self, AuditTextsCommand.self,
      AuditMergeCommand.self,
    ])
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
  @Option(parsing: .unconditional, help: "The ε the training run claims; adds a PASS/VIOLATION/UNTESTABLE verdict.")
  var claimedEpsilon: Double?
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

/// The exit code of an INVALID language-model audit: the blind baseline (a classifier that never
/// sees the model) separates the two sets of texts, so no membership claim holds.
let invalidAuditExitCode: Int32 = 4

/// Checks Min-K%'s `--k`: (0, 1].
func validateK(_ k: Double) throws {
  guard k > 0 && k <= 1 else { throw ValidationError("--k must be in (0, 1], got \(k)") }
}

/// `tacit audit lm-scores FILE`: language-model attacks on per-token log-probabilities.
struct AuditLanguageModelScoresCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lm-scores", abstract: "Audit a JSON Lines file of per-token log-probabilities (any language model).",
    discussion: """
      Each line: token_log_probs (natural log of p(token_t | tokens_<t)), member (1 or 0), and \
      optionally mu and sigma (per token, the mean and standard deviation of log p under the \
      model's next-token distribution, for Min-K%++), lowercase_token_log_probs, \
      reference_token_log_probs and text; an optional field is on every line or on none. \
      Scripts/export_hf_logprobs.py writes this file from a transformers model; tacit score \
      --json lines with a member field are one too. Prints, for every attack the file has inputs \
      for (loss, zlib_ratio, lowercase_ratio, min_k, min_k_plus_plus, reference_ratio), AUC, \
      advantage and TPR at 10%, 1%, 0.1% FPR with bootstrap intervals, and with text the blind \
      baseline: a byte n-gram classifier that never sees the model. If its AUC interval excludes \
      0.5 the verdict is INVALID (members and non-members differ in distribution) and the command \
      exits 4 after printing its report.
      """)

  @Argument(help: "The JSON Lines file.") var file: String
  @Option(parsing: .unconditional, help: "Min-K%'s fraction k, in (0, 1].") var k: Double = 0.2
  @Option(parsing: .unconditional, help: "Bootstrap resamples for the attacks' intervals (0: none).") var bootstrap: Int = 1000
  @Option(help: "Seed of the bootstrap and the blind baseline's split.") var seed: UInt64 = 0
  @OptionGroup var options: AuditConfidenceOptions

  func validate() throws {
    try validateK(k)
    guard bootstrap >= 0 && bootstrap <= ScoreFileAudit.maximumBootstrapResamples else {
      throw ValidationError("--bootstrap must be in 0...\(ScoreFileAudit.maximumBootstrapResamples), got \(bootstrap)")
    }
  }

  func run() throws {
    let outcome = try reportingErrors {
      try LanguageModelScoreAudit.audit(
        path: file, k: k, bootstrapResamples: bootstrap, seed: seed, confidence: options.confidence, json: options.json)
    }
    print(outcome.output)
    if outcome.isInvalid {
      printError("INVALID: the blind baseline separates members from non-members without the model (exit code 4)")
      throw ExitCode(invalidAuditExitCode)
    }
  }
}

/// `tacit audit texts --model MODEL --suspect FILE --control FILE`: dataset inference.
struct AuditTextsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "texts", abstract: "Dataset inference: did a language model train on the suspect texts?",
    discussion: """
      Maini et al. 2024. MODEL is a Tacit LM run folder or a Hugging Face GPT-2 folder; SUSPECT \
      and CONTROL hold one text per line or are .jsonl with a text field; the control texts must \
      come from the suspect texts' distribution and be unseen by the model. Every text gets the \
      scores of tacit score (loss, zlib_ratio, lowercase_ratio, min_k, min_k_plus_plus, and \
      reference_ratio with --reference); a linear aggregator fitted on half of each set combines \
      them; a one-sided Welch t-test on the other halves asks whether suspect texts score as \
      members. Verdict: evidence of membership at p < 0.01, no evidence otherwise, or INVALID \
      (exit 4) when the blind baseline (a byte n-gram classifier that never sees the model) \
      separates suspect from control texts, or when the false-positive check (the same test \
      between two random halves of the control set, repeated --control-splits times) finds \
      membership in more than a tenth of the splits.
      """)

  @Option(help: "The model: a Tacit LM run folder or a Hugging Face GPT-2 folder.") var model: String
  @Option(help: "The suspect texts.") var suspect: String
  @Option(help: "The control texts (same distribution, not trained on).") var control: String
  @Option(help: "A reference model for reference_ratio (e.g. the public pre-trained model).") var reference: String?
  @Option(parsing: .unconditional, help: "Min-K%'s fraction k, in (0, 1].") var k: Double = 0.2
  @Option(help: "Seed of the splits and the bootstrap.") var seed: UInt64 = 0
  @Option(help: "Random splits of the control set for the false-positive check.") var controlSplits: Int = 100
  @Option(help: "Compute threads (default 1).") var threads: Int = 1
  @OptionGroup var options: AuditConfidenceOptions

  func validate() throws {
    try validateK(k)
    guard controlSplits >= 1 else { throw ValidationError("--control-splits must be at least 1, got \(controlSplits)") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    BLAS.setThreadCount(threads)
    let outcome = try reportingErrors {
      try DatasetInferenceAudit.audit(
        modelPath: model, suspectPath: suspect, controlPath: control, referencePath: reference, k: k, seed: seed,
        controlSplits: controlSplits, confidence: options.confidence, json: options.json)
    }
    print(outcome.output)
    if outcome.isInvalid {
      printError("INVALID: no dataset-inference claim holds on these texts (exit code 4)")
      throw ExitCode(invalidAuditExitCode)
    }
  }
}
