import Foundation
import TacitPrivacy
import Testing

@testable import TacitReport

/// A private feature normalisation composed with DP-SGD: privacy.json's ledger, summary.json,
/// the log lines and the HTML privacy table show both events and the composed claim.
@Suite struct FeatureNormalizationReportTests {
  static func report() -> PrivacyReport {
    let normalization = DPEvent.selfComposed(event: .gaussian(noiseMultiplier: 8), count: 2)
    let dpsgd = DPEvent.dpsgd(noiseMultiplier: 4.2, sampleRate: 0.1365, steps: 439)
    var plan = PrivacyReport.Plan(
      delta: 1e-5, noiseMultiplier: 4.2, gradientNoiseMultiplier: 4.2, noiseMultiplierSource: "calibrated",
      sampleRate: 0.1365, expectedBatchSize: 8192, recordCount: 60000, steps: 439, stepsPerEpoch: 8,
      maxGradNorm: 0.1, accountant: "pld", clipping: "flat", noise: "secure", event: .composed([normalization, dpsgd]),
      adaptiveClipping: nil)
    plan.featureNormalization = .init(
      noiseMultiplier: 8, meanClip: 0.6, squareClip: 0.15, varianceFloor: 1e-5, event: normalization,
      epsilonAlone: 0.634, dpsgdEpsilonAlone: 2.7, recordCount: 60000, clippedMeanCount: 12, clippedSquareCount: 30,
      flooredChannels: 1, mean: [0.1, 0.2], variance: [0.01, 1e-5])
    return PrivacyReport(
      plan: plan, figures: [.init(accountant: "pld", epsilon: 2.99, isApproximation: false, error: nil)],
      claimedEpsilon: 2.99, caveats: [])
  }

  @Test func privacyJSONLedgerHoldsBothEventsInOrder() throws {
    let report = Self.report()
    #expect(report.plan.dpsgdEvent == .dpsgd(noiseMultiplier: 4.2, sampleRate: 0.1365, steps: 439))
    let object = try #require(try JSONText.decode(Data(report.json().utf8)) as? [String: Any])
    let ledger = try #require(object["ledger"] as? [[String: Any]])
    #expect(ledger.count == 2)
    #expect(ledger[0]["event"] as? String == "self_composed" && ledger[0]["count"] as? Int == 2)
    let releases = try #require(ledger[0]["releases"] as? [[String: Any]])
    #expect(releases.map { $0["sensitivity"] as? Double } == [0.6, 0.15])
    #expect(ledger[1]["event"] as? String == "self_composed" && ledger[1]["count"] as? Int == 439)
    let normalization = try #require(object["feature_normalization"] as? [String: Any])
    #expect(normalization["epsilon_alone"] as? Double == 0.634 && normalization["dpsgd_epsilon_alone"] as? Double == 2.7)
    #expect(normalization["mean"] as? [Double] == [0.1, 0.2] && normalization["floored_channels"] as? Int == 1)
    #expect(object["claimed_epsilon"] as? Double == 2.99)
    let summary = try #require(report.summaryObject["feature_normalization"] as? [String: Any])
    #expect(summary["noise_multiplier"] as? Double == 8 && summary["mean"] == nil)
  }

  @Test func linesAndHTMLNameBothParts() {
    let report = Self.report()
    let line = report.lines.first { $0.contains("feature normalisation") } ?? ""
    #expect(line.contains("2 × Gaussian (σ = 8.0000)") && line.contains("ε alone 0.634") && line.contains("DP-SGD alone ε 2.700"))
    let html = RunReport.privacySection(report)
    #expect(html.contains("ε of the feature normalisation alone</th><td>0.6340"))
    #expect(html.contains("ε of DP-SGD alone</th><td>2.7000"))
    #expect(html.contains("composed of [2 × Gaussian (σ = 8.0000); 439 × Poisson-sampled"))
  }
}
