import TacitData
import TacitRecipe
import TacitTensor

/// What Tacit knows about each data source, in one place: the shapes a recipe's data has before
/// any file is read (so `tacit validate` can build the model), whether records are images (for
/// the audit's image queries and for augmentation), the format's own value range, and how to read
/// the source into a training pool and test records. Every `switch` over `data.source` outside
/// the recipe reader is here; a new source (text records) joins by adding its case to each.
extension DataSection {
  /// The per-example input shape the model sees, when it is known without reading data:
  /// Fashion-MNIST `[28, 28, 1]` (`[784]` flattened; `[7, 7, 81]` with scattering features J = 2,
  /// L = 8), synthetic `[features]`; `nil` for CSV.
  var knownInputShape: [Int]? {
    switch source {
    case .fashionMNIST:
      if let features {
        let side = ScatteringTransform2D.outputLength(28, scales: features.scattering.scales)
        return flatten ? [side * side * features.channels] : [side, side, features.channels]
      }
      return flatten ? [784] : [28, 28, 1]
    case .synthetic(let source): return [source.features]
    case .csv, .text: return nil
    }
  }

  /// The number of classes, when it is known without reading data (`nil` for CSV).
  var knownClassCount: Int? {
    switch source {
    case .fashionMNIST: return FashionMNIST.classCount
    case .synthetic(let source): return source.classes
    case .csv, .text: return nil
    }
  }

  /// A record's image layout `[H, W, C]` (channels last; stored flattened or not), for image
  /// queries and augmentation; `nil` for tabular data and for features (`data.features`).
  var imageShape: [Int]? {
    switch source {
    case .fashionMNIST: return features == nil ? [28, 28, 1] : nil
    case .synthetic, .csv, .text: return nil
    }
  }

  /// The format's own value range as a `unit_range` normaliser (Fashion-MNIST's pixels 0…255),
  /// or `nil` when the range must be measured on the training records. A format's range is not a
  /// statistic of the records, so it costs no privacy.
  var formatRange: Normalizer? {
    switch source {
    case .fashionMNIST: return .pixels
    case .synthetic, .csv, .text: return nil
    }
  }

  /// Reads the source: the training pool (train and validation records are drawn from it) and
  /// the test records.
  ///
  /// - Fashion-MNIST: the 60,000 official training images, and the 10,000 official test images.
  /// - CSV: the file; the test set is `test_path` when given (its labels numbered as the
  ///   file's classes, each one of them), else a stratified random `test_fraction` of the file
  ///   (split "test-holdout" of `generator`).
  /// - Synthetic: blobs drawn from split "synthetic-data"; a random `test_fraction` is the test set.
  /// - Text: `TextData.load` with the language model's tokenizer and context (`language`); its
  ///   log lines go to `notes`.
  func loadSource(generator: SeededGenerator, language: LanguageModelSetup?, notes: inout [String]) throws
    -> (pool: LabeledDataset, test: LabeledDataset)
  {
    switch source {
    case .fashionMNIST(let path):
      let (pool, test) = try FashionMNIST.load(directory: path.absolute)
      return (pool, test)
    case .csv(let source):
      let reader = CSVReader(labelColumn: source.labelColumn)
      let table = try reader.read(path: source.path.absolute)
      guard let testPath = source.testPath else {
        return try Self.holdOut(
          fraction: source.testFraction ?? 0.2, of: table.dataset, generator: generator.split("test-holdout"))
      }
      let test = try reader.read(path: testPath.absolute, classesOf: (table, source.path.absolute)).dataset
      guard test.exampleShape == table.dataset.exampleShape else {
        throw PipelineError(
          "data.test_path: \(testPath.absolute) has \(test.featuresPerExample) features, data.path has \(table.dataset.featuresPerExample)"
        )
      }
      return (table.dataset, test)
    case .synthetic(let source):
      var dataGenerator = generator.split("synthetic-data")
      let all = SyntheticBlobs.make(
        classes: source.classes, features: source.features, samples: source.samples,
        separation: Float(source.separation), generator: &dataGenerator)
      return try Self.holdOut(fraction: source.testFraction, of: all, generator: generator.split("test-holdout"))
    case .text(let source):
      guard let language else {
        throw PipelineError("data.source text: text records train a language model; use model: {type: gpt2} or model: {from: PATH}")
      }
      let loaded = try TextData.load(source, setup: language, generator: generator)
      notes += loaded.notes
      return (loaded.pool, loaded.test)
    }
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
