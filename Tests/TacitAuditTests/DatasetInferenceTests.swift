import Foundation
import Testing

@testable import TacitAudit

/// Dataset inference: Student's t tail and Welch's test against SciPy, the aggregator against a
/// closed form, membership found on shifted scores and the false-positive check on null ones.
@Suite struct DatasetInferenceTests {
  /// (t, ν, P[T_ν ≥ t]) from SciPy 1.17.1 `scipy.stats.t.sf(t, df)`.
  static let studentTails: [(Double, Double, Double)] = [
    (0.0, 5, 0.5),
    (1.5, 3, 0.11529193262241147),
    (-2.0, 7.5, 0.9585515023509168),
    (4.0, 2.2, 0.02436531336388199),
    (10.0, 30, 2.287625704114809e-11),
    (25.0, 100.7, 2.7764487429463928e-45),
    (-0.3, 1.0, 0.5927735790777423),
    (3.2, 1000.0, 0.0007087691521587772),
  ]

  @Test func studentTailMatchesSciPy() {
    for (t, degrees, expected) in Self.studentTails {
      let mine = WelchTTest.studentUpperTail(t, degreesOfFreedom: degrees)
      #expect(abs(mine - expected) <= 1e-12 * expected, "t = \(t), ν = \(degrees): \(mine) vs \(expected)")
    }
  }

  /// SciPy 1.17.1 `ttest_ind(a, b, equal_var=False, alternative="greater")`.
  @Test func welchMatchesSciPy() {
    let test = WelchTTest([1.0, 2.5, 3.0, 4.5, 2.0, 3.5], [0.5, 1.0, 2.0, 0.0, 1.5])
    #expect(abs(test.statistic - 2.87374789539586) < 1e-12)
    #expect(abs(test.degreesOfFreedom - 8.59856708640903) < 1e-10)
    #expect(abs(test.pValue - 0.00961421108437524) < 1e-13)
    let other = WelchTTest([0.1, 0.3, -0.2, 0.05, 0.4, 0.0, 0.2], [0.0, 0.8, -0.9, 1.2, 0.3, -0.5, 0.1, 0.6])
    #expect(abs(other.statistic - -0.30993089226197046) < 1e-12)
    #expect(abs(other.degreesOfFreedom - 8.336002649307373) < 1e-10)
    #expect(abs(other.pValue - 0.6178897247391808) < 1e-12)
    // Cohen's d with the average variance: (m₁ − m₂)/√((s₁² + s₂²)/2).
    let d = (2.75 - 1.0) / ((1.475 + 0.625) / 2).squareRoot()
    #expect(abs(test.effectSize - d) < 1e-12)
  }

  @Test func constantSamples() {
    #expect(WelchTTest([1, 1], [0, 0]).pValue == 0)
    #expect(WelchTTest([1, 1], [1, 1]).pValue == 0.5)
  }

  @Test func aggregatorRecoversALinearRule() {
    // y = 0.5 + 2(x₁ − 1) − (x₂ − 3), exactly: the ridge (tiny) barely moves the fit.
    var generator = SplitMix64(seed: 5)
    let rows = (0..<50).map { _ in
      [generator.normal(mean: 1, standardDeviation: 1), generator.normal(mean: 3, standardDeviation: 2)]
    }
    let labels = rows.map { 0.5 + 2 * ($0[0] - 1) - ($0[1] - 3) }
    let aggregator = LinearAggregator(features: rows, labels: labels, ridge: 1e-12)
    for (row, label) in zip(rows, labels) { #expect(abs(aggregator.predict(row) - label) < 1e-8) }
    // A constant feature gets weight 0.
    let constant = LinearAggregator(features: rows.map { [$0[0], 7] }, labels: labels)
    #expect(constant.weights[1] == 0)
  }

  /// Rows of three scores: two carry a small member shift `shift` (in standard deviations), one is
  /// noise.
  static func rows(_ count: Int, shift: Double, generator: inout SplitMix64) -> [[Double]] {
    (0..<count).map { _ in
      [
        generator.normal(mean: shift, standardDeviation: 1), generator.normal(mean: -shift, standardDeviation: 1),
        generator.normal(),
      ]
    }
  }

  @Test func smallShiftsAddUpOverManyTexts() throws {
    var generator = SplitMix64(seed: 9)
    let suspect = Self.rows(500, shift: 0.25, generator: &generator)
    let control = Self.rows(500, shift: 0, generator: &generator)
    let inference = try DatasetInference(suspect: suspect, control: control, generator: &generator)
    #expect(inference.verdict == .evidenceOfMembership, "p = \(inference.test.pValue)")
    #expect(inference.fitCounts == (250, 250) && inference.testCounts == (250, 250))
    #expect(inference.aggregator.weights[0] > 0 && inference.aggregator.weights[1] < 0)
    let check = try DatasetInference.falsePositiveCheck(control: control, generator: &generator)
    #expect(check.verdict == .noEvidence, "p = \(check.test.pValue)")
  }

  @Test func falsePositiveCheckPassesOnNearlyAllSplits() throws {
    var generator = SplitMix64(seed: 21)
    let control = Self.rows(200, shift: 0, generator: &generator)
    var passes = 0
    for _ in 0..<100 where try DatasetInference.falsePositiveCheck(control: control, generator: &generator).verdict == .noEvidence
    {
      passes += 1
    }
    #expect(passes >= 90, "\(passes) of 100 control splits found no evidence")
  }

  @Test func controlSplitCheckCountsFalsePositivesOverSplits() throws {
    var source = SplitMix64(seed: 22)
    let control = Self.rows(200, shift: 0, generator: &source)
    var generator = SplitMix64(seed: 23), replay = SplitMix64(seed: 23)
    let check = try ControlSplitCheck(control: control, count: 100, generator: &generator)
    // The splits are the single-split checks drawn one after another from the same generator.
    let first = try DatasetInference.falsePositiveCheck(control: control, generator: &replay)
    #expect(check.splits.count == 100 && check.splits[0].test.pValue == first.test.pValue)
    let found = check.splits.filter { $0.test.pValue < DatasetInference.significanceLevel }.count
    #expect(check.falsePositives == found && check.passed == (found <= 10))
    #expect(check.passed, "\(check.falsePositives) of 100 splits found membership")
    #expect(check.smallestPValue == check.splits.map(\.test.pValue).min())
    #expect(ControlSplitCheck.allowedFalsePositives(splits: 1) == 0)
    #expect(ControlSplitCheck.allowedFalsePositives(splits: 9) == 0)
    #expect(ControlSplitCheck.allowedFalsePositives(splits: 10) == 1)
    #expect(ControlSplitCheck.allowedFalsePositives(splits: 100) == 10)
  }

  @Test func sameSeedSameResult() throws {
    var source = SplitMix64(seed: 2)
    let suspect = Self.rows(40, shift: 0.1, generator: &source), control = Self.rows(40, shift: 0, generator: &source)
    var first = SplitMix64(seed: 4), second = SplitMix64(seed: 4)
    let a = try DatasetInference(suspect: suspect, control: control, generator: &first)
    let b = try DatasetInference(suspect: suspect, control: control, generator: &second)
    #expect(a.test == b.test && a.aggregator.weights == b.aggregator.weights)
  }

  @Test func badRowsAreRefused() {
    var generator = SplitMix64(seed: 0)
    let good = [[1.0], [2.0], [3.0], [4.0]]
    #expect(throws: AuditError("dataset inference needs at least 4 suspect texts, got 3")) {
      try DatasetInference(suspect: Array(good.prefix(3)), control: good, generator: &generator)
    }
    #expect(throws: AuditError("control text 2: score 1 is nan, not a finite number")) {
      try DatasetInference(suspect: good, control: [[1], [.nan], [2], [3]], generator: &generator)
    }
    #expect(throws: AuditError("control text 1 has 2 scores, expected 1")) {
      try DatasetInference(suspect: good, control: [[1, 2], [1], [2], [3]], generator: &generator)
    }
  }
}
