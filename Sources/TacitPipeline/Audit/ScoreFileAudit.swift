import Foundation
import TacitAudit
import TacitRecipe
import TacitReport
import TacitTensor

/// `tacit audit scores` and `tacit audit canaries`: audits of score files written by any attack,
/// on any model, in any framework.
///
/// File formats (CSV, comma-separated, a header row, one record per line, blank lines ignored;
/// lines end in `\n` or `\r\n`, the last line may have no line end):
/// - membership scores: `score,member`, a finite number (higher = more likely a member) and 1
///   for a member of the training set, 0 for a non-member; at least one of each;
/// - canary scores: `score,included`, a finite number (higher = more likely included) and 1 if
///   the canary was in the training set, 0 if not.
/// A malformed file is reported as `FILE:LINE: message` (an input error, exit 65), quoting at
/// most the offending line, cut to `quotedCharacters` characters.
public enum ScoreFileAudit {
  /// The most bootstrap resamples `--bootstrap` may ask for (`AuditSection.maximumBootstrap`).
  public static let maximumBootstrapResamples = AuditSection.maximumBootstrap

  /// How the hypothesis-test bound picks its threshold (`--selection`).
  public enum Selection: String, CaseIterable, Sendable {
    case heldOut = "held-out"
    case corrected

    var thresholdSelection: HypothesisTestBound.ThresholdSelection {
      self == .heldOut ? .heldOutHalf : .correctedForAllThresholds
    }
  }

  // MARK: - Reading

  /// The membership scores of a `score,member` file.
  public static func readMembershipScores(path: String) throws -> MembershipScores {
    let rows = try readRows(path: path, flagColumn: "member")
    let members = rows.filter { $0.flag }.count
    guard members > 0 else { throw PipelineError("\(path):1: column 'member': no member (no row has member = 1)") }
    guard members < rows.count else {
      throw PipelineError("\(path):1: column 'member': no non-member (no row has member = 0)")
    }
    return try MembershipScores(scores: rows.map(\.score), isMember: rows.map(\.flag))
  }

  /// The canary scores and inclusion flags of a `score,included` file.
  public static func readCanaryScores(path: String) throws -> (scores: [Double], included: [Bool]) {
    let rows = try readRows(path: path, flagColumn: "included")
    return (rows.map(\.score), rows.map(\.flag))
  }

  struct Row {
    var score: Double
    var flag: Bool
  }

  /// Rows of a two-column `score,FLAG` file, checked line by line.
  static func readRows(path: String, flagColumn: String) throws -> [Row] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PipelineError("\(path): cannot read the score file")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw PipelineError("\(path): not UTF-8 text") }
    let header = ["score", flagColumn]
    var rows: [Row] = []
    var sawHeader = false
    // Swift reads "\r\n" as one Character, so lines split on both; a stray "\r" ends no line.
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    for (offset, rawLine) in lines.enumerated() {
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if line.allSatisfy(\.isWhitespace) { continue }
      let number = offset + 1
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if !sawHeader {
        guard fields == header else {
          throw PipelineError("\(path):\(number): expected the header '\(header.joined(separator: ","))', got '\(quoted(line))'")
        }
        sawHeader = true
        continue
      }
      guard fields.count == 2 else {
        let problem = fields.count < 2 ? "missing column '\(flagColumn)'" : "extra column"
        throw PipelineError("\(path):\(number): \(problem): expected 2 fields (score,\(flagColumn)), got \(fields.count)")
      }
      guard let score = Double(fields[0]) else {
        throw PipelineError("\(path):\(number): column 'score': '\(quoted(fields[0]))' is not a number")
      }
      guard score.isFinite else {
        throw PipelineError("\(path):\(number): column 'score': \(quoted(fields[0])) is not a finite number")
      }
      guard fields[1] == "0" || fields[1] == "1" else {
        throw PipelineError("\(path):\(number): column '\(flagColumn)': must be 0 or 1, got '\(quoted(fields[1]))'")
      }
      rows.append(Row(score: score, flag: fields[1] == "1"))
    }
    guard sawHeader else { throw PipelineError("\(path):1: empty file; expected the header 'score,\(flagColumn)'") }
    guard !rows.isEmpty else { throw PipelineError("\(path):1: no records after the header") }
    return rows
  }

  /// The most characters of a file's text an error message quotes.
  static let quotedCharacters = 80

  /// `text` for an error message: at most `quotedCharacters` characters, a cut marked with
  /// "… (N characters)".
  static func quoted(_ text: some StringProtocol) -> String {
    let count = text.count
    guard count > quotedCharacters else { return String(text) }
    return String(text.prefix(quotedCharacters)) + "… (\(count) characters)"
  }

  // MARK: - Membership scores

  /// Metrics, the ε lower bound and the GDP estimate of a `score,member` file, as text or JSON.
  ///
  /// `delta == nil` means the caller gave none: the audit uses δ = 0 and says so in both
  /// outputs. The held-out split and the bootstrap draw from generators split from `seed`
  /// ("audit-split", "audit-bootstrap"), so the same file and seed give the same numbers.
  public static func auditScores(
    path: String, delta: Double?, confidence: Double, bootstrapResamples: Int, seed: UInt64, selection: Selection,
    json: Bool
  ) throws -> String {
    let scores = try readMembershipScores(path: path)
    let root = SeededGenerator(seed: seed)
    var bootstrapGenerator = root.split("audit-bootstrap")
    var splitGenerator = root.split("audit-split")
    let usedDelta = delta ?? 0
    let metrics = AttackMetrics(
      scores, bootstrapResamples: bootstrapResamples, confidence: confidence, generator: &bootstrapGenerator)
    let bound = HypothesisTestBound.epsilonLowerBound(
      scores, delta: usedDelta, confidence: confidence, selection: selection.thresholdSelection,
      generator: &splitGenerator)
    let gdp = GDPEstimate.estimate(scores, delta: usedDelta, confidence: confidence)
    let deltaNote = delta == nil ? "no --delta given: δ = 0" : nil
    if json {
      var object: [String: Any] = [
        "file": path, "records": scores.count, "members": scores.memberCount, "non_members": scores.nonMemberCount,
        "epsilon_lower_bound": bound.epsilon, "confidence": confidence,
        "delta": usedDelta, "method": bound.method, "bootstrap_resamples": bootstrapResamples, "seed": seed,
        "gdp_estimate": [
          "mu": gdp.mu, "epsilon": gdp.epsilon, "delta": usedDelta,
          "note": "an estimate assuming a Gaussian trade-off curve, not a bound",
        ] as [String: Any],
      ]
      object.merge(metricsObject(metrics)) { $1 }
      if let deltaNote { object["delta_note"] = deltaNote }
      if let threshold = bound.threshold { object["threshold"] = threshold }
      if let upper = bound.falsePositiveRateUpper { object["false_positive_rate_upper"] = upper }
      if let upper = bound.falseNegativeRateUpper { object["false_negative_rate_upper"] = upper }
      return JSONText.encode(object)
    }
    var lines = ["\(path): \(scores.count) records (\(scores.memberCount) members, \(scores.nonMemberCount) non-members)"]
    let percent = format(confidence * 100) + "%"
    lines += metricsLines(metrics, confidence: confidence, bootstrapResamples: bootstrapResamples)
    lines.append(
      "ε lower bound        \(format(bound.epsilon)) at \(percent) confidence, δ = \(format(usedDelta))  (\(bound.method))")
    if let deltaNote { lines.append("                     \(deltaNote)") }
    let gdpEpsilon =
      gdp.epsilon.isFinite
      ? "ε ≈ \(format(gdp.epsilon)) at δ = \(format(usedDelta))"
      : "ε unbounded at δ = \(format(usedDelta)) (a Gaussian trade-off needs δ > 0)"
    lines.append("GDP estimate         μ ≈ \(format(gdp.mu)), \(gdpEpsilon)  (an estimate, not a bound)")
    return lines.joined(separator: "\n")
  }

  /// The metrics' lines of the text report: AUC (with its interval), advantage, TPR at each
  /// level of `AttackMetrics.fprLevels` (with intervals); every `tacit audit` of membership
  /// scores prints these.
  static func metricsLines(_ metrics: AttackMetrics, confidence: Double, bootstrapResamples: Int) -> [String] {
    let percent = format(confidence * 100) + "%"
    var aucLine = "AUC                  " + format(metrics.auc)
    if let interval = metrics.aucInterval {
      aucLine += "  [\(format(interval.lower)), \(format(interval.upper))] \(percent) bootstrap, \(bootstrapResamples) resamples"
    }
    var lines = [aucLine]
    lines.append("advantage            \(format(metrics.advantage))  (balanced accuracy \(format(metrics.balancedAccuracy)))")
    for level in AttackMetrics.fprLevels {
      let key = AttackMetrics.key(forLevel: level)
      var line = "TPR at \(format(level * 100))% FPR".padding(toLength: 21, withPad: " ", startingAt: 0)
      line += format(metrics.tprAtFPR[key] ?? 0)
      if let interval = metrics.tprAtFPRIntervals?[key] {
        line += "  [\(format(interval.lower)), \(format(interval.upper))]"
      }
      lines.append(line)
    }
    return lines
  }

  /// The metrics' JSON keys: `auc`, `advantage`, `balanced_accuracy`, `tpr_at_fpr`, and
  /// `auc_interval`, `tpr_at_fpr_intervals` when bootstrapped.
  static func metricsObject(_ metrics: AttackMetrics) -> [String: Any] {
    var object: [String: Any] = [
      "auc": metrics.auc, "advantage": metrics.advantage, "balanced_accuracy": metrics.balancedAccuracy,
      "tpr_at_fpr": metrics.tprAtFPR,
    ]
    if let interval = metrics.aucInterval { object["auc_interval"] = intervalObject(interval) }
    if let intervals = metrics.tprAtFPRIntervals { object["tpr_at_fpr_intervals"] = intervals.mapValues(intervalObject) }
    return object
  }

  // MARK: - Canaries

  /// The one-run audit of a `score,included` file (`OneRunCanaryAudit`: the Bonferroni grid
  /// unless guess counts are given, both analyses, the larger bound valid at `confidence`), as
  /// text or JSON, and whether the bound exceeds `claimedEpsilon` (a violation of the claim; a
  /// claim at or above the audit's ceiling is UNTESTABLE, not a violation).
  public static func auditCanaries(
    path: String, delta: Double, claimedEpsilon: Double?, positiveGuesses: Int?, negativeGuesses: Int?,
    confidence: Double, json: Bool
  ) throws -> (output: String, isViolation: Bool, isUntestable: Bool) {
    let canaries = try readCanaryScores(path: path)
    let guesses: OneRunCanaryAudit.Guesses =
      positiveGuesses == nil && negativeGuesses == nil
      ? .bonferroniGrid : .fixed(positive: positiveGuesses ?? 0, negative: negativeGuesses ?? 0)
    let audit: OneRunCanaryAudit
    do {
      audit = try OneRunCanaryAudit(
        scores: canaries.scores, included: canaries.included, guesses: guesses, delta: delta, confidence: confidence)
    } catch let error as AuditError {
      throw PipelineError("\(path): \(error.description)")
    }
    let verdict = claimedEpsilon.map {
      AuditVerdict.judge(claimed: $0, bound: audit.headline.epsilonLowerBound, audited: true, ceiling: audit.ceiling)
    }
    let included = canaries.included.filter { $0 }.count
    let output =
      json
      ? canaryJSON(path: path, included: included, audit: audit, claimedEpsilon: claimedEpsilon, verdict: verdict)
      : canaryText(path: path, included: included, audit: audit, claimedEpsilon: claimedEpsilon, verdict: verdict)
    return (output, verdict == .violation, verdict == .untestable)
  }

  /// The JSON object of one analysis' bound (also the headline's keys).
  static func boundObject(_ bound: OneRunCanaryAudit.Bound) -> [String: Any] {
    [
      "analysis": bound.analysis.rawValue, "method": bound.names.method,
      "positive_guesses": bound.positiveGuesses, "negative_guesses": bound.negativeGuesses, "guesses": bound.guesses,
      "correct": bound.correct, "epsilon_lower_bound": bound.epsilonLowerBound, "ceiling": bound.ceiling,
      "configuration_confidence": bound.configurationConfidence,
    ]
  }

  static func canaryJSON(
    path: String, included: Int, audit: OneRunCanaryAudit, claimedEpsilon: Double?, verdict: AuditVerdict?
  ) -> String {
    var result = boundObject(audit.headline)
    result["file"] = path
    result["canaries"] = audit.canaries
    result["included"] = included
    result["delta"] = audit.delta
    result["confidence"] = audit.confidence
    result["selection"] = audit.selection
    result["bounds"] = audit.bounds.map(boundObject)
    result["audit_ceiling"] = audit.ceiling
    if let claimedEpsilon, let verdict {
      result["claimed_epsilon"] = claimedEpsilon
      result["verdict"] = verdict.rawValue
    }
    return JSONText.encode(result)
  }

  static func canaryText(
    path: String, included: Int, audit: OneRunCanaryAudit, claimedEpsilon: Double?, verdict: AuditVerdict?
  ) -> String {
    let percent = format(audit.confidence * 100) + "%"
    let each = format(OneRunCanaryAudit.analysisConfidence(audit.confidence) * 100) + "%"
    let headline = audit.headline
    var lines = ["\(path): \(audit.canaries) canaries (\(included) included)", "selection            \(audit.selection)"]
    for bound in audit.bounds {
      let name = bound.names.short.padding(toLength: 21, withPad: " ", startingAt: 0)
      lines.append(
        name
          + "ε ≥ \(format(bound.epsilonLowerBound)) at \(each) from \(bound.guesses) guesses (\(bound.positiveGuesses) IN, \(bound.negativeGuesses) OUT), \(bound.correct) correct; ceiling \(format(bound.ceiling))"
      )
    }
    lines += [
      "guesses              \(headline.guesses) (\(headline.positiveGuesses) IN, \(headline.negativeGuesses) OUT), \(headline.correct) correct",
      "ε lower bound        \(format(headline.epsilonLowerBound)) at \(percent) confidence, δ = \(format(audit.delta))  (\(headline.names.short), the larger of \(audit.bounds.count) bounds at \(each) each)",
      "ceiling              \(format(headline.ceiling))  (that configuration's bound if every guess were right)",
      "audit ceiling        \(format(audit.ceiling))  (the most this audit could show: every guess right, best configuration and analysis)",
    ]
    if let claimedEpsilon, let verdict {
      let claim = format(claimedEpsilon)
      let explanation =
        switch verdict {
        case .violation: "the lower bound exceeds the claimed ε = \(claim)"
        case .untestable: "the claimed ε = \(claim) is at or above the audit ceiling: this audit cannot refute it"
        default: "the lower bound does not exceed the claimed ε = \(claim)"
        }
      lines.append("verdict              \(verdict.rawValue): \(explanation)")
    }
    return lines.joined(separator: "\n")
  }

  // MARK: - Formatting

  static func intervalObject(_ interval: ConfidenceInterval) -> [String: Any] {
    ["lower": interval.lower, "upper": interval.upper, "confidence": interval.confidence]
  }

  static func format(_ value: Double) -> String {
    value.isFinite ? String(format: "%.4g", value) : (value > 0 ? "∞" : "-∞")
  }
}
