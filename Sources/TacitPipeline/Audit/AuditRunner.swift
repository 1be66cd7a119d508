import Foundation
import TacitAudit
import TacitRecipe
import TacitReport
import TacitTensor

/// The attacks of `audit.attacks` scored, measured and turned into ε lower bounds.
///
/// **Multiple comparisons.** Every attack's hypothesis-test bound and the canary bound are each
/// computed at confidence `1 − α/B` for the B bounds reported (Bonferroni), so that the largest
/// of them, the run's `epsilon_lower_bound`, holds at the stated confidence `1 − α`. Within an
/// attack the threshold is chosen on a random half of the records and measured on the other
/// half (`HypothesisTestBound`).
enum AuditRunner {
  /// Scores of each membership attack, in `attacks` order; those that read text are looked up in
  /// `textScores` (`LanguageModelAttacks`).
  static func scores(
    attacks: [AuditSection.Attack], target: ModelView, targetOutputs: ModelOutputs, references: [ReferenceTraining.Reference],
    rmiaA: Double, generator: SeededGenerator, textScores: [AuditSection.Attack: [Double]] = [:]
  ) -> [(AuditSection.Attack, [Double])] {
    let referencePhi = references.map(\.view.logitScaledConfidence)
    let referenceMembership = references.map(\.isMember)
    let referenceProbabilities = references.map(\.view.trueLabelProbabilities)
    let populationReference = references.map(\.view.populationProbabilities)
    return attacks.map { attack in
      switch attack {
      case .loss: return (attack, ThresholdAttack.loss.scores(targetOutputs))
      case .confidence: return (attack, ThresholdAttack.confidence.scores(targetOutputs))
      case .entropy: return (attack, ThresholdAttack.entropy.scores(targetOutputs))
      case .modifiedEntropy: return (attack, ThresholdAttack.modifiedEntropy.scores(targetOutputs))
      case .liraOnline, .liraOffline:
        let lira = attack == .liraOnline ? LiRA.onlineScores : LiRA.offlineScores
        return (attack, lira(target.logitScaledConfidence, referencePhi, referenceMembership, .automatic))
      case .rmiaOffline:
        return (
          attack,
          RMIA.offlineScores(
            targetProbabilities: target.trueLabelProbabilities, referenceProbabilities: referenceProbabilities,
            referenceIsMember: referenceMembership, populationTargetProbabilities: target.populationProbabilities,
            populationReferenceProbabilities: populationReference, a: rmiaA, gamma: 1)
        )
      case .rmiaOnline:
        return (
          attack,
          RMIA.onlineScores(
            targetProbabilities: target.trueLabelProbabilities, referenceProbabilities: referenceProbabilities,
            populationTargetProbabilities: target.populationProbabilities,
            populationReferenceProbabilities: populationReference, gamma: 1)
        )
      case .learned:
        return (attack, learnedScores(target: target, references: references, generator: generator))
      case .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio, .referenceRatio:
        guard let scores = textScores[attack] else {
          preconditionFailure("\(attack.rawValue) reads text; its scores come from LanguageModelAttacks")
        }
        return (attack, scores)
      }
    }
  }

  /// The learned attack (Shokri et al. 2017): an attack classifier trained on the reference
  /// models' features and memberships (at most `learnedTrainingRecords` (record, reference)
  /// pairs, uniformly chosen with split "learned-attack-sample"), scoring the target's features.
  static func learnedScores(target: ModelView, references: [ReferenceTraining.Reference], generator: SeededGenerator)
    -> [Double]
  {
    var features: [[Double]] = []
    var labels: [Bool] = []
    var sampler = generator.split("learned-attack-sample")
    let total = references.count * target.attackFeatures.count
    let keep = Double(min(learnedTrainingRecords, total)) / Double(max(total, 1))
    for reference in references {
      for (record, feature) in reference.view.attackFeatures.enumerated()
      where Double(sampler.next() >> 11) * 0x1p-53 < keep {
        features.append(feature)
        labels.append(reference.isMember[record])
      }
    }
    var trainer = generator.split("learned-attack")
    let classifier = AttackClassifier.train(features: features, isMember: labels, generator: &trainer)
    return classifier.scores(target.attackFeatures)
  }

  /// The learned attack trains on at most this many (record, reference model) pairs.
  static let learnedTrainingRecords = 20_000

  /// Metrics and bounds of each attack's scores.
  static func measure(
    _ scored: [(AuditSection.Attack, [Double])], isMember: [Bool], delta: Double, confidence: Double,
    boundCount: Int, bootstrap: Int, generator: SeededGenerator
  ) throws -> [AttackResult] {
    let perBoundConfidence = 1 - (1 - confidence) / Double(max(boundCount, 1))
    let memberships = try scored.map { try MembershipScores(scores: $0.1, isMember: isMember) }
    // Attacks are measured concurrently; each has its own generators, so the results do not
    // depend on the schedule.
    let results = MeasuredBox(count: scored.count)
    DispatchQueue.concurrentPerform(iterations: scored.count) { position in
      let scores = memberships[position]
      var metricGenerator = generator.split("bootstrap", index: position)
      let metrics =
        bootstrap > 0
        ? AttackMetrics(scores, bootstrapResamples: bootstrap, confidence: confidence, generator: &metricGenerator)
        : AttackMetrics(scores)
      var boundGenerator = generator.split("threshold-half", index: position)
      let epsilon = HypothesisTestBound.epsilonLowerBound(
        scores, delta: delta, confidence: perBoundConfidence, selection: .heldOutHalf, generator: &boundGenerator)
      results.set(
        position,
        AttackResult(
          name: scored[position].0.rawValue, scores: scores, metrics: metrics, epsilon: epsilon, roc: ROCCurve(scores)))
    }
    return results.values()
  }

  /// The one-run canary audit (`OneRunCanaryAudit`: both analyses, the larger the headline) of
  /// canary scores (higher = more likely included): over the Bonferroni grid, or on the
  /// recipe's pre-registered `guessFraction` when it sets one; at `confidence`, the run's
  /// per-bound confidence. The result carries `mechanismChecks` and the paths canaries of `kind`
  /// exercise. Throws `PipelineError` for non-finite scores.
  static func canaryAudit(
    kind: String, scores: [Double], included: [Bool], guessFraction: Double?, delta: Double, confidence: Double,
    mechanismChecks: [MechanismCheck] = []
  ) throws -> CanaryResult {
    let guesses: OneRunCanaryAudit.Guesses =
      guessFraction.map { .fraction($0, canaries: scores.count) } ?? .bonferroniGrid
    let audit: OneRunCanaryAudit
    do {
      audit = try OneRunCanaryAudit(
        scores: scores, included: included, guesses: guesses, delta: delta, confidence: confidence)
    } catch let error as AuditError {
      throw PipelineError("audit.canaries: \(kind) canary scores: \(error.description)")
    }
    return CanaryResult(
      kind: kind, audit: audit, scores: scores, included: included, mechanismChecks: mechanismChecks,
      paths: CanaryResult.paths(kind: kind))
  }
}

/// Measured attacks filled in by concurrent workers, one slot each.
private final class MeasuredBox: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [AttackResult?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ slot: Int, _ result: AttackResult) {
    lock.lock()
    slots[slot] = result
    lock.unlock()
  }

  func values() -> [AttackResult] { slots.map { $0! } }
}
