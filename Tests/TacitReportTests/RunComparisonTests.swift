import Foundation
import TacitAudit
import Testing

@testable import TacitReport

struct RunComparisonTests {
  static func run(_ name: String, folder: String, verdict: AuditVerdict?, attacks: [String] = []) -> RunComparison.Run {
    let audit = verdict.map { verdict in
      RunComparison.Audit(
        verdict: verdict, epsilonLowerBound: 1.5, confidence: 0.95, boundSource: "attack loss",
        attacks: attacks.map {
          .init(name: $0, auc: 0.6, advantage: 0.1, truePositiveRates: ["0.01": 0.02, "0.001": 0.003], roc: [])
        }, hasDetails: false)
    }
    return .init(recordedName: name, folder: folder, testAccuracy: 0.8, epsilonClaimed: 1, audit: audit)
  }

  @Test func sharedNamesAreShownByFolderAndAttacksInTheGivenOrder() {
    let comparison = RunComparison(
      runs: [
        Self.run("same", folder: "/runs/a", verdict: .violation, attacks: ["zeta", "loss"]),
        Self.run("same", folder: "/runs/b", verdict: .pass, attacks: ["lira", "alpha"]),
        Self.run("other", folder: "/runs/c", verdict: nil),
      ], attackOrder: ["lira", "loss"])
    #expect(comparison.runs.map(\.name) == ["a", "b", "other"])
    // Known names in the given order, unknown ones after, alphabetically.
    #expect(comparison.attackNames == ["lira", "loss", "alpha", "zeta"])
  }

  /// Language-model runs add bits per byte and perplexity rows (and say the accuracy is next-token
  /// accuracy); an INVALID audit is shown red like a violation.
  @Test func languageModelRunsShowBitsPerByteAndPerplexity() throws {
    var language = Self.run("lm", folder: "/runs/lm", verdict: .invalid)
    language.testBitsPerByte = 3.0855
    language.testPerplexity = 4.2
    let comparison = RunComparison(runs: [language, Self.run("image", folder: "/runs/i", verdict: .pass)], attackOrder: [])
    let rows = comparison.rows
    #expect(rows.first?.label == "test accuracy (next token)")
    #expect(rows.contains { $0.label == "test bits per byte" && $0.cells == ["3.0855", "—"] })
    #expect(rows.contains { $0.label == "test perplexity" && $0.cells == ["4.200", "—"] })
    let json = try #require(try JSONSerialization.jsonObject(with: Data(comparison.json().utf8)) as? [String: Any])
    let runs = try #require(json["runs"] as? [[String: Any]])
    #expect(runs[0]["test_bits_per_byte"] as? Double == 3.0855 && runs[1]["test_bits_per_byte"] is NSNull)
    #expect(RunComparison.verdictColor(.invalid) == RunComparison.verdictColor(.violation))
    #expect(
      RunComparison(runs: [Self.run("image", folder: "/runs/i", verdict: .pass)], attackOrder: []).rows.first?.label
        == "test accuracy")
  }

  @Test func verdictsAreShownByTheirRecordedWordsAndColours() throws {
    let comparison = RunComparison(
      runs: [
        Self.run("violated", folder: "/runs/a", verdict: .violation), Self.run("passed", folder: "/runs/b", verdict: .pass),
        Self.run("measured", folder: "/runs/c", verdict: .measured), Self.run("off", folder: "/runs/d", verdict: nil),
      ], attackOrder: [])
    let verdictRow = try #require(comparison.table().split(separator: "\n").first { $0.hasPrefix("verdict") })
    #expect(
      verdictRow.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " ")
        == "VIOLATION PASS MEASURED audit off")
    let html = comparison.html()
    #expect(html.contains("<strong style=\"color: #cf222e\">VIOLATION</strong>"))
    #expect(html.contains("<strong style=\"color: #1a7f37\">PASS</strong>"))
    #expect(html.contains("<strong style=\"color: #66727f\">MEASURED</strong>"))
    #expect(html.contains("<strong style=\"color: #66727f\">audit off</strong>"))
    // The violated run's bound is drawn red; the others' blue.
    #expect(html.components(separatedBy: "height=\"14\" fill=\"#cf222e\"").count == 2)
    let object = try #require(try JSONText.decode(Data(comparison.json().utf8)) as? [String: Any])
    let verdicts = (object["runs"] as? [[String: Any]])?.map { $0["verdict"] as? String ?? "null" }
    #expect(verdicts == ["VIOLATION", "PASS", "MEASURED", "null"])
  }

  /// An untestable claim (above the audit's ceiling) is shown as such, in orange.
  @Test func untestableClaimsAreShown() throws {
    let comparison = RunComparison(
      runs: [
        Self.run("untestable", folder: "/runs/a", verdict: .untestable), Self.run("passed", folder: "/runs/b", verdict: .pass),
      ], attackOrder: [])
    let verdictRow = try #require(comparison.table().split(separator: "\n").first { $0.hasPrefix("verdict") })
    #expect(verdictRow.contains("UNTESTABLE"))
    #expect(comparison.html().contains("<strong style=\"color: #bc4c00\">UNTESTABLE</strong>"))
  }
}
