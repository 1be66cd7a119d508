import Foundation
import TacitAudit
import TacitReport
import TacitTensor

/// `tacit audit texts --model MODEL --suspect FILE --control FILE`: dataset inference (Maini et
/// al. 2024; `DatasetInference`) of whether MODEL trained on the suspect texts, gated by the
/// blind baseline (`BlindBaseline`, suspect texts against control texts).
///
/// Each text is scored once under the model (and the reference model, when given;
/// `TextScoring.scoreWithAttacks`); its feature row holds every attack of
/// `LanguageModelAttack` that has inputs: loss, zlib ratio, lowercase ratio, Min-K%, Min-K%++,
/// and the reference difference with `--reference`. A text with a non-finite feature (a text of
/// one token has nothing to score) is left out and counted. Verdict:
/// - INVALID when the blind baseline's interval excludes ½ (the suspect and control texts differ
///   without the model) or when the false-positive check (`ControlSplitCheck`: the same test
///   between two halves of the control set, over `controlSplits` random splits) finds evidence of
///   membership in more than a tenth of them (the procedure is not trustworthy on these texts);
/// - otherwise the test's: `evidence of membership` (p < 0.01) or `no evidence`.
/// Randomness: seed splits "blind-baseline", "dataset-inference", "dataset-inference-control".
public enum DatasetInferenceAudit {
  public struct Outcome: Sendable {
    public var output: String
    public var isInvalid: Bool
  }

  public static func audit(
    modelPath: String, suspectPath: String, controlPath: String, referencePath: String?, k: Double, seed: UInt64,
    controlSplits: Int = 100, confidence: Double, json: Bool
  ) throws -> Outcome {
    let suspectTexts = try TextScoring.readTexts(suspectPath), controlTexts = try TextScoring.readTexts(controlPath)
    let scores = try TextScoring.scoreWithAttacks(
      texts: suspectTexts + controlTexts, modelPath: modelPath, referencePath: referencePath, k: k)
    let attacks = LanguageModelAttack.allCases.filter { attack in scores.allSatisfy { attack.value($0.attackInputs, k: k) != nil }
    }
    let rows = scores.map { score in
      let inputs = score.attackInputs
      return attacks.map { $0.value(inputs, k: k)! }
    }
    let usable = rows.map { $0.allSatisfy(\.isFinite) }
    let suspect = zip(rows.prefix(suspectTexts.count), usable).filter(\.1).map(\.0)
    let control = zip(rows.dropFirst(suspectTexts.count), usable.dropFirst(suspectTexts.count)).filter(\.1).map(\.0)
    let root = SeededGenerator(seed: seed)
    var gateGenerator = root.split("blind-baseline")
    let baseline = try LanguageModelScoreAudit.gate(
      members: suspectTexts, nonMembers: controlTexts, confidence: confidence, generator: &gateGenerator,
      path: suspectPath + " and " + controlPath)
    var inferenceGenerator = root.split("dataset-inference"), checkGenerator = root.split("dataset-inference-control")
    let inference: DatasetInference, check: ControlSplitCheck
    do {
      inference = try DatasetInference(suspect: suspect, control: control, generator: &inferenceGenerator)
      check = try ControlSplitCheck(control: control, count: controlSplits, generator: &checkGenerator)
    } catch let error as AuditError {
      throw PipelineError("\(suspectPath) and \(controlPath): \(error.description)")
    }
    let isInvalid = baseline.verdict == .invalid || !check.passed
    let verdict = isInvalid ? "INVALID" : inference.verdict.rawValue
    let report = Report(
      modelPath: modelPath, suspectPath: suspectPath, controlPath: controlPath, attacks: attacks,
      excluded: (suspectTexts.count - suspect.count, controlTexts.count - control.count), baseline: baseline,
      inference: inference, check: check, verdict: verdict, seed: seed, k: k, confidence: confidence)
    return Outcome(output: json ? report.json : report.text, isInvalid: isInvalid)
  }

  /// What the command prints.
  struct Report {
    var modelPath, suspectPath, controlPath: String
    var attacks: [LanguageModelAttack]
    var excluded: (suspect: Int, control: Int)
    var baseline: BlindBaseline
    var inference: DatasetInference
    var check: ControlSplitCheck
    var verdict: String
    var seed: UInt64
    var k, confidence: Double

    static func testObject(_ inference: DatasetInference) -> [String: Any] {
      let test = inference.test
      return [
        "t_statistic": test.statistic, "degrees_of_freedom": test.degreesOfFreedom, "p_value": test.pValue,
        "effect_size": test.effectSize, "suspect_mean": test.firstMean, "control_mean": test.secondMean,
        "fit_texts": ["suspect": inference.fitCounts.suspect, "control": inference.fitCounts.control],
        "test_texts": ["suspect": inference.testCounts.suspect, "control": inference.testCounts.control],
        "verdict": inference.verdict.rawValue,
      ]
    }

    /// The check over all splits, and the first split's test in full.
    static func checkObject(_ check: ControlSplitCheck) -> [String: Any] {
      [
        "splits": check.splits.count, "found_membership": check.falsePositives,
        "allowed": check.allowedFalsePositives,
        "smallest_p_value": check.smallestPValue, "passed": check.passed, "first_split": testObject(check.splits[0]),
      ]
    }

    var json: String {
      var result = Self.testObject(inference)
      result["aggregator_weights"] = Dictionary(uniqueKeysWithValues: zip(attacks.map(\.rawValue), inference.aggregator.weights))
      let object: [String: Any] = [
        "model": modelPath, "suspect": suspectPath, "control": controlPath, "features": attacks.map(\.rawValue),
        "excluded_texts": ["suspect": excluded.suspect, "control": excluded.control], "k": k, "seed": seed,
        "significance_level": DatasetInference.significanceLevel, "confidence": confidence,
        "blind_baseline": LanguageModelScoreAudit.blindBaselineObject(baseline), "dataset_inference": result,
        "false_positive_check": Self.checkObject(check), "verdict": verdict,
      ]
      return JSONText.encode(object)
    }

    var text: String {
      func line(_ name: String, _ inference: DatasetInference) -> String {
        let test = inference.test
        return name.padding(toLength: 21, withPad: " ", startingAt: 0)
          + "p = \(ScoreFileAudit.format(test.pValue)) (Welch t = \(ScoreFileAudit.format(test.statistic)), ν = \(ScoreFileAudit.format(test.degreesOfFreedom)), effect size d = \(ScoreFileAudit.format(test.effectSize)); \(inference.testCounts.suspect) vs \(inference.testCounts.control) held-out texts): \(inference.verdict.rawValue)"
      }
      var lines = [
        "model \(modelPath): suspect \(suspectPath) (\(inference.fitCounts.suspect + inference.testCounts.suspect) texts), control \(controlPath) (\(inference.fitCounts.control + inference.testCounts.control) texts)",
        "features             " + attacks.map(\.rawValue).joined(separator: ", "),
      ]
      if excluded.suspect + excluded.control > 0 {
        lines.append(
          "excluded             \(excluded.suspect) suspect and \(excluded.control) control texts with nothing to score")
      }
      lines += LanguageModelScoreAudit.blindBaselineLines(baseline, confidence: confidence)
      lines.append(line("dataset inference", inference))
      lines.append(
        "false-positive check \(check.falsePositives) of \(check.splits.count) random splits of the control set in two "
          + "found membership (at most \(check.allowedFalsePositives) allowed; smallest p = "
          + "\(ScoreFileAudit.format(check.smallestPValue))): \(check.passed ? "passed" : "FAILED")")
      let p = ScoreFileAudit.format(DatasetInference.significanceLevel)
      let explanation =
        verdict != "INVALID"
        ? "(one-sided, p < \(p) for evidence)"
        : (baseline.verdict == .invalid
          ? "(the blind baseline separates suspect from control texts)"
          : "(the false-positive check found membership between halves of the control set too often)")
      lines.append("verdict              \(verdict) \(explanation)")
      return lines.joined(separator: "\n")
    }
  }
}
