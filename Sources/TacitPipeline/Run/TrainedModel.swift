import TacitData
import TacitNN
import TacitReport
import TacitTraining

/// One trained model of a run (target, teacher or student) with its evaluations: what its
/// summary, privacy report and audit need.
struct TrainedModel {
  var model: Sequential
  /// The DP-SGD mechanism it was trained under, `nil` for a non-private model.
  var plan: PrivacyPlan?
  var history: TrainingHistory
  var test: Evaluation
  /// On the records it trained on.
  var train: Evaluation
  /// On the validation records, `nil` when there are none.
  var validation: Evaluation?
  var trainingRecords: Int
  /// Wall-clock seconds of training and evaluation.
  var seconds: Double

  /// Evaluates `model` (inference mode) on `data`'s test and validation records and on
  /// `trainingSet`; `start` is when its training began.
  static func evaluate(
    _ model: Sequential, plan: PrivacyPlan?, history: TrainingHistory, trainingSet: LabeledDataset, data: PreparedData,
    metric: EvaluationMetric = .classification, start: Double
  ) -> TrainedModel {
    TrainedModel(
      model: model, plan: plan, history: history, test: Evaluation.evaluate(model, on: data.test, metric: metric),
      train: Evaluation.evaluate(model, on: trainingSet, metric: metric),
      validation: data.validation.count > 0 ? Evaluation.evaluate(model, on: data.validation, metric: metric) : nil,
      trainingRecords: trainingSet.count, seconds: Clock.seconds() - start)
  }

  /// The run summary of this model.
  func summary(
    name: String, seed: UInt64, threads: Int, seconds: Double, privacy: PrivacyReport?, audit: AuditOutcome?
  ) -> RunSummary {
    RunSummary(
      name: name, seed: seed, threads: threads, test: test, train: train, validation: validation, history: history,
      parameterCount: model.parameterCount, trainingRecords: trainingRecords, seconds: seconds, privacy: privacy,
      audit: audit)
  }
}
