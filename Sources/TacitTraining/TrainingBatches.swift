import TacitData
import TacitTensor

/// Draws each training step's batch for `Trainer`: the records (a slice of the epoch's shuffled
/// order, or a Poisson sample from the step's noise source), their K consecutive copies under
/// augmentation multiplicity, gathered and augmented.
///
/// Windowed text records (features `[N, K, T]` under the next-token metric, `TokenWindows`) are
/// drawn as records, by the same sampler at the same rate, and become their windows' rows, a
/// part per window count (`UnitRows`, each record its own unit), with the grouping the step
/// clips by (`RecordRows`): a record of W windows costs W rows, whatever else the batch holds.
///
/// With privacy units (`TrainerConfiguration.units`, token records under DP-SGD only) the
/// sampler draws units, U of them at q = E/U, and a batch is the drawn units' rows in parts of
/// equal row counts (`UnitRows`).
///
/// With gradient canaries (`GradientCanaries`), the m_in IN canaries are records N, …, N + m_in − 1
/// of the Poisson sampler's pool: drawn by the same sampler at the same rate as the N data
/// records, and handed to the step apart (they have no features).
struct TrainingBatches {
  let dataset: LabeledDataset
  let sampling: BatchSampling
  let batchSize: Int
  /// K, the copies of each record (`DPSGDSettings.augmentationMultiplicity`; 1 otherwise).
  let multiplicity: Int
  let augmentation: Augmentation?
  /// Whether every record is a group of token windows (`TokenWindows`): features `[N, K, T]`.
  let windowed: Bool
  /// The privacy units the sampler draws (`PrivacyUnits`), `nil`: every record is its own.
  let units: PrivacyUnits?
  /// Each windowed record's window count (`TokenWindows.windowCounts`), counted once; `nil` for
  /// other features.
  let windowCounts: [Int]?
  /// Draws Poisson batches (`.poisson`) over the N records and the IN gradient canaries.
  let sampler: PoissonSampler
  let noise: NoiseSource?
  /// Draws each epoch's order (`.shuffled`).
  private var orderGenerator: SeededGenerator
  private var augmentationGenerator: SeededGenerator
  /// The current epoch's record order (`.shuffled`; empty otherwise).
  private var order: [Int] = []

  /// The batches of `dataset` for `configuration`, under `gradientMode` (its augmentation
  /// multiplicity and sampling fault), drawing from the splits "data-order" and "augmentation"
  /// of `generator` and from `noise` (Poisson).
  ///
  /// The Poisson rate is `q = min(1, batchSize / N)` (N the units under privacy units); under the
  /// test-only fault `.sampleRateQuadrupled` it is `min(1, 4q)` while the step's divisor stays
  /// `E = qN`. The sampler's pool is the N records (units) plus `canaryRecords` virtual canary
  /// records.
  init(
    dataset: LabeledDataset, configuration: TrainerConfiguration, gradientMode: GradientMode, noise: NoiseSource?,
    canaryRecords: Int = 0, generator: SeededGenerator
  ) {
    let units = configuration.units
    let count = units?.count ?? dataset.labels.count
    if let units {
      precondition(configuration.sampling == .poisson, "privacy units are drawn by Poisson sampling")
      precondition(units.records.joined().count == dataset.labels.count, "the privacy units do not cover the training set")
      precondition(dataset.features.rank >= 2, "privacy units group token records")
    }
    self.units = units
    windowCounts = dataset.features.rank == 3 ? TokenWindows.windowCounts(dataset.features) : nil
    var sampleRate = min(1, Double(configuration.batchSize) / Double(max(count, 1)))
    var multiplicity = 1
    if case .privateSum(let settings) = gradientMode {
      multiplicity = settings.augmentationMultiplicity
      if settings.faults.contains(.sampleRateQuadrupled) { sampleRate = min(1, 4 * sampleRate) }
    }
    self.dataset = dataset
    sampling = configuration.sampling
    batchSize = configuration.batchSize
    self.multiplicity = multiplicity
    augmentation = configuration.augmentation
    if case .nextToken = configuration.evaluation, dataset.features.rank == 3 { windowed = true } else { windowed = false }
    precondition(!windowed || multiplicity == 1, "windowed text records do not take augmentation multiplicity")
    sampler = PoissonSampler(recordCount: count + canaryRecords, sampleRate: sampleRate)
    self.noise = noise
    orderGenerator = generator.split("data-order")
    augmentationGenerator = generator.split("augmentation")
  }

  /// The data-order and augmentation generators between epochs, for a checkpoint (the epoch's
  /// order is drawn again from the first at the next `startEpoch`).
  var savedGenerators: (order: SeededGenerator, augmentation: SeededGenerator) { (orderGenerator, augmentationGenerator) }

  /// Puts back a checkpoint's generators (`savedGenerators`).
  mutating func restoreGenerators(order: SeededGenerator, augmentation: SeededGenerator) {
    orderGenerator = order
    augmentationGenerator = augmentation
  }

  /// Starts an epoch: a fresh random order of the records (`.shuffled`).
  mutating func startEpoch() {
    order = sampling == .shuffled ? Random.permutation(dataset.labels.count, using: &orderGenerator) : []
  }

  /// The batch of step `stepIndex` of the epoch: one part (`StepPart`) of inputs `[K·n, …]` and
  /// labels `[K·n]`, or for windowed records and privacy units a part per row count
  /// (`UnitRows`); the number n of records (units) drawn; the
  /// canary records drawn (ordinals among the IN canaries).
  mutating func batch(step stepIndex: Int) -> (parts: [StepPart], records: Int, canaries: [Int]) {
    var indices: [Int]
    var canaries: [Int] = []
    switch sampling {
    case .shuffled:
      indices = Array(order[(stepIndex * batchSize)..<min(stepIndex * batchSize + batchSize, order.count)])
    case .poisson:
      guard let noise else { preconditionFailure("Poisson sampling draws from the step's noise source") }
      indices = noise.sample(sampler)
      // Ascending: the canary records, if any, come last.
      let count = units?.count ?? dataset.labels.count
      if let first = indices.firstIndex(where: { $0 >= count }) {
        canaries = indices[first...].map { $0 - count }
        indices.removeSubrange(first...)
      }
    }
    if let units {
      let parts = UnitRows.parts(
        of: indices.map { units.records[$0] }, features: dataset.features, windowCounts: windowCounts)
      return (parts, indices.count, canaries)
    }
    if windowed {
      // Each record its own unit: a part per window count, none padded to the batch's longest.
      let parts = UnitRows.parts(of: indices.map { [$0] }, features: dataset.features, windowCounts: windowCounts)
      return (parts, indices.count, canaries)
    }
    // Augmentation multiplicity: K consecutive copies of every sampled record, each augmented.
    let rows = multiplicity == 1 ? indices : indices.flatMap { Array(repeating: $0, count: multiplicity) }
    var inputs = dataset.features.gathering(rows: rows)
    if let augmentation { inputs = augmentation.apply(inputs, generator: &augmentationGenerator) }
    return ([StepPart(inputs: inputs, labels: rows.map { dataset.labels[$0] })], indices.count, canaries)
  }
}
