import Foundation
import TacitAudit
import TacitTensor
import Testing

/// `tacit audit scores` and `tacit audit canaries`, run as the built executable: JSON values equal
/// to the library's on generated files, the δ = 0 default stated, malformed files reported as
/// FILE:LINE with exit 65, bad flags with exit 64.
@Suite struct AuditCommandTests {
  /// A membership-score file: members N(1, 1), non-members N(0, 1), 600 records.
  static func membershipFile(in folder: URL) throws -> (path: String, scores: MembershipScores) {
    var generator = SeededGenerator(seed: 42)
    var scores: [Double] = []
    var labels: [Bool] = []
    for index in 0..<600 {
      let member = index % 3 != 0
      let uniform = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
      let angle = Double.random(in: 0..<(2 * Double.pi), using: &generator)
      let normal = (-2 * Foundation.log(uniform)).squareRoot() * Foundation.cos(angle)
      // Rounded, as an attack would write them; the library sees the same rounded values.
      scores.append(((normal + (member ? 1 : 0)) * 1e6).rounded() / 1e6)
      labels.append(member)
    }
    let path = folder.appendingPathComponent("scores.csv").path
    let text = "score,member\n" + zip(scores, labels).map { "\($0),\($1 ? 1 : 0)\n" }.joined()
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return (path, try MembershipScores(scores: scores, isMember: labels))
  }

  /// A canary file: 400 canaries, score = inclusion bit kept with probability e²/(1 + e²), plus a
  /// small jitter so the order is not all ties.
  static func canaryFile(in folder: URL) throws -> (path: String, scores: [Double], included: [Bool]) {
    var generator = SeededGenerator(seed: 7)
    var scores: [Double] = []
    var included: [Bool] = []
    for _ in 0..<400 {
      let inside = Bool.random(using: &generator)
      let truthful = Double.random(in: 0..<1, using: &generator) < 0.8808
      scores.append(Double(inside == truthful ? 1 : 0) + Double(Int.random(in: 0..<1000, using: &generator)) / 1e4)
      included.append(inside)
    }
    let path = folder.appendingPathComponent("canaries.csv").path
    let text = "score,included\n" + zip(scores, included).map { "\($0),\($1 ? 1 : 0)\n" }.joined()
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return (path, scores, included)
  }

  /// Equal up to the last digit of Foundation's JSON number printing (≤ 2 ulps).
  static func same(_ value: Any?, _ expected: Double) -> Bool {
    guard let value = value as? Double else { return false }
    return abs(value - expected) <= 2 * expected.ulp
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func scoresJSONEqualsTheLibrary() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-scores")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try Self.membershipFile(in: folder)
    let outcome = try CommandLineTool.run([
      "audit", "scores", file.path, "--delta", "1e-5", "--selection", "corrected", "--json",
    ])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let object = try Self.json(outcome.standardOutput)
    let metrics = AttackMetrics(file.scores)
    #expect(Self.same(object["auc"], metrics.auc))
    #expect(Self.same(object["advantage"], metrics.advantage))
    let tprs = try #require(object["tpr_at_fpr"] as? [String: Double])
    #expect(Set(tprs.keys) == ["0.1", "0.01", "0.001"])
    for (key, value) in metrics.tprAtFPR { #expect(Self.same(tprs[key], value), "\(key): \(tprs) vs \(metrics.tprAtFPR)") }
    var unused = SeededGenerator(seed: 0)
    let bound = HypothesisTestBound.epsilonLowerBound(
      file.scores, delta: 1e-5, confidence: 0.95, selection: .correctedForAllThresholds, generator: &unused)
    #expect(bound.epsilon > 0)
    #expect(Self.same(object["epsilon_lower_bound"], bound.epsilon), "\(object) vs \(bound)")
    #expect(object["delta"] as? Double == 1e-5)
    #expect(object["confidence"] as? Double == 0.95)
    #expect((object["method"] as? String)?.contains("corrected") == true)
    let gdp = try #require(object["gdp_estimate"] as? [String: Any])
    let expected = GDPEstimate.estimate(file.scores, delta: 1e-5, confidence: 0.95)
    #expect(Self.same(gdp["mu"], expected.mu) && Self.same(gdp["epsilon"], expected.epsilon), "\(gdp) vs \(expected)")
    #expect((gdp["note"] as? String)?.contains("not a bound") == true)
  }

  /// The held-out half and the bootstrap come from generators split from --seed: the command
  /// reproduces the library called with the same generators, and the same seed gives the same output.
  @Test func scoresSeedReproducesTheLibrary() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-seed")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try Self.membershipFile(in: folder)
    let arguments = ["audit", "scores", file.path, "--seed", "9", "--bootstrap", "50", "--json"]
    let first = try CommandLineTool.run(arguments)
    let second = try CommandLineTool.run(arguments)
    #expect(first.status == 0, "\(first.standardError)")
    #expect(first.standardOutput == second.standardOutput)
    let object = try Self.json(first.standardOutput)
    var split = SeededGenerator(seed: 9).split("audit-split")
    let bound = HypothesisTestBound.epsilonLowerBound(
      file.scores, delta: 0, confidence: 0.95, selection: .heldOutHalf, generator: &split)
    #expect(Self.same(object["epsilon_lower_bound"], bound.epsilon), "\(object) vs \(bound)")
    var bootstrap = SeededGenerator(seed: 9).split("audit-bootstrap")
    let metrics = AttackMetrics(file.scores, bootstrapResamples: 50, confidence: 0.95, generator: &bootstrap)
    let interval = try #require(object["auc_interval"] as? [String: Double])
    let expectedInterval = try #require(metrics.aucInterval)
    #expect(Self.same(interval["lower"], expectedInterval.lower) && Self.same(interval["upper"], expectedInterval.upper))
    #expect((object["tpr_at_fpr_intervals"] as? [String: Any])?.count == 3)
  }

  /// Without --delta the bound is at δ = 0 and both outputs say so.
  @Test func scoresStateTheDefaultDelta() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-delta")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try Self.membershipFile(in: folder)
    let json = try CommandLineTool.run(["audit", "scores", file.path, "--json"])
    let object = try Self.json(json.standardOutput)
    #expect(object["delta"] as? Double == 0)
    #expect((object["delta_note"] as? String)?.contains("no --delta given") == true)
    let text = try CommandLineTool.run(["audit", "scores", file.path])
    #expect(text.status == 0)
    #expect(text.standardOutput.contains("δ = 0"), "\(text.standardOutput)")
    #expect(text.standardOutput.contains("no --delta given"), "\(text.standardOutput)")
    #expect(text.standardOutput.contains("an estimate, not a bound"), "\(text.standardOutput)")
  }

  @Test func canariesJSONEqualsTheLibraryWithAVerdict() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-canaries")
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = try Self.canaryFile(in: folder)
    // The oracle: each analysis over the Bonferroni grid at 97.5%, the larger of the two.
    let expected = try [OneRunAnalysis.epsilonDelta, .tradeOffEpsilonDelta].map {
      try OneRunGuessSelection.bonferroniGrid(
        scores: file.scores, included: file.included, delta: 1e-5, confidence: 0.975, analysis: $0)
    }
    let headline = try #require(expected.max { $0.epsilonLowerBound < $1.epsilonLowerBound })
    #expect(headline.epsilonLowerBound > 0.5 && headline.epsilonLowerBound < 2)
    let pass = try CommandLineTool.run([
      "audit", "canaries", file.path, "--delta", "1e-5", "--claimed-epsilon", "3", "--json",
    ])
    #expect(pass.status == 0, "\(pass.standardError)")
    let object = try Self.json(pass.standardOutput)
    #expect(Self.same(object["epsilon_lower_bound"], headline.epsilonLowerBound))
    #expect(object["guesses"] as? Int == headline.guesses && object["correct"] as? Int == headline.correct)
    #expect(object["analysis"] as? String == headline.analysis.rawValue)
    #expect(object["canaries"] as? Int == 400)
    #expect(Self.same(object["ceiling"], headline.ceiling))
    #expect(object["verdict"] as? String == "PASS")
    // The audit's ceiling: every guess right, best grid entry and analysis, known before the scores.
    let ceiling = OneRunCeiling(canaries: 400, guesses: .bonferroniGrid, delta: 1e-5, confidence: 0.95).ceiling
    #expect(Self.same(object["audit_ceiling"], ceiling) && ceiling > 3 && ceiling < 8, "\(ceiling)")
    // A claim of 8 is above what 400 canaries can ever show: UNTESTABLE, exit 0.
    let untestable = try CommandLineTool.run([
      "audit", "canaries", file.path, "--delta", "1e-5", "--claimed-epsilon", "8", "--json",
    ])
    #expect(untestable.status == 0, "\(untestable.standardError)")
    #expect(try Self.json(untestable.standardOutput)["verdict"] as? String == "UNTESTABLE")
    let bounds = try #require(object["bounds"] as? [[String: Any]])
    #expect(bounds.count == 2)
    for (bound, oracle) in zip(bounds, expected) {
      #expect(Self.same(bound["epsilon_lower_bound"], oracle.epsilonLowerBound), "\(bound)")
    }
    let violation = try CommandLineTool.run([
      "audit", "canaries", file.path, "--delta", "1e-5", "--claimed-epsilon", "0.1", "--json",
    ])
    #expect(violation.status == 3)  // VIOLATION, as `tacit run` (Tacit.swift on main)
    #expect(try Self.json(violation.standardOutput)["verdict"] as? String == "VIOLATION")
    // Chosen guesses: 50 IN, 0 OUT, both analyses at 97.5% on exactly those guesses.
    let chosen = try CommandLineTool.run(["audit", "canaries", file.path, "--delta", "0", "--positive-guesses", "50"])
    #expect(chosen.status == 0, "\(chosen.standardError)")
    #expect(chosen.standardOutput.contains("50 (50 IN, 0 OUT)"), "\(chosen.standardOutput)")
    #expect(chosen.standardOutput.contains("fixed guesses"), "\(chosen.standardOutput)")
  }

  /// Issue 11's acceptance for the default guesses: a Gaussian mechanism with μ = 1 (included
  /// canaries score N(1, 1), excluded N(0, 1)), 10,000 canaries, whose true ε at δ = 1e-5 is
  /// 4.37: the bound is at least 1.5 (guessing every canary gave 0.77) and never above 4.37; a
  /// perfect attack on 1,000 canaries gives a bound between 2.5 and the ceiling 5.78 of guessing
  /// all of them.
  @Test(arguments: [1, 2, 3] as [UInt64])
  func defaultGuessesAuditAGaussianMechanismStrongly(seed: UInt64) throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-gaussian-canaries")
    defer { try? FileManager.default.removeItem(at: folder) }
    var generator = SeededGenerator(seed: seed)
    func write(_ name: String, count: Int, score: (Bool, inout SeededGenerator) -> Double) throws -> String {
      var lines = ["score,included"]
      for _ in 0..<count {
        let inside = Bool.random(using: &generator)
        lines.append("\(score(inside, &generator)),\(inside ? 1 : 0)")
      }
      let path = folder.appendingPathComponent(name).path
      try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let gaussian = try write("gaussian.csv", count: 10_000) { inside, generator in
      // Box–Muller, as `membershipFile`.
      let uniform = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
      let angle = Double.random(in: 0..<(2 * Double.pi), using: &generator)
      return (-2 * Foundation.log(uniform)).squareRoot() * Foundation.cos(angle) + (inside ? 1 : 0)
    }
    let bound = try #require(
      try Self.json(try CommandLineTool.run(["audit", "canaries", gaussian, "--delta", "1e-5", "--json"]).standardOutput)[
        "epsilon_lower_bound"] as? Double)
    #expect(bound >= 1.5 && bound <= 4.37, "seed \(seed): bound \(bound)")
    let perfect = try write("perfect.csv", count: 1000) { inside, generator in
      (inside ? 1 : 0) + Double.random(in: 0..<0.1, using: &generator)
    }
    let perfectBound = try #require(
      try Self.json(try CommandLineTool.run(["audit", "canaries", perfect, "--delta", "1e-5", "--json"]).standardOutput)[
        "epsilon_lower_bound"] as? Double)
    #expect(perfectBound >= 2.5 && perfectBound <= 5.78, "seed \(seed): perfect-attack bound \(perfectBound)")
  }

  @Test(arguments: [
    ("score,member\n0.5,1\n0.2\n", "scores.csv:3: missing column 'member'"),
    ("score,member\n0.5,1,7\n0.2,0\n", "scores.csv:2: extra column"),
    ("score,member\n0.5,1\nhigh,0\n", "scores.csv:3: column 'score': 'high' is not a number"),
    ("score,member\n0.5,1\nnan,0\n", "scores.csv:3: column 'score': nan is not a finite number"),
    ("score,member\n0.5,1\n0.2,2\n", "scores.csv:3: column 'member': must be 0 or 1, got '2'"),
    ("score,member\n0.5,0\n0.2,0\n", "scores.csv:1: column 'member': no member"),
    ("score,member\n0.5,1\n0.2,1\n", "scores.csv:1: column 'member': no non-member"),
    ("member,score\n1,0.5\n", "scores.csv:1: expected the header 'score,member'"),
    ("", "scores.csv:1: empty file"),
  ])
  func malformedScoreFilesExit65(content: String, message: String) throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-bad")
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("scores.csv").path
    try content.write(toFile: path, atomically: true, encoding: .utf8)
    let outcome = try CommandLineTool.run(["audit", "scores", path], in: folder)
    #expect(outcome.status == 65, "\(outcome.standardError)")
    #expect(outcome.standardError.contains(folder.path + "/" + message), "\(outcome.standardError)")
    #expect(outcome.standardOutput.isEmpty)
  }

  @Test func malformedCanaryFileAndTooManyGuessesExit65() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-bad-canaries")
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("canaries.csv").path
    try "score,included\n0.5,1\n0.1,yes\n".write(toFile: path, atomically: true, encoding: .utf8)
    let bad = try CommandLineTool.run(["audit", "canaries", path, "--delta", "0"])
    #expect(bad.status == 65)
    #expect(bad.standardError.contains("canaries.csv:3: column 'included': must be 0 or 1, got 'yes'"), "\(bad.standardError)")
    try "score,included\n0.5,1\n0.1,0\n".write(toFile: path, atomically: true, encoding: .utf8)
    let tooMany = try CommandLineTool.run(["audit", "canaries", path, "--delta", "0", "--positive-guesses", "3"])
    #expect(tooMany.status == 65)
    #expect(tooMany.standardError.contains("canaries.csv: cannot make 3 positive"), "\(tooMany.standardError)")
  }

  /// CRLF line ends and a last line without a line end read like LF files: same JSON.
  @Test func crlfAndNoFinalNewlineReadLikeLF() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-crlf")
    defer { try? FileManager.default.removeItem(at: folder) }
    let (path, _) = try Self.membershipFile(in: folder)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let crlf = folder.appendingPathComponent("crlf.csv").path
    // One Character is "\r\n": dropping the last drops the final line end.
    try String(text.replacingOccurrences(of: "\n", with: "\r\n").dropLast()).write(
      toFile: crlf, atomically: true, encoding: .utf8)
    let expected = try CommandLineTool.run(["audit", "scores", path, "--json"])
    let outcome = try CommandLineTool.run(["audit", "scores", crlf, "--json"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let expectedObject = try Self.json(expected.standardOutput), object = try Self.json(outcome.standardOutput)
    #expect(object["records"] as? Int == 600)
    #expect(object["auc"] as? Double == expectedObject["auc"] as? Double)

    let canaries = try Self.canaryFile(in: folder).path
    let canaryText = try String(contentsOfFile: canaries, encoding: .utf8)
    try canaryText.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: canaries, atomically: true, encoding: .utf8)
    let canaryOutcome = try CommandLineTool.run(["audit", "canaries", canaries, "--delta", "1e-5", "--json"])
    #expect(canaryOutcome.status == 0, "\(canaryOutcome.standardError)")
    #expect(try Self.json(canaryOutcome.standardOutput)["canaries"] as? Int == 400)
  }

  /// An error quotes at most the offending line, cut to 80 characters, even in a CRLF file.
  @Test func errorsQuoteOnlyTheOffendingLineCut() throws {
    let folder = try CommandLineTool.temporaryDirectory("audit-long")
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("scores.csv").path
    let long = String(repeating: "x", count: 5000)
    try "score,member\r\n0.5,1\r\n\(long),0\r\n0.2,0\r\n".write(toFile: path, atomically: true, encoding: .utf8)
    let outcome = try CommandLineTool.run(["audit", "scores", path])
    #expect(outcome.status == 65)
    let expected = "scores.csv:3: column 'score': '\(String(repeating: "x", count: 80))… (5000 characters)' is not a number"
    #expect(outcome.standardError.contains(expected), "\(outcome.standardError)")
    #expect(outcome.standardError.count < 400, "\(outcome.standardError.count) characters")

    try "member,score\r\n1,0.5\r\n0,0.2\r\n".write(toFile: path, atomically: true, encoding: .utf8)
    let header = try CommandLineTool.run(["audit", "scores", path])
    #expect(header.status == 65)
    #expect(header.standardError.contains("scores.csv:1: expected the header 'score,member', got 'member,score'"))
    #expect(!header.standardError.contains("0.5"), "\(header.standardError)")
  }

  @Test(arguments: [
    (["audit", "scores", "x.csv", "--confidence", "1.5"], "--confidence must be in (0, 1), got 1.5"),
    (
      ["audit", "scores", "x.csv", "--selection", "best"],
      "The value 'best' is invalid for '--selection <selection>'. Please provide one of 'held-out' and 'corrected'."
    ),
    (["audit", "scores", "x.csv", "--delta=-1"], "--delta must be in [0, 1), got -1.0"),
    (["audit", "scores", "x.csv", "--bootstrap=-2"], "--bootstrap must be at least 0, got -2"),
    (["audit", "canaries", "x.csv"], "Missing expected argument '--delta <delta>'"),
    (["audit", "canaries", "x.csv", "--delta", "0", "--negative-guesses=-1"], "--negative-guesses must be at least 0"),
  ])
  func badFlagsExit64(arguments: [String], message: String) throws {
    let outcome = try CommandLineTool.run(arguments)
    #expect(outcome.status == 64, "\(arguments): \(outcome.standardError)")
    #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
  }
}
