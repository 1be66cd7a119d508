import Foundation
import Testing

@testable import TacitAudit

@Suite struct AttackClassifierTests {
  /// 2000 training and 2000 held-out records, each a member with probability ½, with features
  /// drawn by `draw(isMember)`; returns the held-out AUC of a classifier trained with `seed`.
  static func heldOutAUC(
    seed: UInt64, configuration: AttackClassifier.Configuration = .init(),
    draw: (Bool, inout SplitMix64) -> [Double]
  ) -> Double {
    var generator = SplitMix64(seed: seed)
    func sample(_ count: Int) -> ([[Double]], [Bool]) {
      let labels = (0..<count).map { _ in Bool.random(using: &generator) }
      return (labels.map { draw($0, &generator) }, labels)
    }
    let (trainFeatures, trainLabels) = sample(2000)
    let (testFeatures, testLabels) = sample(2000)
    let classifier = AttackClassifier.train(
      features: trainFeatures, isMember: trainLabels, configuration: configuration, generator: &generator)
    return testAUC(scores: classifier.scores(testFeatures), isMember: testLabels)
  }

  @Test func featuresAreSortedProbabilitiesThenTrueLabel() throws {
    // p = [1/8, 2/8, 5/8], label 1.
    let outputs = try ModelOutputs(logits: [0, log(2), log(5)], classes: 3, labels: [1])
    let features = AttackClassifier.features(outputs)
    let expected = [5.0 / 8, 2.0 / 8, 1.0 / 8, 2.0 / 8, log(2.0 / 8)]
    #expect(features.count == 1 && features[0].count == 5)
    for (value, target) in zip(features[0], expected) { #expect(abs(value - target) < 1e-15, "\(features[0])") }
    // Extreme logits stay finite: log p_y = −2000.
    let extreme = AttackClassifier.features(try ModelOutputs(logits: [1000, -1000], classes: 2, labels: [1]))
    #expect(extreme[0] == [1, 0, 0, -2000])
  }

  @Test func separableFeaturesGiveAUCNearOne() {
    // Members: x₁ + x₂ > 0.2; non-members: x₁ + x₂ < −0.2 (a margin of 0.4 in the sum).
    let auc = Self.heldOutAUC(seed: 31) { member, generator in
      while true {
        let point = [Double.random(in: -2...2, using: &generator), Double.random(in: -2...2, using: &generator)]
        let sum = point[0] + point[1]
        if member ? sum > 0.2 : sum < -0.2 { return point }
      }
    }
    #expect(auc > 0.995, "AUC \(auc)")
  }

  @Test func gaussianShiftReachesTheBayesAUC() {
    // Members N(1, 1), non-members N(0, 1): the Bayes test thresholds x, AUC = Φ(1/√2) = 0.7602.
    // Held-out AUC standard error with 1000 + 1000 records ≈ 0.011.
    let bayes = standardNormalCDF(1 / 2.0.squareRoot())
    let auc = Self.heldOutAUC(seed: 32) { member, generator in
      [generator.normal(mean: member ? 1 : 0, standardDeviation: 1)]
    }
    #expect(abs(auc - bayes) < 0.035, "AUC \(auc) vs Bayes \(bayes)")
  }

  @Test func varianceShiftNeedsTheHiddenLayer() {
    // Members N(0, 0.5²), non-members N(0, 2²): the Bayes test thresholds |x|, with AUC
    // P(0.5|Z₁| < 2|Z₂|) = (2/π)·atan(4) = 0.8440. No monotone (linear) score beats 0.5 by much.
    let bayes = 2 / Double.pi * atan(4)
    let draw: (Bool, inout SplitMix64) -> [Double] = { member, generator in
      [generator.normal(mean: 0, standardDeviation: member ? 0.5 : 2)]
    }
    let auc = Self.heldOutAUC(seed: 33, draw: draw)
    #expect(abs(auc - bayes) < 0.035, "AUC \(auc) vs Bayes \(bayes)")
    // One hidden unit is a monotone function of x: back near chance.
    let monotone = Self.heldOutAUC(seed: 33, configuration: .init(hiddenUnits: 1), draw: draw)
    #expect(abs(monotone - 0.5) < 0.06, "one-unit AUC \(monotone)")
  }

  @Test func noSignalGivesChance() {
    // Features independent of membership: held-out AUC ≈ ½ (standard error ≈ 0.013).
    let auc = Self.heldOutAUC(seed: 34) { _, generator in
      [generator.normal(), generator.normal(), Double.random(in: 0...1, using: &generator)]
    }
    #expect(abs(auc - 0.5) < 0.05, "AUC \(auc)")
  }

  @Test func trainingIsDeterministicForASeed() throws {
    var generator = SplitMix64(seed: 35)
    let logits = (0..<(400 * 4)).map { _ in generator.normal(mean: 0, standardDeviation: 2) }
    let outputs = try ModelOutputs(logits: logits, classes: 4, labels: (0..<400).map { $0 % 4 })
    let features = AttackClassifier.features(outputs)
    let isMember = (0..<400).map { _ in Bool.random(using: &generator) }
    let configuration = AttackClassifier.Configuration(epochs: 5)
    func trained(_ seed: UInt64) -> [Double] {
      var generator = SplitMix64(seed: seed)
      return AttackClassifier.train(
        features: features, isMember: isMember, configuration: configuration, generator: &generator
      ).scores(features)
    }
    #expect(trained(7) == trained(7))
    #expect(trained(7) != trained(8))
    #expect(trained(7).allSatisfy { $0.isFinite })
  }
}
