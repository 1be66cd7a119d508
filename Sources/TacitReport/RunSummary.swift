/// The numbers of a run: what `summary.json`, `metrics.json`, the terminal table and the HTML
/// report show (`RunSummary+Rendering.swift`).
///
/// Plain figures; the pipeline builds it from its training history and evaluations
/// (`RunSummary+Training.swift` in TacitPipeline).
public struct RunSummary {
  public var name: String
  public var seed: UInt64
  public var threads: Int
  public var test: LossAndAccuracy
  public var train: LossAndAccuracy
  public var validation: LossAndAccuracy?
  public var history: TrainingCurves
  public var parameterCount: Int
  public var trainingRecords: Int
  public var seconds: Double
  /// What a private run claims; `nil` for a non-private run.
  public var privacy: PrivacyReport?
  /// The audit after training; `nil` when the recipe turns it off.
  public var audit: AuditOutcome?
  /// A language model's compressor baselines on the same test text, bits per byte by compressor
  /// (`xz -9e`, `zlib -9`); empty for a classifier.
  public var compressorBitsPerByte: [(compressor: String, bitsPerByte: Double)] = []

  public init(
    name: String, seed: UInt64, threads: Int, test: LossAndAccuracy, train: LossAndAccuracy,
    validation: LossAndAccuracy?, history: TrainingCurves, parameterCount: Int, trainingRecords: Int, seconds: Double,
    privacy: PrivacyReport?, audit: AuditOutcome?
  ) {
    self.name = name
    self.seed = seed
    self.threads = threads
    self.test = test
    self.train = train
    self.validation = validation
    self.history = history
    self.parameterCount = parameterCount
    self.trainingRecords = trainingRecords
    self.seconds = seconds
    self.privacy = privacy
    self.audit = audit
  }

  /// Seconds spent in the training steps, summed over epochs.
  public var trainingSeconds: Double { history.epochs.reduce(0) { $0 + $1.seconds } }
}
