import Foundation
import TacitMath
import Testing

@testable import TacitAudit

/// Synthetic LiRA populations: record i's φ is N(μ_out,i, s²) under a model not trained on it and
/// N(μ_out,i + Δ, s²) under one trained on it, with μ_out,i ~ N(0, spread²).
struct SyntheticLiRA {
  var outMeans: [Double]
  var shift: Double
  var standardDeviation: Double
  var reference: [[[Double]]]
  var referenceIsMember: [[Bool]]

  init(
    records: Int, models: Int, queries: Int, shift: Double, standardDeviation: Double, spread: Double,
    generator: inout SplitMix64
  ) {
    self.shift = shift
    self.standardDeviation = standardDeviation
    let outMeans = (0..<records).map { _ in generator.normal(mean: 0, standardDeviation: spread) }
    self.outMeans = outMeans
    referenceIsMember = (0..<models).map { _ in (0..<records).map { _ in Bool.random(using: &generator) } }
    reference = referenceIsMember.map { isMember in
      (0..<records).map { record in
        (0..<queries).map { _ in
          generator.normal(mean: outMeans[record] + (isMember[record] ? shift : 0), standardDeviation: standardDeviation)
        }
      }
    }
  }

  func inMean(_ record: Int) -> Double { outMeans[record] + shift }
}

/// log N(x; μ, v), written out independently of the library.
private func logNormal(_ x: Double, mean: Double, variance: Double) -> Double {
  -0.5 * (x - mean) * (x - mean) / variance - 0.5 * log(2 * Double.pi * variance)
}

/// −log(1 − Φ(z)) for moderate z, from erfc.
private func negativeLogSurvival(_ z: Double) -> Double {
  -log(0.5 * erfc(z / 2.0.squareRoot()))
}

@Suite struct LiRATests {
  @Test func logSurvivalMatchesScipy() {
    // scipy 1.17.1, independent of this code: `python -c "from scipy.stats import norm;
    // [print(z, repr(norm.logsf(z))) for z in (-40, -5, -1, -0.5, 0, 0.5, 1, 3, 5, 10, 20, 30, 36.9, 37,
    // 38, 40, 100, 1000)]"`.
    let cases: [(Double, Double)] = [
      (-40, -0.0), (-5, -2.8665161296376294e-07), (-1, -0.1727537790234499), (-0.5, -0.36894641528865635),
      (0, -0.6931471805599453), (0.5, -1.1759117615936188), (1, -1.8410216450092634), (3, -6.60772622151035),
      (5, -15.064998393988727), (10, -53.23128515051248), (20, -203.9171553710973), (30, -454.32124395634327),
      (36.9, -685.3328831653507), (37, -689.0305855768908), (38, -726.5572160188201), (40, -804.6084420137539),
      (100, -5005.524208694205), (1000, -500007.8266948122),
    ]
    for (z, expected) in cases {
      let value = StandardNormal.logSurvival(z)
      #expect(abs(value - expected) <= 1e-14 * max(abs(expected), 1e-300), "z=\(z): \(value) vs \(expected)")
    }
    #expect(StandardNormal.logSurvival(-1e300) == 0)
    #expect(StandardNormal.logSurvival(1e150).isFinite)
  }

  /// 4 reference models, 3 records, 1 query; record 2 is OUT for every model. Hand-computed fits:
  /// record 0: IN {1, 3} (μ 2, s² 2), OUT {−1, 1} (μ 0, s² 2); record 1: IN {0, 4} (μ 2, s² 8),
  /// OUT {−3, 1} (μ −1, s² 8); record 2: OUT {0, 1, 2, 5} (μ 2, s² 14/3), no IN.
  /// Pooled IN s² = (2 + 8)/2 = 5; pooled OUT s² = (2 + 8 + 14)/5 = 4.8; IN−OUT shift (2 + 3)/2 = 2.5,
  /// so record 2's fallback IN mean is 2 + 2.5 = 4.5.
  static let handReference: [[[Double]]] = [[[1], [0], [0]], [[3], [-3], [1]], [[-1], [4], [2]], [[1], [1], [5]]]
  static let handIsMember: [[Bool]] = [
    [true, true, false], [true, false, false], [false, true, false], [false, false, false],
  ]
  static let handTarget: [[Double]] = [[1.5], [0.5], [3]]

  @Test func handComputedGlobalAndPerRecordVariance() {
    let global = LiRA.onlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: Self.handIsMember, variance: .global)
    let perRecord = LiRA.onlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: Self.handIsMember,
      variance: .perRecord)
    let automatic = LiRA.onlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: Self.handIsMember,
      variance: .automatic)
    let inParameters: [(Double, Double)] = [(2, 2), (2, 8), (4.5, 5)]
    let outParameters: [(Double, Double)] = [(0, 2), (-1, 8), (2, 14.0 / 3)]
    for record in 0..<3 {
      let phi = Self.handTarget[record][0]
      let expectedGlobal =
        logNormal(phi, mean: inParameters[record].0, variance: 5) - logNormal(phi, mean: outParameters[record].0, variance: 4.8)
      let expectedPerRecord =
        logNormal(phi, mean: inParameters[record].0, variance: inParameters[record].1)
        - logNormal(phi, mean: outParameters[record].0, variance: outParameters[record].1)
      #expect(abs(global[record] - expectedGlobal) < 1e-13, "record \(record): \(global[record]) vs \(expectedGlobal)")
      #expect(abs(perRecord[record] - expectedPerRecord) < 1e-13, "record \(record)")
      #expect(automatic[record] == global[record], "4 models < 64: automatic is global")
    }
    let offlineGlobal = LiRA.offlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: Self.handIsMember, variance: .global)
    let offlinePerRecord = LiRA.offlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: Self.handIsMember,
      variance: .perRecord)
    for record in 0..<3 {
      let phi = Self.handTarget[record][0]
      let (mean, variance) = outParameters[record]
      let expectedGlobal = negativeLogSurvival((phi - mean) / 4.8.squareRoot())
      #expect(abs(offlineGlobal[record] - expectedGlobal) < 1e-13, "record \(record)")
      #expect(abs(offlinePerRecord[record] - negativeLogSurvival((phi - mean) / variance.squareRoot())) < 1e-13)
    }
  }

  /// Swapping IN and OUT for every model moves record 2 to "no OUT model": online scores negate
  /// (under global variance both fallbacks mirror each other), and offline uses μ_out = μ_in − shift
  /// with the B-side OUT pooled variance (A's IN: 5): record 2's μ_out = 2 + 2.5 = 4.5.
  @Test func missingSideFallbacks() {
    let flipped = Self.handIsMember.map { $0.map { !$0 } }
    let original = LiRA.onlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: Self.handIsMember, variance: .global)
    let mirrored = LiRA.onlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: flipped, variance: .global)
    for record in 0..<3 { #expect(abs(original[record] + mirrored[record]) < 1e-13, "record \(record)") }
    let offline = LiRA.offlineScores(
      target: Self.handTarget, reference: Self.handReference, referenceIsMember: flipped, variance: .perRecord)
    #expect(abs(offline[2] - negativeLogSurvival((3 - 4.5) / 5.0.squareRoot())) < 1e-13, "\(offline[2])")
    #expect(abs(offline[0] - negativeLogSurvival((1.5 - 2) / 2.0.squareRoot())) < 1e-13)
  }

  @Test func identicalReferenceValuesUseTheFloor() {
    // Every φ identical: σ = 0 on both sides → the 1e-6 floor, scores finite.
    let reference: [[[Double]]] = [[[1]], [[1]], [[3]], [[3]]]
    let isMember: [[Bool]] = [[true], [true], [false], [false]]
    let online = LiRA.onlineScores(target: [[1.5]], reference: reference, referenceIsMember: isMember, variance: .global)
    let floor = LiRA.minimumStandardDeviation
    let expected = (pow(1.5 - 3, 2) - pow(1.5 - 1, 2)) / (2 * floor * floor)
    #expect(abs(online[0] - expected) < 1e-9 * expected, "\(online[0]) vs \(expected)")
    let offline = LiRA.offlineScores(target: [[3]], reference: reference, referenceIsMember: isMember, variance: .global)
    #expect(abs(offline[0] - log(2)) < 1e-15)
  }

  @Test func onlineScoreIsTheAnalyticRatioWithinSamplingError() {
    var generator = SplitMix64(seed: 11)
    let data = SyntheticLiRA(
      records: 200, models: 256, queries: 1, shift: 2, standardDeviation: 1, spread: 2, generator: &generator)
    let target = (0..<200).map { [data.outMeans[$0] + generator.normal(mean: 1, standardDeviation: 1.5)] }
    let scores = LiRA.onlineScores(
      target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: .global)
    var sumOfSquaredStandardErrors = 0.0
    for record in 0..<200 {
      let phi = target[record][0]
      let analytic =
        logNormal(phi, mean: data.inMean(record), variance: 1) - logNormal(phi, mean: data.outMeans[record], variance: 1)
      let inCount = Double(data.referenceIsMember.filter { $0[record] }.count)
      let outCount = 256 - inCount
      // δΛ ≈ (φ − μ_in)·δμ_in − (φ − μ_out)·δμ_out with δμ ~ N(0, s²/n), plus the pooled σ's error
      // (≈ 25 000 degrees of freedom per side: relative sd of σ² ≈ 0.009).
      let inDeviation = phi - data.inMean(record)
      let outDeviation = phi - data.outMeans[record]
      let meanError = (inDeviation * inDeviation / inCount + outDeviation * outDeviation / outCount).squareRoot()
      let varianceError = 0.009 * (1 + (inDeviation * inDeviation + outDeviation * outDeviation) / 2)
      let error = scores[record] - analytic
      #expect(abs(error) < 5 * meanError + 5 * varianceError, "record \(record): \(scores[record]) vs \(analytic)")
      sumOfSquaredStandardErrors += error * error / (meanError * meanError)
    }
    // The errors are as large as the sampling theory says, not larger (a bias or a wrong factor
    // would inflate this; the sample mean's error alone gives ≈ 1).
    let rootMeanSquare = (sumOfSquaredStandardErrors / 200).squareRoot()
    #expect(rootMeanSquare > 0.7 && rootMeanSquare < 1.3, "rms standardised error \(rootMeanSquare)")
  }

  @Test func offlineScoreIsTheAnalyticTailWithinSamplingError() {
    var generator = SplitMix64(seed: 12)
    let data = SyntheticLiRA(
      records: 200, models: 128, queries: 1, shift: 2, standardDeviation: 0.5, spread: 2, generator: &generator)
    let target = (0..<200).map { [data.outMeans[$0] + generator.normal(mean: 0.5, standardDeviation: 0.5)] }
    for variance in [LiRA.Variance.global, .perRecord] {
      let scores = LiRA.offlineScores(
        target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: variance)
      for record in 0..<200 {
        let z = (target[record][0] - data.outMeans[record]) / 0.5
        let analytic = negativeLogSurvival(z)
        // d(−log S)/dz is the hazard h(z) = φ(z)/S(z); δz ≈ δμ/s + z·δσ/σ with δμ/s ~ N(0, 1/n),
        // δσ/σ ~ N(0, 1/(2n)) per record (n ≈ 64) or ≈ 0 pooled.
        let hazard = exp(-z * z / 2) / (2 * Double.pi).squareRoot() / exp(-analytic)
        let outCount = Double(data.referenceIsMember.filter { !$0[record] }.count)
        let spread = (1 / outCount + (variance == .global ? 0 : z * z / (2 * outCount))).squareRoot()
        #expect(
          abs(scores[record] - analytic) < 5 * hazard * spread + 0.02 * hazard * abs(z) + 1e-9,
          "\(variance) record \(record): \(scores[record]) vs \(analytic)")
      }
    }
  }

  @Test func attackPowerApproachesBayesOptimal() {
    // Every record has the same IN−OUT shift Δ = 1 and s = 1, so the Bayes-optimal test is a
    // threshold on φ − (μ_in + μ_out)/2 and its AUC is Φ(Δ/(s√2)) = 0.7602. Record means vary
    // (spread 3), so a threshold on raw φ is much weaker.
    var generator = SplitMix64(seed: 13)
    let records = 2000
    let data = SyntheticLiRA(
      records: records, models: 64, queries: 1, shift: 1, standardDeviation: 1, spread: 3, generator: &generator)
    let isMember = (0..<records).map { _ in Bool.random(using: &generator) }
    let target = (0..<records).map {
      [generator.normal(mean: isMember[$0] ? data.inMean($0) : data.outMeans[$0], standardDeviation: 1)]
    }
    let bayes = standardNormalCDF(1 / 2.0.squareRoot())
    let oracle = testAUC(scores: (0..<records).map { target[$0][0] - data.outMeans[$0] }, isMember: isMember)
    // AUC standard error with 1000 + 1000 records ≈ 0.011.
    #expect(abs(oracle - bayes) < 0.035, "oracle AUC \(oracle) vs Bayes \(bayes)")
    for variance in [LiRA.Variance.global, .perRecord] {
      let online = testAUC(
        scores: LiRA.onlineScores(
          target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: variance),
        isMember: isMember)
      let offline = testAUC(
        scores: LiRA.offlineScores(
          target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: variance),
        isMember: isMember)
      // Estimated means (≈ 32 models a side) cost a little power; never more than the oracle by chance.
      #expect(online > oracle - 0.03 && online < oracle + 0.01, "\(variance) online AUC \(online), oracle \(oracle)")
      #expect(offline > oracle - 0.03 && offline < oracle + 0.01, "\(variance) offline AUC \(offline), oracle \(oracle)")
    }
    let raw = testAUC(scores: target.map { $0[0] }, isMember: isMember)
    #expect(raw < 0.6, "raw φ AUC \(raw)")
  }

  @Test func queriesAreAveraged() {
    var generator = SplitMix64(seed: 14)
    let data = SyntheticLiRA(
      records: 50, models: 70, queries: 2, shift: 1.5, standardDeviation: 1, spread: 1, generator: &generator)
    let target = (0..<50).map { _ in [generator.normal(), generator.normal()] }
    func query(_ q: Int) -> ([[Double]], [[[Double]]]) {
      (target.map { [$0[q]] }, data.reference.map { $0.map { [$0[q]] } })
    }
    let (target0, reference0) = query(0)
    let (target1, reference1) = query(1)
    for variance in [LiRA.Variance.global, .perRecord, .automatic] {
      let both = LiRA.onlineScores(
        target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: variance)
      let first = LiRA.onlineScores(
        target: target0, reference: reference0, referenceIsMember: data.referenceIsMember, variance: variance)
      let second = LiRA.onlineScores(
        target: target1, reference: reference1, referenceIsMember: data.referenceIsMember, variance: variance)
      let offlineBoth = LiRA.offlineScores(
        target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: variance)
      let offlineFirst = LiRA.offlineScores(
        target: target0, reference: reference0, referenceIsMember: data.referenceIsMember, variance: variance)
      let offlineSecond = LiRA.offlineScores(
        target: target1, reference: reference1, referenceIsMember: data.referenceIsMember, variance: variance)
      for record in 0..<50 {
        #expect(abs(both[record] - (first[record] + second[record]) / 2) < 1e-12, "\(variance) record \(record)")
        #expect(abs(offlineBoth[record] - (offlineFirst[record] + offlineSecond[record]) / 2) < 1e-12)
      }
    }
    // 70 ≥ 64 models: automatic is per record; with 63 it is global.
    let automatic = LiRA.onlineScores(
      target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: .automatic)
    let perRecord = LiRA.onlineScores(
      target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: .perRecord)
    #expect(automatic == perRecord)
    let fewer = Array(data.reference.prefix(63))
    let fewerMembers = Array(data.referenceIsMember.prefix(63))
    #expect(
      LiRA.onlineScores(target: target, reference: fewer, referenceIsMember: fewerMembers, variance: .automatic)
        == LiRA.onlineScores(target: target, reference: fewer, referenceIsMember: fewerMembers, variance: .global))
    #expect(
      automatic
        != LiRA.onlineScores(
          target: target, reference: data.reference, referenceIsMember: data.referenceIsMember, variance: .global))
  }
}
