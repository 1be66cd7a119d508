import TacitReport
import TacitTraining

extension LossAndAccuracy {
  /// The figures of an evaluation.
  init(_ evaluation: Evaluation) {
    self.init(
      loss: evaluation.loss, accuracy: evaluation.accuracy, perplexity: evaluation.perplexity,
      bitsPerByte: evaluation.bitsPerByte)
  }
}

extension EpochRecord {
  /// The figures of one trained epoch.
  init(_ metrics: EpochMetrics) {
    self.init(
      epoch: metrics.epoch, learningRate: metrics.learningRate, runningLoss: metrics.runningLoss,
      runningAccuracy: metrics.runningAccuracy, train: metrics.train.map(LossAndAccuracy.init),
      validation: metrics.validation.map(LossAndAccuracy.init), seconds: metrics.seconds, clipNorm: metrics.clipNorm)
    test = metrics.test.map(LossAndAccuracy.init)
  }
}

extension TrainingCurves {
  /// The epochs of a training history.
  init(_ history: TrainingHistory) {
    self.init(epochs: history.epochs.map(EpochRecord.init), finalEpoch: history.finalEpoch, stoppedEarly: history.stoppedEarly)
  }
}

extension EpochLine {
  /// The log line of one trained epoch.
  static func format(_ metrics: EpochMetrics) -> String { format(EpochRecord(metrics)) }
}

extension RunSummary {
  /// The summary of a trained model from its evaluations and training history.
  init(
    name: String, seed: UInt64, threads: Int, test: Evaluation, train: Evaluation, validation: Evaluation?,
    history: TrainingHistory, parameterCount: Int, trainingRecords: Int, seconds: Double, privacy: PrivacyReport?,
    audit: AuditOutcome?
  ) {
    self.init(
      name: name, seed: seed, threads: threads, test: LossAndAccuracy(test), train: LossAndAccuracy(train),
      validation: validation.map(LossAndAccuracy.init), history: TrainingCurves(history), parameterCount: parameterCount,
      trainingRecords: trainingRecords, seconds: seconds, privacy: privacy, audit: audit)
  }

  /// `metrics.json` of a training history.
  static func metricsJSON(_ history: TrainingHistory) -> String { metricsJSON(TrainingCurves(history)) }
}
