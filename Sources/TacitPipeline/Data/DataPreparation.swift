import TacitData
import TacitRecipe
import TacitTensor
import TacitTraining

/// The datasets of a run, normalised and split.
public struct PreparedData: Sendable {
  /// Records the model trains on.
  public var train: LabeledDataset
  /// Records held out of training for early stopping / model selection (may be empty).
  public var validation: LabeledDataset
  /// Records for the final evaluation.
  public var test: LabeledDataset
  /// The normalisation fitted on the training records and applied to all three.
  public var normalizer: Normalizer
  /// Row indices of the training and validation records in the source's training pool.
  public var split: DataSplit
  /// A distillation student's public transfer set: records of the source's training pool that are
  /// neither training nor validation records (empty unless asked for).
  public var publicTransfer: LabeledDataset
  /// What loading said for the run log (text: records read, dropped and truncated).
  public var notes: [String] = []
}

/// Loads the recipe's data source (`DataSection.loadSource`: a training pool and test records)
/// and cuts it into train / validation / test deterministically; the test set is a random subset
/// when `test_size` is set.
///
/// Validation records are held out of the pool before the training records are drawn, so the
/// two never overlap. Splits are stratified by class. Normalisation statistics come from the
/// training records only. `data.features` (`FeatureExtraction`) then turns each record used
/// (training, validation, test, public transfer) into its features, once per run.
///
/// `publicSize` > 0 also draws that many records, uniformly, from the pool records left out of
/// both splits (split "public-transfer" of the generator; the other splits do not change): a
/// public transfer set disjoint from every training and validation record.
public enum DataPreparation {
  /// - Throws: `PipelineError` for every problem, an unreadable or malformed data file (a
  ///   `DataError`) included, so callers need no conversion of their own.
  /// - Parameter language: the language model a text source is tokenised for (`nil` for other
  ///   models; a text source without one is refused).
  static func prepare(
    _ section: DataSection, generator: SeededGenerator, publicSize: Int = 0, language: LanguageModelSetup? = nil
  ) throws -> PreparedData {
    do {
      return try load(section, generator: generator, publicSize: publicSize, language: language)
    } catch let error as DataError {
      throw PipelineError(error.description)
    }
  }

  private static func load(
    _ section: DataSection, generator: SeededGenerator, publicSize: Int, language: LanguageModelSetup?
  ) throws -> PreparedData {
    let pool: LabeledDataset
    var test: LabeledDataset
    var notes: [String] = []
    (pool, test) = try section.loadSource(generator: generator, language: language, notes: &notes)
    let validationSize = section.validationSize
    let trainSize = section.trainSize ?? (pool.count - validationSize)
    guard trainSize + validationSize <= pool.count else {
      throw PipelineError(
        "data.train_size (\(trainSize)) + data.validation_size (\(validationSize)) exceed the \(pool.count) training records available"
      )
    }
    var splitGenerator = generator.split("data-split")
    let split = try DataSplit.make(
      count: pool.count, trainSize: trainSize, validationSize: validationSize, stratifiedBy: pool.labels,
      generator: &splitGenerator)
    let publicIndices = try publicTransferIndices(publicSize, split: split, poolCount: pool.count, generator: generator)
    if let testSize = section.testSize { test = try testSubset(testSize, of: test, generator: generator) }
    let train = pool.subset(indices: split.train, name: "train")
    let normalizer = normalizer(section, train: train)
    let extraction = try section.features.map {
      try FeatureExtraction($0, exampleShape: pool.exampleShape, threads: BLAS.threadCount)
    }
    func prepared(_ dataset: LabeledDataset) -> LabeledDataset {
      var dataset = normalizer.apply(to: dataset)
      if let extraction { dataset = extraction.apply(to: dataset) }
      if section.flatten { dataset.features.reshape([dataset.count, dataset.featuresPerExample]) }
      return dataset
    }
    let start = Clock.seconds()
    let data = PreparedData(
      train: prepared(train), validation: prepared(pool.subset(indices: split.validation, name: "validation")),
      test: prepared(test), normalizer: normalizer, split: split,
      publicTransfer: prepared(pool.subset(indices: publicIndices, name: "public-transfer")), notes: notes)
    guard let extraction else { return data }
    var result = data
    let records = data.train.count + data.validation.count + data.test.count + data.publicTransfer.count
    result.notes.append(extraction.note(records: records, seconds: Clock.seconds() - start))
    return result
  }

  /// `publicSize` pool indices outside both splits, uniformly (split "public-transfer"), sorted.
  private static func publicTransferIndices(
    _ publicSize: Int, split: DataSplit, poolCount: Int, generator: SeededGenerator
  ) throws -> [Int] {
    guard publicSize <= split.unused.count else {
      throw PipelineError(
        "distillation.public_size: \(publicSize) public records asked for, but only \(split.unused.count) of the \(poolCount) pool records are outside data.train_size + data.validation_size; lower public_size or data.train_size"
      )
    }
    var publicGenerator = generator.split("public-transfer")
    return Random.permutation(split.unused.count, using: &publicGenerator).prefix(publicSize).map {
      split.unused[$0]
    }.sorted()
  }

  /// A stratified random `testSize` of the test records (split "test-subset").
  private static func testSubset(_ testSize: Int, of test: LabeledDataset, generator: SeededGenerator) throws
    -> LabeledDataset
  {
    guard testSize <= test.count else {
      throw PipelineError("data.test_size (\(testSize)) exceeds the \(test.count) test records available")
    }
    var testGenerator = generator.split("test-subset")
    let testSplit = try DataSplit.make(
      count: test.count, trainSize: testSize, validationSize: 0, stratifiedBy: test.labels, generator: &testGenerator)
    return test.subset(indices: testSplit.train, name: "test")
  }

  /// `data.normalize`, fitted on the training records only (or the format's range).
  private static func normalizer(_ section: DataSection, train: LabeledDataset) -> Normalizer {
    switch section.normalize {
    case .none: return .none
    case .standard: return .fitStandard(to: train)
    case .unitRange:
      if let formatRange = section.formatRange { return formatRange }
      let largest = train.features.scalars.reduce(Float(0)) { max($0, abs($1)) }
      return .unitRange(scale: largest > 0 ? 1 / largest : 1)
    }
  }
}
