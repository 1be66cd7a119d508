import Foundation
import TacitAudit
import Testing

@testable import TacitPipeline

/// `tacit score`'s membership scores against `transformers` (the file `export_hf_logprobs.py`
/// wrote on the tiny GPT-2 fixture), `tacit audit lm-scores` on that file and on `tacit score`'s
/// own output, its input errors, and `tacit audit texts` (dataset inference and its gate).
@Suite struct LanguageModelAuditTests {
  static var fixtures: String {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
  }
  static var model: String { fixtures + "/hf-gpt2-tiny" }
  static var exported: String { fixtures + "/lm-scores/hf-gpt2-tiny.jsonl" }
  static var labelled: String { fixtures + "/lm-scores/labelled.jsonl" }

  static func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
      try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
  }

  static func largestDifference(_ mine: [Double], _ theirs: Any?) throws -> Double {
    let theirs = try #require(theirs as? [Double])
    #expect(mine.count == theirs.count)
    return zip(mine, theirs).reduce(0) { max($0, abs($1.0 - $1.1)) }
  }

  @Test func scoresMatchTransformers() throws {
    let scores = try TextScoring.scoreWithAttacks(
      modelPath: Self.model, textsPath: Self.labelled, referencePath: Self.model, k: 0.2)
    let rows = try Self.jsonLines(try String(contentsOfFile: Self.exported, encoding: .utf8))
    #expect(scores.count == rows.count && rows.count == 12)
    var largest = 0.0
    for (score, row) in zip(scores, rows) {
      #expect(score.tokens == row["tokens"] as? [Int])
      largest = max(largest, try Self.largestDifference(score.tokenLogProbabilities, row["token_log_probs"]))
      largest = max(largest, try Self.largestDifference(score.means, row["mu"]))
      largest = max(largest, try Self.largestDifference(score.standardDeviations, row["sigma"]))
      largest = max(
        largest, try Self.largestDifference(score.lowercaseTokenLogProbabilities ?? [], row["lowercase_token_log_probs"]))
      largest = max(
        largest, try Self.largestDifference(score.referenceTokenLogProbabilities ?? [], row["reference_token_log_probs"]))
      // The JSON object's scores are TokenScores' on these inputs.
      let object = score.jsonObject
      let logProbabilities = score.tokenLogProbabilities
      #expect(object["min_k"] as? Double == TokenScores.minK(logProbabilities, k: 0.2))
      #expect(
        object["min_k_plus_plus"] as? Double
          == TokenScores.minKPlusPlus(logProbabilities, means: score.means, standardDeviations: score.standardDeviations))
      #expect(object["reference_ratio"] as? Double == 0)
      #expect(object["zlib_ratio"] as? Double != nil && object["lowercase_ratio"] as? Double != nil)
    }
    #expect(largest <= 1e-4, "largest |Δ| = \(largest)")
  }

  @Test func lmScoresAgreesWithTacitScoreOnTheSameModel() throws {
    let folder = try CommandLineTool.temporaryDirectory("lm-scores")
    defer { try? FileManager.default.removeItem(at: folder) }
    let scored = try CommandLineTool.run(["score", Self.model, Self.labelled, "--json", "--reference", Self.model])
    #expect(scored.status == 0, "\(scored.standardError)")
    // tacit score's lines plus a member field are an lm-scores file.
    let labels = try Self.jsonLines(try String(contentsOfFile: Self.labelled, encoding: .utf8)).map { $0["member"] as! Int }
    var lines = try Self.jsonLines(scored.standardOutput)
    for index in lines.indices { lines[index]["member"] = labels[index] }
    let ours = folder.appendingPathComponent("ours.jsonl")
    let encoded = try lines.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
    try encoded.joined(separator: "\n").write(to: ours, atomically: true, encoding: .utf8)
    var audits: [[String: Any]] = []
    for file in [Self.exported, ours.path] {
      let outcome = try CommandLineTool.run(["audit", "lm-scores", file, "--json", "--seed", "3"])
      #expect(outcome.status == 0 || outcome.status == 4, "\(outcome.standardError)")
      audits.append(try #require(try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]))
    }
    let attacks = try audits.map { try #require($0["attacks"] as? [String: [String: Any]]) }
    #expect(Set(attacks[0].keys) == Set(LanguageModelAttack.allCases.map(\.rawValue)))
    for name in attacks[0].keys {
      #expect(attacks[0][name]?["auc"] as? Double == attacks[1][name]?["auc"] as? Double, "\(name)")
    }
    // The loss attack's AUC is the library's on −loss.
    let rows = try Self.jsonLines(try String(contentsOfFile: Self.exported, encoding: .utf8))
    let losses = rows.map { -TokenScores.loss($0["token_log_probs"] as! [Double]) }
    let expected = AttackMetrics(try MembershipScores(scores: losses, isMember: labels.map { $0 == 1 })).auc
    #expect(abs((attacks[0]["loss"]?["auc"] as? Double ?? 0) - expected) < 1e-12)
    #expect((audits[0]["blind_baseline"] as? [String: Any])?["held_out"] as? Int == 6)
  }

  @Test(arguments: [
    ("{\"token_log_probs\": [-1, -2], \"member\": 1}\n{\"token_log_probs\": [-1, -2], \"member\"\n", ":2: not a JSON object"),
    (
      "{\"token_log_probs\": [-1, -2], \"mu\": [-1], \"sigma\": [1, 1], \"member\": 1}\n",
      ":1: 'mu' has 1 entries but 'token_log_probs' has 2"
    ),
    ("{\"token_log_probs\": [-1, -2], \"member\": 1}\n\n{\"token_log_probs\": [-3]}\n", ":3: missing 'member'"),
    ("{\"token_log_probs\": [-1, -2], \"member\": 2}\n", ":1: 'member' must be 0 or 1"),
    (
      "{\"token_log_probs\": [-1], \"member\": 1, \"text\": \"a\"}\n{\"token_log_probs\": [-1], \"member\": 0}\n",
      ":2: has no 'text' but line 1 has one"
    ),
    ("{\"token_log_probs\": [], \"member\": 1}\n", ":1: 'token_log_probs' is empty"),
    ("{\"token_log_probs\": [-1], \"member\": 1}\n{\"token_log_probs\": [-2], \"member\": 1}\n", "no non-member"),
  ])
  func badFilesExit65NamingTheLine(content: String, message: String) throws {
    let folder = try CommandLineTool.temporaryDirectory("lm-scores-bad")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("scores.jsonl")
    try content.write(to: file, atomically: true, encoding: .utf8)
    let outcome = try CommandLineTool.run(["audit", "lm-scores", file.path])
    #expect(outcome.status == 65)
    #expect(outcome.standardError.contains(file.path) && outcome.standardError.contains(message), "\(outcome.standardError)")
    #expect(outcome.standardOutput.isEmpty)
  }

  static let fortunesAvailable = FileManager.default.fileExists(atPath: "/usr/share/games/fortunes/people")

  /// `count` records of a fortune file, one per line (newlines inside a record become spaces),
  /// every `stride`-th from the `offset`-th (fortune files are grouped by topic: interleaving
  /// gives two sets from one distribution), written to a file in `folder`.
  static func fortuneLines(_ name: String, count: Int, offset: Int = 0, stride: Int = 1, into folder: URL) throws -> String {
    let text = try String(contentsOfFile: "/usr/share/games/fortunes/" + name, encoding: .utf8)
    let records = text.components(separatedBy: "\n%\n").map {
      $0.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }.filter { !$0.isEmpty }
    let path = folder.appendingPathComponent("\(name)-\(offset).txt").path
    let chosen = Swift.stride(from: offset, to: records.count, by: stride).prefix(count).map { records[$0] }
    try chosen.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test(.enabled(if: fortunesAvailable)) func datasetInferenceOnUnseenTextsFindsNothingAndAShiftIsInvalid() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-texts")
    defer { try? FileManager.default.removeItem(at: folder) }
    // The fixture model trained on none of these: suspect and control from one file.
    let suspect = try Self.fortuneLines("people", count: 120, stride: 2, into: folder)
    let control = try Self.fortuneLines("people", count: 120, offset: 1, stride: 2, into: folder)
    let iid = try CommandLineTool.run([
      "audit", "texts", "--model", Self.model, "--suspect", suspect, "--control", control, "--json",
    ])
    #expect(iid.status == 0, "\(iid.standardError)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(iid.standardOutput.utf8)) as? [String: Any])
    #expect(object["verdict"] as? String == "no evidence")
    #expect(object["features"] as? [String] == ["loss", "zlib_ratio", "lowercase_ratio", "min_k", "min_k_plus_plus"])
    let test = try #require(object["dataset_inference"] as? [String: Any])
    #expect((test["p_value"] as? Double ?? 0) >= 0.01)
    #expect((test["test_texts"] as? [String: Int]) == ["suspect": 60, "control": 60])
    let check = try #require(object["false_positive_check"] as? [String: Any])
    #expect(check["splits"] as? Int == 100 && check["allowed"] as? Int == 10 && check["passed"] as? Bool == true)
    #expect((check["found_membership"] as? Int ?? 99) <= 10)
    #expect(((check["first_split"] as? [String: Any])?["test_texts"] as? [String: Int]) == ["suspect": 30, "control": 30])
    // Same seed, same bytes.
    let again = try CommandLineTool.run([
      "audit", "texts", "--model", Self.model, "--suspect", suspect, "--control", control, "--json",
    ])
    #expect(again.standardOutput == iid.standardOutput)
    // Contiguous halves of the file differ in topic: the blind baseline separates them, and the
    // dataset inference alone would have "found" membership in a model that never saw them.
    let first = try Self.fortuneLines("people", count: 120, into: folder)
    let next = try Self.fortuneLines("people", count: 120, offset: 120, into: folder)
    let shifted = try CommandLineTool.run([
      "audit", "texts", "--model", Self.model, "--suspect", first, "--control", next, "--json",
    ])
    #expect(shifted.status == 4, "\(shifted.standardError)")
    let flagged = try #require(try JSONSerialization.jsonObject(with: Data(shifted.standardOutput.utf8)) as? [String: Any])
    #expect(flagged["verdict"] as? String == "INVALID")
    #expect((flagged["blind_baseline"] as? [String: Any])?["verdict"] as? String == "INVALID")
    #expect(((flagged["dataset_inference"] as? [String: Any])?["p_value"] as? Double ?? 1) < 0.01)
    #expect(shifted.standardError.contains("INVALID"))
  }
}
