import Foundation
import Testing

@testable import TacitAudit

@Suite struct ThresholdAttackTests {
  /// Random moderate logits, `[records, classes]`, N(0, 3²), with random labels.
  static func randomOutputs(records: Int, classes: Int, seed: UInt64) throws -> ModelOutputs {
    var generator = SplitMix64(seed: seed)
    let logits = (0..<(records * classes)).map { _ in generator.normal(mean: 0, standardDeviation: 3) }
    let labels = (0..<records).map { _ in Int.random(in: 0..<classes, using: &generator) }
    return try ModelOutputs(logits: logits, classes: classes, labels: labels)
  }

  /// Naive softmax: exp(z_k) / Σ exp(z_j), fine for moderate logits.
  static func naiveProbabilities(_ outputs: ModelOutputs, record: Int) -> [Double] {
    let row = outputs.logits[(record * outputs.classes)..<((record + 1) * outputs.classes)].map { exp($0) }
    let total = row.reduce(0, +)
    return row.map { $0 / total }
  }

  static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Bool {
    abs(a - b) <= tolerance * max(1, abs(b))
  }

  @Test func scoresEqualNaiveFormulas() throws {
    let outputs = try Self.randomOutputs(records: 200, classes: 7, seed: 1)
    let loss = ThresholdAttack.loss.scores(outputs)
    let confidence = ThresholdAttack.confidence.scores(outputs)
    let entropy = ThresholdAttack.entropy.scores(outputs)
    let modified = ThresholdAttack.modifiedEntropy.scores(outputs)
    let trueProbabilities = outputs.trueLabelProbabilities()
    for record in 0..<outputs.count {
      let p = Self.naiveProbabilities(outputs, record: record)
      let y = outputs.labels[record]
      #expect(Self.close(loss[record], log(p[y])), "record \(record)")
      // The confidence attack thresholds p_y through its log-odds (no rounding of p_y to 1).
      #expect(Self.close(confidence[record], log(p[y] / (1 - p[y]))), "record \(record)")
      #expect(Self.close(trueProbabilities[record], p[y]), "record \(record)")
      #expect(Self.close(entropy[record], p.reduce(0) { $0 + $1 * log($1) }), "record \(record)")
      var mentr = -(1 - p[y]) * log(p[y])
      for k in p.indices where k != y { mentr -= p[k] * log(1 - p[k]) }
      #expect(Self.close(modified[record], -mentr), "record \(record): \(modified[record]) vs \(-mentr)")
      let logProbabilities = outputs.logProbabilities(record: record)
      for k in p.indices { #expect(Self.close(logProbabilities[k], log(p[k]))) }
    }
  }

  @Test func extremeLogitsStayFiniteAndOrdered() throws {
    // Two classes, z = [a, 0], label 0: p_y = σ(a), log p_y = −softplus(−a),
    // Mentr = −2(1 − p_y) log p_y = 2σ(−a)·softplus(−a), −H = −[σ(a)softplus(−a) + σ(−a)softplus(a)].
    let shifts: [Double] = [-1000, -500, -30, -1, 0, 1, 30, 500, 1000]
    let outputs = try ModelOutputs(
      logits: shifts.flatMap { [$0, 0] }, classes: 2, labels: Array(repeating: 0, count: shifts.count))
    func softplus(_ x: Double) -> Double { max(x, 0) + log1p(exp(-abs(x))) }
    func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
    for attack in ThresholdAttack.allCases {
      let scores = attack.scores(outputs)
      #expect(scores.allSatisfy { $0.isFinite }, "\(attack): \(scores)")
      for (index, a) in shifts.enumerated() {
        let expected: Double
        switch attack {
        case .loss: expected = -softplus(-a)
        case .confidence: expected = a  // log(σ(a) / σ(−a))
        case .entropy: expected = -(sigmoid(a) * softplus(-a) + sigmoid(-a) * softplus(a))
        case .modifiedEntropy: expected = -2 * sigmoid(-a) * softplus(-a)
        }
        #expect(
          abs(scores[index] - expected) <= 1e-14 * max(1, abs(expected)), "\(attack) a=\(a): \(scores[index]) vs \(expected)")
      }
      // Loss, confidence and modified entropy rise with the true label's logit.
      for index in 1..<shifts.count where attack != .entropy {
        #expect(scores[index] >= scores[index - 1], "\(attack) not monotone at a=\(shifts[index])")
        if attack == .loss || attack == .confidence || (attack == .modifiedEntropy && shifts[index] <= 30) {
          #expect(scores[index] > scores[index - 1], "\(attack) not strictly increasing at a=\(shifts[index])")
        }
      }
    }
    // log p_y of a well-fitted record keeps its relative accuracy (members are ranked by it).
    let fitted: [Double] = [30, 50, 200, 700]
    let fittedOutputs = try ModelOutputs(
      logits: fitted.flatMap { [$0, 0, -1] }, classes: 3, labels: Array(repeating: 0, count: fitted.count))
    for (index, a) in fitted.enumerated() {
      let expected = -log1p(exp(-a) + exp(-a - 1))
      let loss = ThresholdAttack.loss.scores(fittedOutputs)[index]
      #expect(abs(loss - expected) <= 1e-14 * abs(expected), "a=\(a): \(loss) vs \(expected)")
    }
    // A confident wrong prediction over three classes: z = [1000, −1000, 0], y = 1.
    // log p_y = −2000; Mentr = 2000 (from −(1 − p_y) log p_y) + 1000 (class 0: −1·log(1 − p_0) with
    // log(1 − p_0) = logsumexp(−1000, 0) − 1000 = −1000) + 0 (class 2 underflows).
    let wrong = try ModelOutputs(logits: [1000, -1000, 0], classes: 3, labels: [1])
    #expect(ThresholdAttack.loss.scores(wrong) == [-2000])
    #expect(ThresholdAttack.confidence.scores(wrong) == [-2000])
    #expect(ThresholdAttack.modifiedEntropy.scores(wrong) == [-3000])
    #expect(abs(ThresholdAttack.entropy.scores(wrong)[0]) < 1e-300)
    #expect(LogitScaledConfidence.values(wrong) == [-2000])
  }

  @Test func logitScaledConfidenceIsTheLogOdds() throws {
    let outputs = try Self.randomOutputs(records: 200, classes: 5, seed: 2)
    let values = LogitScaledConfidence.values(outputs)
    for record in 0..<outputs.count {
      let p = Self.naiveProbabilities(outputs, record: record)[outputs.labels[record]]
      // log(p/(1 − p)) loses relative accuracy in 1 − p near p = 1; N(0, 3²) logits keep p ≤ 1 − 1e-8.
      #expect(abs(values[record] - log(p / (1 - p))) < 1e-9 * max(1, abs(values[record])), "record \(record)")
    }
    // Extremes: φ = z_y − logsumexp of the others, exactly representable here.
    let extreme = try ModelOutputs(logits: [1000, -1000, -1000, 1000, 0, 0], classes: 2, labels: [0, 0, 1])
    let phi = LogitScaledConfidence.values(extreme)
    #expect(phi == [2000, -2000, 0])
  }

  @Test func modelOutputsRefusesBadInput() {
    #expect(throws: AuditError.self) { try ModelOutputs(logits: [0, 1], classes: 1, labels: [0, 0]) }
    #expect(throws: AuditError.self) { try ModelOutputs(logits: [0, 1, 2], classes: 2, labels: [0, 0]) }
    #expect(throws: AuditError.self) { try ModelOutputs(logits: [0, .nan], classes: 2, labels: [0]) }
    #expect(throws: AuditError.self) { try ModelOutputs(logits: [0, .infinity], classes: 2, labels: [0]) }
    #expect(throws: AuditError.self) { try ModelOutputs(logits: [0, 1], classes: 2, labels: [2]) }
    #expect(throws: AuditError.self) { try ModelOutputs(logits: [0, 1], classes: 2, labels: [-1]) }
    #expect((try? ModelOutputs(logits: [0, 1, 2, 3], classes: 2, labels: [0, 1]))?.count == 2)
  }

  @Test func rawValuesAreStable() {
    #expect(ThresholdAttack.allCases.map(\.rawValue) == ["loss", "confidence", "entropy", "modified_entropy"])
  }
}
