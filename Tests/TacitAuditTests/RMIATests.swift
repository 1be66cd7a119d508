import Foundation
import Testing

@testable import TacitAudit

/// The definition, O(n·m): the fraction of z with [p_x/P_x] / [p_z/P_z] > γ.
private func bruteForce(
  target: [Double], marginals: [Double], populationTarget: [Double], populationMarginals: [Double], gamma: Double
) -> [Double] {
  target.indices.map { record in
    let ratio = target[record] / marginals[record]
    let count = populationTarget.indices.filter { ratio / (populationTarget[$0] / populationMarginals[$0]) > gamma }.count
    return Double(count) / Double(populationTarget.count)
  }
}

/// Column means of `[models][records]` in model order (the same summation order as the library,
/// so the brute force sees bit-identical ratios).
private func columnMeans(_ rows: [[Double]], where include: (Int, Int) -> Bool = { _, _ in true }) -> [Double] {
  (0..<rows[0].count).map { record in
    var sum = 0.0
    var count = 0
    for model in rows.indices where include(model, record) {
      sum += rows[model][record]
      count += 1
    }
    return sum / Double(count)
  }
}

private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

@Suite struct RMIATests {
  /// Probabilities on a coarse dyadic grid (multiples of 1/8, some 0), so ratios tie and land
  /// exactly on γ.
  static func gridData(records: Int, population: Int, models: Int, seed: UInt64)
    -> (target: [Double], reference: [[Double]], isMember: [[Bool]], populationTarget: [Double], populationReference: [[Double]])
  {
    var generator = SplitMix64(seed: seed)
    func draw(_ allowZero: Bool) -> Double { Double(Int.random(in: (allowZero ? 0 : 1)...8, using: &generator)) / 8 }
    let target = (0..<records).map { _ in draw(true) }
    let reference = (0..<models).map { _ in (0..<records).map { _ in draw(false) } }
    var isMember = (0..<models).map { _ in (0..<records).map { _ in Bool.random(using: &generator) } }
    for record in 0..<records { isMember[record % models][record] = false }  // every record has an OUT model
    let populationTarget = (0..<population).map { _ in draw(true) }
    let populationReference = (0..<models).map { _ in (0..<population).map { _ in draw(false) } }
    return (target, reference, isMember, populationTarget, populationReference)
  }

  @Test func fastEqualsBruteForceWithTies() {
    let data = Self.gridData(records: 300, population: 257, models: 4, seed: 21)
    let populationMarginals = columnMeans(data.populationReference)
    for gamma in [0.5, 1, 2] {
      let online = RMIA.onlineScores(
        targetProbabilities: data.target, referenceProbabilities: data.reference,
        populationTargetProbabilities: data.populationTarget, populationReferenceProbabilities: data.populationReference,
        gamma: gamma)
      let expectedOnline = bruteForce(
        target: data.target, marginals: columnMeans(data.reference), populationTarget: data.populationTarget,
        populationMarginals: populationMarginals, gamma: gamma)
      #expect(online == expectedOnline, "online γ=\(gamma)")
      let outMeans = columnMeans(data.reference) { !data.isMember[$0][$1] }
      for a in [0, 0.3, 1] {
        let offline = RMIA.offlineScores(
          targetProbabilities: data.target, referenceProbabilities: data.reference, referenceIsMember: data.isMember,
          populationTargetProbabilities: data.populationTarget,
          populationReferenceProbabilities: data.populationReference, a: a, gamma: gamma)
        // a = 1 reduces Pr(x) to the OUT mean exactly ((1 + 1)/2 = 1, (1 − 1)/2 = 0).
        let marginals = outMeans.map { (1 + a) / 2 * $0 + (1 - a) / 2 }
        if a == 1 { #expect(marginals == outMeans) }
        let expected = bruteForce(
          target: data.target, marginals: marginals, populationTarget: data.populationTarget,
          populationMarginals: populationMarginals, gamma: gamma)
        #expect(offline == expected, "offline a=\(a) γ=\(gamma)")
      }
      #expect(Set(online).count < online.count / 3, "the grid should produce many ties")
    }
  }

  /// 2 reference models; model 0 is OUT for both records, model 1 IN for record 0 only.
  /// Population ratios p_z/P_z = [0.5, 1, 2, 4].
  @Test func handComputedExample() {
    let reference: [[Double]] = [[0.2, 0.5], [0.6, 0.3]]
    let isMember: [[Bool]] = [[false, false], [true, false]]
    let populationTarget = [0.1, 0.2, 0.4, 0.8]
    let populationReference: [[Double]] = [[0.1, 0.1, 0.1, 0.1], [0.3, 0.3, 0.3, 0.3]]
    func offline(a: Double, gamma: Double) -> [Double] {
      RMIA.offlineScores(
        targetProbabilities: [0.4, 0.4], referenceProbabilities: reference, referenceIsMember: isMember,
        populationTargetProbabilities: populationTarget, populationReferenceProbabilities: populationReference, a: a,
        gamma: gamma)
    }
    // a = 1: P(x) = [0.2, 0.4], ratios [2, 1]: z with r_z < 2 → ½; r_z < 1 → ¼.
    #expect(offline(a: 1, gamma: 1) == [0.5, 0.25])
    // γ = 2: r_z < 1 → ¼; r_z < ½ → 0.
    #expect(offline(a: 1, gamma: 2) == [0.25, 0])
    // a = 0: P(x) = [0.6, 0.7], ratios [2/3, 4/7]: only r_z = ½ lies below.
    #expect(offline(a: 0, gamma: 1) == [0.25, 0.25])
    // Online: P(x) = [0.4, 0.4], ratios [1, 1].
    let online = RMIA.onlineScores(
      targetProbabilities: [0.4, 0.4], referenceProbabilities: reference,
      populationTargetProbabilities: populationTarget, populationReferenceProbabilities: populationReference, gamma: 1)
    #expect(online == [0.25, 0.25])
  }

  @Test func scoresFallAsGammaRises() {
    let data = Self.gridData(records: 200, population: 100, models: 6, seed: 22)
    var previousOnline = [Double](repeating: 1, count: 200)
    var previousOffline = previousOnline
    for gamma in [0.125, 0.25, 0.5, 1, 2, 4, 8] {
      let online = RMIA.onlineScores(
        targetProbabilities: data.target, referenceProbabilities: data.reference,
        populationTargetProbabilities: data.populationTarget, populationReferenceProbabilities: data.populationReference,
        gamma: gamma)
      let offline = RMIA.offlineScores(
        targetProbabilities: data.target, referenceProbabilities: data.reference, referenceIsMember: data.isMember,
        populationTargetProbabilities: data.populationTarget, populationReferenceProbabilities: data.populationReference,
        a: 0.3, gamma: gamma)
      #expect(zip(online, previousOnline).allSatisfy { $0 <= $1 }, "online γ=\(gamma)")
      #expect(zip(offline, previousOffline).allSatisfy { $0 <= $1 }, "offline γ=\(gamma)")
      #expect(online.allSatisfy { $0 >= 0 && $0 <= 1 })
      previousOnline = online
      previousOffline = offline
    }
    #expect(previousOnline.reduce(0, +) < 200 * 0.2, "γ = 8 should leave few dominated records")
  }

  /// Records of varying difficulty d_i ~ N(0, 1.5²); a model's true-label probability is
  /// σ(d_i + 1·[trained on it] + N(0, 0.5²)). Members gain 1 logit over what the references predict.
  static func syntheticPopulation(seed: UInt64)
    -> (
      target: [Double], isMember: [Bool], reference: [[Double]], referenceIsMember: [[Bool]], populationTarget: [Double],
      populationReference: [[Double]]
    )
  {
    var generator = SplitMix64(seed: seed)
    let records = 1000
    let population = 500
    let models = 8
    let difficulty = (0..<(records + population)).map { _ in generator.normal(mean: 0, standardDeviation: 1.5) }
    func probability(_ record: Int, member: Bool) -> Double {
      sigmoid(difficulty[record] + (member ? 1 : 0) + generator.normal(mean: 0, standardDeviation: 0.5))
    }
    let isMember = (0..<records).map { _ in Bool.random(using: &generator) }
    var referenceIsMember = (0..<models).map { _ in (0..<records).map { _ in Bool.random(using: &generator) } }
    for record in 0..<records { referenceIsMember[record % models][record] = false }  // offline needs an OUT model
    let target = (0..<records).map { probability($0, member: isMember[$0]) }
    let reference = referenceIsMember.map { row in (0..<records).map { probability($0, member: row[$0]) } }
    let populationTarget = (0..<population).map { probability(records + $0, member: false) }
    let populationReference = (0..<models).map { _ in (0..<population).map { probability(records + $0, member: false) } }
    return (target, isMember, reference, referenceIsMember, populationTarget, populationReference)
  }

  @Test func detectsMembersOnSyntheticData() {
    let data = Self.syntheticPopulation(seed: 23)
    let online = RMIA.onlineScores(
      targetProbabilities: data.target, referenceProbabilities: data.reference,
      populationTargetProbabilities: data.populationTarget, populationReferenceProbabilities: data.populationReference,
      gamma: 1)
    let offline = RMIA.offlineScores(
      targetProbabilities: data.target, referenceProbabilities: data.reference, referenceIsMember: data.referenceIsMember,
      populationTargetProbabilities: data.populationTarget, populationReferenceProbabilities: data.populationReference,
      a: 0.3, gamma: 1)
    let onlineAUC = testAUC(scores: online, isMember: data.isMember)
    let offlineAUC = testAUC(scores: offline, isMember: data.isMember)
    let confidenceAUC = testAUC(scores: data.target, isMember: data.isMember)
    // AUC standard error with 500 + 500 records ≈ 0.016; measured: online 0.865, offline (a = 0.3)
    // 0.771, raw confidence 0.660.
    #expect(onlineAUC > 0.72, "online AUC \(onlineAUC)")
    #expect(offlineAUC > 0.72, "offline AUC \(offlineAUC)")
    #expect(onlineAUC > confidenceAUC + 0.08, "online \(onlineAUC) vs confidence \(confidenceAUC)")
  }

  @Test func scalingTargetProbabilitiesChangesNothing() {
    let data = Self.syntheticPopulation(seed: 24)
    func scores(_ scale: Double) -> ([Double], [Double]) {
      let target = data.target.map { $0 * scale }
      let populationTarget = data.populationTarget.map { $0 * scale }
      let online = RMIA.onlineScores(
        targetProbabilities: target, referenceProbabilities: data.reference,
        populationTargetProbabilities: populationTarget, populationReferenceProbabilities: data.populationReference,
        gamma: 1.5)
      let offline = RMIA.offlineScores(
        targetProbabilities: target, referenceProbabilities: data.reference,
        referenceIsMember: data.referenceIsMember, populationTargetProbabilities: populationTarget,
        populationReferenceProbabilities: data.populationReference, a: 0.5, gamma: 1.5)
      return (online, offline)
    }
    let base = scores(1)
    for scale in [0.5, 0.37, 0.9] {
      let scaled = scores(scale)
      #expect(scaled.0 == base.0, "online ×\(scale)")
      #expect(scaled.1 == base.1, "offline ×\(scale)")
    }
    // Scaling the reference models instead does change them (the test can fail).
    #expect(
      scores(1).0
        != RMIA.onlineScores(
          targetProbabilities: data.target, referenceProbabilities: data.reference.map { $0.map { $0 * 0.5 } },
          populationTargetProbabilities: data.populationTarget, populationReferenceProbabilities: data.populationReference,
          gamma: 1.5))
  }

  /// A record every reference model trained on has no OUT model: offline RMIA uses the mean over
  /// all models for its Pr(x), which with a = 1 makes its score the online one.
  @Test func recordWithoutOutModelFallsBackToAllModels() {
    let target = [0.9, 0.4]
    let reference = [[0.8, 0.5], [0.6, 0.3]]
    let isMember = [[true, false], [true, true]]  // record 0 is IN for both models
    let populationTarget = [0.5, 0.7, 0.2]
    let populationReference = [[0.5, 0.6, 0.3], [0.4, 0.8, 0.2]]
    let offline = RMIA.offlineScores(
      targetProbabilities: target, referenceProbabilities: reference, referenceIsMember: isMember,
      populationTargetProbabilities: populationTarget, populationReferenceProbabilities: populationReference, a: 1,
      gamma: 1)
    let online = RMIA.onlineScores(
      targetProbabilities: target, referenceProbabilities: reference, populationTargetProbabilities: populationTarget,
      populationReferenceProbabilities: populationReference, gamma: 1)
    #expect(offline[0] == online[0])
    // Record 1 has one OUT model (the first): Pr(x) = 0.5, ratio 0.8; population ratios are
    // 0.5/0.45, 0.7/0.7, 0.2/0.25 = 1.11, 1, 0.8: none is below 0.8, so its score is 0.
    #expect(offline[1] == 0)
  }
}
