import TacitData
import TacitRecipe
import TacitTensor

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
}

/// Loads the recipe's data source and cuts it into train / validation / test deterministically.
///
/// - Fashion-MNIST: the 60,000 official training images are the pool for train and validation;
///   the 10,000 official test images are the test set (a random subset when `test_size` is set).
/// - CSV: the file is the pool; the test set is `test_path` when given, else a random
///   `test_fraction` of the file.
/// - Synthetic: blobs drawn from the seed; a random `test_fraction` is the test set.
///
/// Validation records are held out of the pool before the training records are drawn, so the
/// two never overlap. Splits are stratified by class. Normalisation statistics come from the
/// training records only.
///
/// `publicSize` > 0 also draws that many records, uniformly, from the pool records left out of
/// both splits (split "public-transfer" of the generator; the other splits do not change): a
/// public transfer set disjoint from every training and validation record.
public enum DataPreparation {
  /// - Throws: `PipelineError` for every problem, an unreadable or malformed data file (a
  ///   `DataError`) included, so callers need no conversion of their own.
  public static func prepare(_ section: DataSection, generator: SeededGenerator, publicSize: Int = 0) throws
    -> PreparedData
  {
    do {
      return try load(section, generator: generator, publicSize: publicSize)
    } catch let error as DataError {
      throw PipelineError(error.description)
    }
  }

  private static func load(_ section: DataSection, generator: SeededGenerator, publicSize: Int) throws -> PreparedData {
    var pool: LabeledDataset
    var test: LabeledDataset
    switch section.source {
    case .fashionMNIST(let path):
      (pool, test) = try FashionMNIST.load(directory: path.absolute)
    case .csv(let source):
      let reader = CSVReader(labelColumn: source.labelColumn)
      let table = try reader.read(path: source.path.absolute)
      if let testPath = source.testPath {
        pool = table.dataset
        test = try reader.read(path: testPath.absolute).dataset
        guard test.exampleShape == pool.exampleShape else {
          throw PipelineError(
            "data.test_path: \(testPath.absolute) has \(test.featuresPerExample) features, data.path has \(pool.featuresPerExample)"
          )
        }
      } else {
        (pool, test) = try holdOut(
          fraction: source.testFraction ?? 0.2, of: table.dataset, generator: generator.split("test-holdout"))
      }
    case .synthetic(let source):
      var dataGenerator = generator.split("synthetic-data")
      let all = SyntheticBlobs.make(
        classes: source.classes, features: source.features, samples: source.samples,
        separation: Float(source.separation), generator: &dataGenerator)
      (pool, test) = try holdOut(fraction: source.testFraction, of: all, generator: generator.split("test-holdout"))
    }

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
    var train = pool.subset(indices: split.train, name: "train")
    var validation = pool.subset(indices: split.validation, name: "validation")
    guard publicSize <= split.unused.count else {
      throw PipelineError(
        "distillation.public_size: \(publicSize) public records asked for, but only \(split.unused.count) of the \(pool.count) pool records are outside data.train_size + data.validation_size; lower public_size or data.train_size"
      )
    }
    var publicGenerator = generator.split("public-transfer")
    let publicIndices = Random.permutation(split.unused.count, using: &publicGenerator).prefix(publicSize).map {
      split.unused[$0]
    }
    var publicTransfer = pool.subset(indices: publicIndices.sorted(), name: "public-transfer")

    if let testSize = section.testSize {
      guard testSize <= test.count else {
        throw PipelineError("data.test_size (\(testSize)) exceeds the \(test.count) test records available")
      }
      var testGenerator = generator.split("test-subset")
      let testSplit = try DataSplit.make(
        count: test.count, trainSize: testSize, validationSize: 0, stratifiedBy: test.labels, generator: &testGenerator)
      test = test.subset(indices: testSplit.train, name: "test")
    }

    let normalizer: Normalizer
    switch section.normalize {
    case .none: normalizer = .none
    case .standard: normalizer = .fitStandard(to: train)
    case .unitRange:
      if case .fashionMNIST = section.source {
        // The format's range, not a statistic of the records: fine for private data too.
        normalizer = .pixels
      } else {
        let largest = train.features.scalars.reduce(Float(0)) { max($0, abs($1)) }
        normalizer = .unitRange(scale: largest > 0 ? 1 / largest : 1)
      }
    }
    train = normalizer.apply(to: train)
    validation = normalizer.apply(to: validation)
    test = normalizer.apply(to: test)
    publicTransfer = normalizer.apply(to: publicTransfer)
    if section.flatten {
      train.features.reshape([train.count, train.featuresPerExample])
      validation.features.reshape([validation.count, validation.featuresPerExample])
      test.features.reshape([test.count, test.featuresPerExample])
      publicTransfer.features.reshape([publicTransfer.count, publicTransfer.featuresPerExample])
    }
    return PreparedData(
      train: train, validation: validation, test: test, normalizer: normalizer, split: split,
      publicTransfer: publicTransfer)
  }

  /// Splits `dataset` into a pool and a stratified random test set of `fraction` of its records.
  static func holdOut(fraction: Double, of dataset: LabeledDataset, generator: SeededGenerator) throws
    -> (pool: LabeledDataset, test: LabeledDataset)
  {
    var generator = generator
    let testCount = Int((fraction * Double(dataset.count)).rounded())
    let split = try DataSplit.make(
      count: dataset.count, trainSize: dataset.count - testCount, validationSize: 0, testSize: testCount,
      stratifiedBy: dataset.labels, generator: &generator)
    return (dataset.subset(indices: split.train, name: dataset.name), dataset.subset(indices: split.test, name: "test"))
  }
}
