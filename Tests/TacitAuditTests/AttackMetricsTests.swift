import Foundation
import TacitMath
import Testing

@testable import TacitAudit

/// Bootstrap intervals of the attack metrics: coverage of the known Gaussian AUC and shrinkage
/// with the sample size.
@Suite struct AttackMetricsTests {
  static let shift = 1.0
  static let trueAUC = StandardNormal.cdf(shift / 2.0.squareRoot())  // 0.7602…

  @Test func intervalsHaveTheReportedKeys() {
    var generator = SplitMix64(seed: 1)
    let scores = gaussianScores(members: 200, nonMembers: 200, shift: Self.shift, using: &generator)
    let metrics = AttackMetrics(scores, bootstrapResamples: 50, confidence: 0.9, generator: &generator)
    #expect(Set(metrics.tprAtFPR.keys) == ["0.1", "0.01", "0.001"])
    #expect(Set(metrics.tprAtFPRIntervals.map { Array($0.keys) } ?? []) == ["0.1", "0.01", "0.001"])
    let interval = try! #require(metrics.aucInterval)
    #expect(interval.confidence == 0.9)
    #expect(interval.lower <= metrics.auc && metrics.auc <= interval.upper)
    #expect(AttackMetrics(scores, bootstrapResamples: 0, confidence: 0.9, generator: &generator).aucInterval == nil)
  }

  /// The one-sort bootstrap equals the definition: each replicate resampled, its ROC rebuilt from
  /// scratch, with the same draws; ties (rounded scores) included.
  @Test func fastBootstrapEqualsRebuildingEveryReplicate() throws {
    var dataGenerator = SplitMix64(seed: 5)
    let raw = gaussianScores(members: 150, nonMembers: 120, shift: Self.shift, using: &dataGenerator)
    let scores = try MembershipScores(scores: raw.scores.map { ($0 * 4).rounded() / 4 }, isMember: raw.isMember)
    var fastGenerator = SplitMix64(seed: 6)
    let fast = AttackMetrics(scores, bootstrapResamples: 60, confidence: 0.9, generator: &fastGenerator)
    var slowGenerator = SplitMix64(seed: 6)
    let members = zip(scores.scores, scores.isMember).filter(\.1).map(\.0)
    let nonMembers = zip(scores.scores, scores.isMember).filter { !$0.1 }.map(\.0)
    var aucs: [Double] = []
    var tprs: [[Double]] = [[], [], []]
    for _ in 0..<60 {
      let resampledMembers = members.indices.map { _ in members[uniformIndex(below: members.count, using: &slowGenerator)] }
      let resampledNonMembers = nonMembers.indices.map { _ in
        nonMembers[uniformIndex(below: nonMembers.count, using: &slowGenerator)]
      }
      let curve = ROCCurve(labelled: resampledMembers, resampledNonMembers)
      aucs.append(curve.auc)
      for (index, level) in AttackMetrics.fprLevels.enumerated() {
        tprs[index].append(curve.truePositiveRate(atFalsePositiveRate: level))
      }
    }
    #expect(fast.aucInterval == .percentile(of: aucs, confidence: 0.9))
    for (index, level) in AttackMetrics.fprLevels.enumerated() {
      #expect(fast.tprAtFPRIntervals?[AttackMetrics.key(forLevel: level)] == .percentile(of: tprs[index], confidence: 0.9))
    }
  }

  /// `uniformIndex` is uniform: counts over a bound that is not a power of two pass a χ² test
  /// (99.9% quantile of χ² with 6 degrees of freedom is 22.46).
  @Test func uniformIndexIsUniform() {
    var generator = SplitMix64(seed: 17)
    var counts = [Int](repeating: 0, count: 7)
    let draws = 70_000
    for _ in 0..<draws { counts[uniformIndex(below: 7, using: &generator)] += 1 }
    let expected = Double(draws) / 7
    let chiSquare = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
    #expect(chiSquare < 22.46, "χ² = \(chiSquare), counts \(counts)")
    #expect(uniformIndex(below: 1, using: &generator) == 0)
  }

  /// 40 independent Gaussian data sets (100 + 100 records), 200 replicates each, 95% intervals.
  /// A correct interval misses about 5% of the time (a percentile bootstrap at this size somewhat
  /// more); at least 34 covers out of 40 fail with probability < 3% at a true coverage of 93%.
  @Test func bootstrapIntervalCoversTheTrueAUC() {
    var generator = SplitMix64(seed: 2024)
    var covered = 0
    for _ in 0..<40 {
      let scores = gaussianScores(members: 100, nonMembers: 100, shift: Self.shift, using: &generator)
      let interval = AttackMetrics(scores, bootstrapResamples: 200, confidence: 0.95, generator: &generator).aucInterval!
      if interval.lower <= Self.trueAUC && Self.trueAUC <= interval.upper { covered += 1 }
    }
    #expect(covered >= 34, "\(covered) of 40 intervals cover the true AUC \(Self.trueAUC)")
  }

  /// The interval's width falls like 1/√n: four times the records, about half the width (the
  /// test allows up to 0.65 of it; the ratio's own bootstrap noise at 300 replicates is ≈ 5%).
  @Test func bootstrapIntervalShrinksWithTheSampleSize() {
    var generator = SplitMix64(seed: 99)
    func width(_ count: Int) -> Double {
      let scores = gaussianScores(members: count, nonMembers: count, shift: Self.shift, using: &generator)
      let interval = AttackMetrics(scores, bootstrapResamples: 300, confidence: 0.95, generator: &generator).aucInterval!
      #expect(interval.lower <= Self.trueAUC && Self.trueAUC <= interval.upper, "n = \(count): \(interval)")
      return interval.upper - interval.lower
    }
    let small = width(250)
    let large = width(1000)
    #expect(large < 0.65 * small && large > 0.35 * small, "widths \(small) at n = 250, \(large) at n = 1000")
  }

  @Test func percentileIntervalInterpolatesLikeNumPy() {
    // numpy.quantile([1, 2, 3, 4, 5], [0.05, 0.95]) = [1.2, 4.8].
    let interval = ConfidenceInterval.percentile(of: [5, 1, 4, 2, 3], confidence: 0.9)
    #expect(abs(interval.lower - 1.2) < 1e-15 && abs(interval.upper - 4.8) < 1e-15)
  }
}
