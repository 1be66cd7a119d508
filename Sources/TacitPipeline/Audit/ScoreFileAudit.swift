import Foundation
import TacitAudit
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
        "auc": metrics.auc, "advantage": metrics.advantage, "balanced_accuracy": metrics.balancedAccuracy,
        "tpr_at_fpr": metrics.tprAtFPR, "epsilon_lower_bound": bound.epsilon, "confidence": confidence,
        "delta": usedDelta, "method": bound.method, "bootstrap_resamples": bootstrapResamples, "seed": seed,
        "gdp_estimate": [
          "mu": gdp.mu, "epsilon": gdp.epsilon, "delta": usedDelta,
          "note": "an estimate assuming a Gaussian trade-off curve, not a bound",
        ] as [String: Any],
      ]
      if let deltaNote { object["delta_note"] = deltaNote }
      if let threshold = bound.threshold { object["threshold"] = threshold }
      if let upper = bound.falsePositiveRateUpper { object["false_positive_rate_upper"] = upper }
      if let upper = bound.falseNegativeRateUpper { object["false_negative_rate_upper"] = upper }
      if let interval = metrics.aucInterval { object["auc_interval"] = intervalObject(interval) }
      if let intervals = metrics.tprAtFPRIntervals {
        object["tpr_at_fpr_intervals"] = intervals.mapValues(intervalObject)
      }
      return JSONText.encode(object)
    }
    var lines = ["\(path): \(scores.count) records (\(scores.memberCount) members, \(scores.nonMemberCount) non-members)"]
    let percent = format(confidence * 100) + "%"
    var aucLine = "AUC                  " + format(metrics.auc)
    if let interval = metrics.aucInterval {
      aucLine += "  [\(format(interval.lower)), \(format(interval.upper))] \(percent) bootstrap, \(bootstrapResamples) resamples"
    }
    lines.append(aucLine)
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

  // MARK: - Canaries

  /// The one-run analyses `tacit audit canaries` reports, each at confidence 1 − α/2 so that
  /// the larger of the two bounds holds at 1 − α (Bonferroni): Steinke, Nasr & Jagielski's
  /// (ε, δ) p-value, and Mahloujifar, Melis & Chaudhuri's f-DP analysis with the (ε, δ) trade-off
  /// curve (the same claim, no assumption on the curve's shape).
  public static let canaryAnalyses: [OneRunAnalysis] = [.epsilonDelta, .tradeOffEpsilonDelta]

  /// One analysis' bound on a canary file: the guesses it used, the bound and its ceiling.
  public struct CanaryBound {
    public var analysis: OneRunAnalysis
    public var positiveGuesses: Int
    public var negativeGuesses: Int
    public var correct: Int
    public var epsilonLowerBound: Double
    /// The bound of this configuration if every guess were right.
    public var ceiling: Double
    /// The confidence of the configuration's own bound (1 − α/2, further divided over a grid).
    public var configurationConfidence: Double
    public var guesses: Int { positiveGuesses + negativeGuesses }
  }

  /// The canary bounds of every `canaryAnalyses` entry, each at 1 − α/2. Without guess counts the
  /// guesses are chosen soundly after the scores are seen: a Bonferroni grid of r = m, m/2, m/4, …
  /// split evenly IN/OUT (`OneRunGuessSelection.bonferroniGrid`); with one or both counts given,
  /// those guesses (the other count 0), which must be fixed before the scores are seen.
  /// Returns the selection in words and the bounds; throws `AuditError` for mismatched lengths,
  /// non-finite scores or too many guesses.
  public static func canaryBounds(
    scores: [Double], included: [Bool], positiveGuesses: Int?, negativeGuesses: Int?, delta: Double,
    confidence: Double
  ) throws -> (selection: String, bounds: [CanaryBound]) {
    let each = 1 - (1 - confidence) / Double(canaryAnalyses.count)
    guard positiveGuesses != nil || negativeGuesses != nil else {
      let bounds = try canaryAnalyses.map { analysis in
        let result = try OneRunGuessSelection.bonferroniGrid(
          scores: scores, included: included, delta: delta, confidence: each, analysis: analysis)
        return CanaryBound(
          analysis: analysis, positiveGuesses: result.positiveGuesses, negativeGuesses: result.negativeGuesses,
          correct: result.correct, epsilonLowerBound: result.epsilonLowerBound, ceiling: result.ceiling,
          configurationConfidence: result.configurationConfidence)
      }
      let tried = OneRunGuessGrid.halvings(canaries: scores.count).entries.count
      return ("Bonferroni grid of \(tried) guess counts (r = m, m/2, m/4, …, half IN, half OUT)", bounds)
    }
    let fixed = try OneRunResult(
      scores: scores, included: included, positiveGuesses: positiveGuesses ?? 0, negativeGuesses: negativeGuesses ?? 0,
      delta: delta, confidence: each)
    let bounds = canaryAnalyses.map { analysis in
      func bound(correct: Int) -> Double {
        fixed.guesses == 0
          ? 0
          : analysis.bound(
            guesses: fixed.guesses, correct: correct, canaries: fixed.canaries, delta: delta, confidence: each
          ).epsilon
      }
      return CanaryBound(
        analysis: analysis, positiveGuesses: fixed.positiveGuesses, negativeGuesses: fixed.negativeGuesses,
        correct: fixed.correct, epsilonLowerBound: bound(correct: fixed.correct), ceiling: bound(correct: fixed.guesses),
        configurationConfidence: each)
    }
    return ("fixed guesses", bounds)
  }

  /// The one-run audit of a `score,included` file, as text or JSON, and whether the bound
  /// exceeds `claimedEpsilon` (a violation of the claim). The headline bound is the larger of the
  /// `canaryAnalyses` bounds (`canaryBounds`), valid at `confidence`.
  public static func auditCanaries(
    path: String, delta: Double, claimedEpsilon: Double?, positiveGuesses: Int?, negativeGuesses: Int?,
    confidence: Double, json: Bool
  ) throws -> (output: String, isViolation: Bool) {
    let canaries = try readCanaryScores(path: path)
    let selection: String
    let bounds: [CanaryBound]
    do {
      (selection, bounds) = try canaryBounds(
        scores: canaries.scores, included: canaries.included, positiveGuesses: positiveGuesses,
        negativeGuesses: negativeGuesses, delta: delta, confidence: confidence)
    } catch let error as AuditError {
      throw PipelineError("\(path): \(error.description)")
    }
    let headline = bounds.max { $0.epsilonLowerBound < $1.epsilonLowerBound }!
    let verdict = claimedEpsilon.map {
      AuditVerdict.judge(claimed: $0, bound: headline.epsilonLowerBound, audited: true)
    }
    let included = canaries.included.filter { $0 }.count
    let output =
      json
      ? canaryJSON(
        path: path, canaries: canaries.scores.count, included: included, selection: selection, bounds: bounds,
        headline: headline, delta: delta, confidence: confidence, claimedEpsilon: claimedEpsilon, verdict: verdict)
      : canaryText(
        path: path, canaries: canaries.scores.count, included: included, selection: selection, bounds: bounds,
        headline: headline, delta: delta, confidence: confidence, claimedEpsilon: claimedEpsilon, verdict: verdict)
    return (output, verdict == .violation)
  }

  /// The reference and words of each canary analysis.
  static func analysisName(_ analysis: OneRunAnalysis) -> (short: String, method: String) {
    switch analysis {
    case .epsilonDelta: return ("(ε, δ) one-run", "one-run audit (Steinke, Nasr & Jagielski 2023)")
    case .tradeOffEpsilonDelta:
      return ("f-DP one-run", "f-DP one-run audit, (ε, δ) trade-off curve (Mahloujifar, Melis & Chaudhuri 2024)")
    case .tradeOffGaussian:
      return ("f-DP Gaussian", "f-DP one-run audit, Gaussian trade-off curve (Mahloujifar, Melis & Chaudhuri 2024)")
    }
  }

  static func canaryJSON(
    path: String, canaries: Int, included: Int, selection: String, bounds: [CanaryBound], headline: CanaryBound,
    delta: Double, confidence: Double, claimedEpsilon: Double?, verdict: AuditVerdict?
  ) -> String {
    func object(_ bound: CanaryBound) -> [String: Any] {
      [
        "analysis": bound.analysis.rawValue, "method": analysisName(bound.analysis).method,
        "positive_guesses": bound.positiveGuesses, "negative_guesses": bound.negativeGuesses, "guesses": bound.guesses,
        "correct": bound.correct, "epsilon_lower_bound": bound.epsilonLowerBound, "ceiling": bound.ceiling,
        "configuration_confidence": bound.configurationConfidence,
      ]
    }
    var result = object(headline)
    result["file"] = path
    result["canaries"] = canaries
    result["included"] = included
    result["delta"] = delta
    result["confidence"] = confidence
    result["selection"] = selection
    result["bounds"] = bounds.map(object)
    if let claimedEpsilon, let verdict {
      result["claimed_epsilon"] = claimedEpsilon
      result["verdict"] = verdict.rawValue
    }
    return JSONText.encode(result)
  }

  static func canaryText(
    path: String, canaries: Int, included: Int, selection: String, bounds: [CanaryBound], headline: CanaryBound,
    delta: Double, confidence: Double, claimedEpsilon: Double?, verdict: AuditVerdict?
  ) -> String {
    let percent = format(confidence * 100) + "%"
    let each = format((1 - (1 - confidence) / Double(bounds.count)) * 100) + "%"
    var lines = ["\(path): \(canaries) canaries (\(included) included)", "selection            \(selection)"]
    for bound in bounds {
      let name = analysisName(bound.analysis).short.padding(toLength: 21, withPad: " ", startingAt: 0)
      lines.append(
        name
          + "ε ≥ \(format(bound.epsilonLowerBound)) at \(each) from \(bound.guesses) guesses (\(bound.positiveGuesses) IN, \(bound.negativeGuesses) OUT), \(bound.correct) correct; ceiling \(format(bound.ceiling))"
      )
    }
    lines += [
      "guesses              \(headline.guesses) (\(headline.positiveGuesses) IN, \(headline.negativeGuesses) OUT), \(headline.correct) correct",
      "ε lower bound        \(format(headline.epsilonLowerBound)) at \(percent) confidence, δ = \(format(delta))  (\(analysisName(headline.analysis).short), the larger of \(bounds.count) bounds at \(each) each)",
      "ceiling              \(format(headline.ceiling))  (that configuration's bound if every guess were right)",
    ]
    if let claimedEpsilon, let verdict {
      let comparison = verdict == .violation ? "exceeds" : "does not exceed"
      lines.append(
        "verdict              \(verdict.rawValue): the lower bound \(comparison) the claimed ε = \(format(claimedEpsilon))")
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
