import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitTensor
import TacitTraining

/// What an attack needs from one model (target or reference) on the audit records.
struct ModelView: Sendable {
  /// LiRA's φ per record and query, `[records][queries]`.
  var logitScaledConfidence: [[Double]]
  /// The true label's softmax probability per record (identity query), `[records]`.
  var trueLabelProbabilities: [Double]
  /// The learned attack's features per record (identity query).
  var attackFeatures: [[Double]]
  /// True-label probabilities on RMIA's population records, `[population]`.
  var populationProbabilities: [Double]
  /// The logits of the identity query, kept for the target only (`keepOutputs`).
  var outputs: ModelOutputs?

  /// Scores `model` on the audit records (every query) and the population.
  static func make(
    _ model: Sequential, records: LabeledDataset, population: LabeledDataset, queries: [AuditSection.Query],
    imageShape: [Int]?, keepOutputs: Bool = false
  ) throws -> ModelView {
    let outputs = try ModelScoring.outputs(of: model, on: records, queries: queries, imageShape: imageShape)
    let phis = outputs.map(LogitScaledConfidence.values)
    let perRecord = (0..<records.count).map { record in phis.map { $0[record] } }
    let populationOutputs = try ModelScoring.outputs(of: model, on: population, queries: [.identity], imageShape: nil)
    return ModelView(
      logitScaledConfidence: perRecord, trueLabelProbabilities: outputs[0].trueLabelProbabilities(),
      attackFeatures: AttackClassifier.features(outputs[0]),
      populationProbabilities: populationOutputs[0].trueLabelProbabilities(), outputs: keepOutputs ? outputs[0] : nil)
  }
}

/// Reference ("shadow") models: trained exactly like the target (same recipe, same noise
/// multiplier and clipping under DP) on uniformly random halves of the audit records, so that
/// each record is IN for about half of them (Carlini et al. 2022; DESIGN.md §5).
///
/// Reference model k uses split ("reference", k) of the audit generator for its half, its
/// initialisation, data order and seeded noise: the same seed gives the same references,
/// whichever machine or process trains them. They run `parallelism` at a time, one BLAS thread
/// each.
enum ReferenceTraining {
  /// One trained reference model's view and membership.
  struct Reference: Sendable {
    var index: Int
    var isMember: [Bool]
    var view: ModelView
  }

  /// Trains references `indices` of the run `context` and returns them in index order; `note`
  /// (called on the calling thread) hears of each model as it finishes.
  static func train(
    indices: [Int], recipe: Recipe, targetPlan: PrivacyPlan?, context: RunContext, populationRecords: LabeledDataset,
    parallelism: Int, note: (String) -> Void = { _ in }
  ) throws -> [Reference] {
    let records = context.population.auditRecords
    let validation = context.data.validation
    let queries = recipe.audit.queries
    let imageShape = recipe.data.imageShape
    let start = Clock.seconds()
    var trained = 0
    return try parallelMap(
      count: indices.count, parallelism: parallelism,
      finished: { slot in
        trained += 1
        note(
          String(
            format: "reference model %d trained (%d of %d, %.0f s since the first started)", indices[slot], trained,
            indices.count, Clock.seconds() - start))
      }
    ) { slot in
      let index = indices[slot]
      let root = context.auditGenerator.split("reference", index: index)
      let (members, isMember) = try membership(root: root, recordCount: records.count)
      let model = try trainModel(
        recipe: recipe, targetPlan: targetPlan, trainingSet: records.subset(indices: members, name: "reference-train"),
        validation: validation, root: root)
      let view = try ModelView.make(
        model, records: records, population: populationRecords, queries: queries, imageShape: imageShape)
      return Reference(index: index, isMember: isMember, view: view)
    }
  }

  /// Reference `root`'s half of `recordCount` audit records (split "membership" of `root`): the
  /// member indices, and each record's membership.
  static func membership(root: SeededGenerator, recordCount: Int) throws -> (members: [Int], isMember: [Bool]) {
    var membershipGenerator = root.split("membership")
    let split = try MembershipSplit.make(
      pool: Array(0..<recordCount), memberCount: recordCount / 2, generator: &membershipGenerator)
    let members = Set(split.members)
    return (split.members, (0..<recordCount).map { members.contains($0) })
  }

  /// One model trained like the target (`recipe`, and under DP-SGD the target's noise
  /// multiplier and clipping with seeded noise: `PrivacyPlan.reference`; with
  /// `data.features.private_norm`, its own seeded release from `trainingSet`) on `trainingSet`,
  /// from `root`.
  /// Validation records matter only to early stopping; they are not evaluated otherwise.
  static func trainModel(
    recipe: Recipe, targetPlan: PrivacyPlan?, trainingSet: LabeledDataset, validation: LabeledDataset?,
    root: SeededGenerator, distillation: Distillation? = nil
  ) throws -> Sequential {
    var referenceRecipe = recipe
    referenceRecipe.training.evaluateTrain = false
    let plan = try targetPlan?.reference(recordCount: trainingSet.count)
    let training = ModelTraining(recipe: referenceRecipe, plan: plan, root: root, distillation: distillation)
    // Its own feature normalisation, released from its own training records with its own noise.
    let release = training.featureNormRelease(on: trainingSet, root: root)
    let model = try training.buildModel(
      inputShape: trainingSet.exampleShape, classCount: trainingSet.classCount, root: root,
      standardization: release?.layer)
    _ = try training.train(
      model, on: trainingSet, validation: recipe.training.earlyStopping == nil ? nil : validation, root: root)
    return model
  }

  /// `body(0..<count)` on `parallelism` concurrent workers, in index order; the first error thrown.
  /// `finished(slot)` runs on the calling thread for each slot that succeeded, within about a
  /// second of it (the caller polls while it waits).
  static func parallelMap<Value: Sendable>(
    count: Int, parallelism: Int, finished: (Int) -> Void = { _ in },
    _ body: @escaping @Sendable (Int) throws -> Value
  ) throws -> [Value] {
    let results = ResultBox<Value>(count: count)
    let work: @Sendable (Int) -> Void = { slot in results.set(slot, Result { try body(slot) }) }
    let workers = max(1, min(parallelism, count))
    if workers == 1 {
      for slot in 0..<count {
        work(slot)
        for done in results.takeFinished() { finished(done) }
      }
    } else {
      let next = Counter()
      let group = DispatchGroup()
      for _ in 0..<workers {
        DispatchQueue.global().async(group: group) {
          while let slot = next.take(below: count) { work(slot) }
        }
      }
      while group.wait(timeout: .now() + 1) == .timedOut {
        for done in results.takeFinished() { finished(done) }
      }
      for done in results.takeFinished() { finished(done) }
    }
    return try results.values()
  }
}

/// Results filled in by concurrent workers, one slot each.
private final class ResultBox<Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Result<Value, any Error>?]
  private var succeeded: [Int] = []

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ slot: Int, _ result: Result<Value, any Error>) {
    lock.lock()
    slots[slot] = result
    if case .success = result { succeeded.append(slot) }
    lock.unlock()
  }

  /// The slots that succeeded since the last call, in the order they did.
  func takeFinished() -> [Int] {
    lock.lock()
    defer {
      succeeded = []
      lock.unlock()
    }
    return succeeded
  }

  func values() throws -> [Value] {
    try slots.map { try $0!.get() }
  }
}

/// Hands out 0, 1, 2, … to concurrent workers.
private final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var value = 0

  func take(below limit: Int) -> Int? {
    lock.lock()
    defer { lock.unlock() }
    guard value < limit else { return nil }
    value += 1
    return value - 1
  }
}
