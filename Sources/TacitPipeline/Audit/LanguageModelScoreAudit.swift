import Foundation
import TacitAudit
import TacitReport
import TacitTensor

/// `tacit audit lm-scores FILE`: every language-model attack (`LanguageModelAttack`) on a JSON
/// Lines file of per-text log-probabilities (`LanguageModelScoreFile`), measured as `tacit audit
/// scores` measures a score file (`AttackMetrics`: AUC, advantage, TPR at 10%, 1%, 0.1% FPR,
/// bootstrap intervals), and the blind baseline (`BlindBaseline`) when the file has the texts.
///
/// An attack is measured when every line has its inputs (Min-K%++ needs `mu` and `sigma`, the
/// zlib ratio `text`, …). Randomness: each attack's bootstrap draws from the seed split by
/// "lm-scores-bootstrap-NAME", the blind baseline from "blind-baseline", so the same file and
/// seed give the same numbers. If the blind baseline's interval excludes ½ the verdict is
/// INVALID (`isInvalid`; the command exits 4 after printing its report).
public enum LanguageModelScoreAudit {
  /// The report and whether the blind baseline found the split INVALID.
  public struct Outcome: Sendable {
    public var output: String
    public var isInvalid: Bool
  }

  /// Replicates of the blind baseline's interval.
  public static let blindBaselineResamples = 1000

  public static func audit(
    path: String, k: Double, bootstrapResamples: Int, seed: UInt64, confidence: Double, json: Bool
  ) throws -> Outcome {
    let file = try LanguageModelScoreFile.read(path: path)
    let root = SeededGenerator(seed: seed)
    let isMember = file.records.map(\.isMember)
    var results: [(attack: LanguageModelAttack, metrics: AttackMetrics)] = []
    for attack in LanguageModelAttack.allCases {
      let values = file.records.compactMap { attack.membershipScore($0.inputs, k: k) }
      guard values.count == file.records.count else { continue }
      let scores: MembershipScores
      do {
        scores = try MembershipScores(scores: values, isMember: isMember)
      } catch let error as AuditError {
        throw PipelineError("\(path): \(attack.rawValue): \(error.description)")
      }
      var generator = root.split("lm-scores-bootstrap-" + attack.rawValue)
      results.append(
        (attack, AttackMetrics(scores, bootstrapResamples: bootstrapResamples, confidence: confidence, generator: &generator)))
    }
    var baseline: BlindBaseline?
    let texts = file.records.compactMap(\.text)
    if texts.count == file.records.count {
      var generator = root.split("blind-baseline")
      baseline = try gate(
        members: zip(texts, isMember).filter(\.1).map(\.0), nonMembers: zip(texts, isMember).filter { !$0.1 }.map(\.0),
        confidence: confidence, generator: &generator, path: path)
    }
    let members = isMember.filter { $0 }.count
    let heading = "\(path): \(file.records.count) texts (\(members) members, \(file.records.count - members) non-members)"
    if json {
      var object: [String: Any] = [
        "file": path, "records": file.records.count, "members": members, "non_members": file.records.count - members,
        "k": k, "bootstrap_resamples": bootstrapResamples, "seed": seed, "confidence": confidence,
        "attacks": Dictionary(
          uniqueKeysWithValues: results.map { ($0.attack.rawValue, ScoreFileAudit.metricsObject($0.metrics)) }),
      ]
      if let baseline {
        object["blind_baseline"] = blindBaselineObject(baseline)
        object["verdict"] = baseline.verdict.rawValue
      }
      return Outcome(output: JSONText.encode(object), isInvalid: baseline?.verdict == .invalid)
    }
    var lines = [heading]
    lines +=
      baseline.map { blindBaselineLines($0, confidence: confidence) } ?? [
        "blind baseline       not run (the file has no 'text' field)"
      ]
    for (attack, metrics) in results {
      lines += ["", "\(attack.rawValue): \(attack.summary)"]
      lines += ScoreFileAudit.metricsLines(metrics, confidence: confidence, bootstrapResamples: bootstrapResamples)
    }
    return Outcome(output: lines.joined(separator: "\n"), isInvalid: baseline?.verdict == .invalid)
  }

  /// The blind baseline on the two sets of texts, its `AuditError` reported against `path`.
  static func gate(
    members: [String], nonMembers: [String], confidence: Double, generator: inout SeededGenerator, path: String
  ) throws -> BlindBaseline {
    do {
      return try BlindBaseline(
        memberTexts: members, nonMemberTexts: nonMembers, bootstrapResamples: blindBaselineResamples,
        confidence: confidence, generator: &generator)
    } catch let error as AuditError {
      throw PipelineError("\(path): \(error.description)")
    }
  }

  /// The blind baseline's JSON object.
  static func blindBaselineObject(_ baseline: BlindBaseline) -> [String: Any] {
    [
      "auc": baseline.auc, "auc_interval": ScoreFileAudit.intervalObject(baseline.aucInterval),
      "verdict": baseline.verdict.rawValue, "bootstrap_resamples": baseline.bootstrapResamples,
      "training_members": baseline.trainingCounts.members, "training_non_members": baseline.trainingCounts.nonMembers,
      "held_out": baseline.heldOut.count,
      "classifier": "multinomial naive Bayes on hashed byte 1-3-grams, trained on half of each class",
    ]
  }

  /// The blind baseline's lines of a text report.
  static func blindBaselineLines(_ baseline: BlindBaseline, confidence: Double) -> [String] {
    let interval = baseline.aucInterval
    let percent = ScoreFileAudit.format(confidence * 100) + "%"
    let explanation =
      baseline.verdict == .invalid
      ? "INVALID: the texts alone separate the two sets (the interval excludes 0.5); no membership claim holds"
      : "VALID: the texts alone do not separate the two sets (the interval contains 0.5)"
    return [
      "blind baseline       AUC \(ScoreFileAudit.format(baseline.auc))  [\(ScoreFileAudit.format(interval.lower)), \(ScoreFileAudit.format(interval.upper))] \(percent) bootstrap, \(baseline.heldOut.count) held-out texts (byte n-gram naive Bayes, no model)",
      "                     " + explanation,
    ]
  }
}
