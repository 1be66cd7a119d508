import Foundation
import TacitAudit
import TacitPrivacy
import Testing

@testable import TacitReport

struct ReportRenderingTests {
  @Test func chartTicksAreRoundValuesCoveringTheRange() {
    #expect(Chart.ticks(0, 10) == [0, 2, 4, 6, 8, 10])
    #expect(Chart.ticks(3, 97) == [20, 40, 60, 80])
    #expect(Chart.ticks(-1, 1) == [-1, -0.5, 0, 0.5, 1])
  }

  @Test func thinnedROCKeepsBothEndsAndAtMostTheLimit() throws {
    let count = 2000
    let scores = try MembershipScores(
      scores: (0..<count).map { Double($0 % 997) + ($0 % 2 == 0 ? 50 : 0) }, isMember: (0..<count).map { $0 % 2 == 0 })
    let roc = ROCCurve(scores)
    #expect(roc.falsePositiveRates.count > 300)
    let thinned = AuditOutcome.thinnedROC(roc, limit: 300)
    let fpr = try #require(thinned["fpr"]), tpr = try #require(thinned["tpr"])
    #expect(fpr.count == tpr.count && fpr.count <= 300)
    #expect(fpr.first == roc.falsePositiveRates.first && tpr.first == roc.truePositiveRates.first)
    #expect(fpr.last == roc.falsePositiveRates.last && tpr.last == roc.truePositiveRates.last)
    // Short curves pass through unchanged.
    let short = AuditOutcome.thinnedROC(roc, limit: 100_000)
    #expect(short["fpr"]?.count == roc.falsePositiveRates.count)
  }

  @Test func metricsJSONHoldsEveryEpochAndTheAdaptiveNorm() throws {
    let curves = TrainingCurves(
      epochs: [
        EpochRecord(
          epoch: 1, learningRate: 0.1, runningLoss: 2, runningAccuracy: 0.25, train: nil,
          validation: LossAndAccuracy(loss: 1.5, accuracy: 0.5), seconds: 3, clipNorm: 0.75),
        EpochRecord(
          epoch: 2, learningRate: 0.05, runningLoss: 1, runningAccuracy: 0.5, train: LossAndAccuracy(loss: .nan, accuracy: 0),
          validation: nil, seconds: 2, clipNorm: nil),
      ], finalEpoch: 1, stoppedEarly: true)
    let text = RunSummary.metricsJSON(curves)
    #expect(text.hasSuffix("}\n"))
    let object = try #require(try JSONText.decode(Data(text.utf8)) as? [String: Any])
    #expect(object["final_epoch"] as? Int == 1 && object["stopped_early"] as? Bool == true)
    let epochs = try #require(object["epochs"] as? [[String: Any]])
    #expect(epochs.count == 2)
    #expect(epochs[0]["max_grad_norm"] as? Double == 0.75 && epochs[1]["max_grad_norm"] == nil)
    #expect(epochs[0]["validation_accuracy"] as? Double == 0.5 && epochs[1]["validation_accuracy"] is NSNull)
    // A NaN loss (an empty split) is written as null: JSON has no NaN.
    #expect(epochs[1]["train_loss"] is NSNull && epochs[1]["train_accuracy"] as? Double == 0)
    #expect(
      EpochLine.format(curves.epochs[0])
        == "epoch   1  lr 0.1  loss 2.0000  acc 25.00%  val loss 1.5000 acc 50.00%  (3.0 s)")
  }

  @Test func privacyJSONPutsTheAdaptiveComponentsIntoTheInnermostGaussian() throws {
    let event = DPEvent.selfComposed(
      event: .poissonSampled(sampleRate: 0.01, event: .gaussian(noiseMultiplier: 1.2)), count: 100)
    let plan = PrivacyReport.Plan(
      delta: 1e-5, noiseMultiplier: 1.2, gradientNoiseMultiplier: 1.3, noiseMultiplierSource: "given in the recipe",
      sampleRate: 0.01, expectedBatchSize: 10, recordCount: 1000, steps: 100, stepsPerEpoch: 100, maxGradNorm: 1,
      accountant: "pld", clipping: "flat", noise: "seeded", event: event,
      adaptiveClipping: .init(
        settings: AdaptiveClippingSettings(targetQuantile: 0.5, learningRate: 0.2, countNoise: 4),
        countNoiseSource: "given in the recipe"))
    let report = PrivacyReport(
      plan: plan, figures: [.init(accountant: "pld", epsilon: 2, isApproximation: false, error: nil)], claimedEpsilon: 2,
      caveats: ["c"], finalClipNorm: 0.5)
    let object = try #require(try JSONText.decode(Data(report.json().utf8)) as? [String: Any])
    let ledger = try #require((object["ledger"] as? [[String: Any]])?.first)
    let gaussian = try #require(
      ((ledger["inner"] as? [String: Any])?["inner"] as? [String: Any]))
    #expect(gaussian["event"] as? String == "gaussian" && gaussian["noise_multiplier"] as? Double == 1.2)
    let components = try #require(gaussian["components"] as? [[String: Any]])
    #expect(components.map { $0["noise_multiplier"] as? Double } == [1.3, 8])
    let adaptive = try #require(object["adaptive_clipping"] as? [String: Any])
    #expect(adaptive["final_max_grad_norm"] as? Double == 0.5 && adaptive["count_noise_multiplier"] as? Double == 8)
    #expect(report.plan.isSeededNoise && report.summaryObject["noise"] as? String == "seeded")
  }
}
