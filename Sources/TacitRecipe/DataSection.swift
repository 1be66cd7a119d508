/// The `data` section: which records to train and test on, and how to prepare them.
///
/// ```yaml
/// data:
///   source: fashion_mnist        # required: fashion_mnist | csv | synthetic | text
///   path: /usr/share/datasets/fashion-mnist
///   train_size: 10000            # default null = all records not held out for validation
///   test_size: null              # default null = all available
///   validation_size: 1000        # default 0, held out of the training pool
///   normalize: unit_range        # default: unit_range for fashion_mnist, standard otherwise
///   flatten: false               # default false: images stay [28, 28, 1]
///   features: null               # default null; {scattering: {scales: 2, orientations: 8}}, see FeatureSection
/// ```
///
/// `source: text` (text records for language models) has its own keys, see `TextSource`.
public struct DataSection: Sendable, Equatable {
  /// `data.source` and the keys that belong to it.
  public var source: DataSource
  /// `data.train_size`: how many records the model trains on, drawn from the training pool
  /// (stratified by class) after the validation records are held out; `nil` (the default,
  /// written `null`) uses every pool record not held out. At least 1;
  /// `train_size + validation_size` must fit in the pool (checked when the data is loaded).
  public var trainSize: Int?
  /// `data.test_size`: how many test records to use; `nil` (default) uses all. At least 1.
  public var testSize: Int?
  /// `data.validation_size`: records held out of the training pool to validate on (early
  /// stopping needs them); never trained on. Default 0.
  public var validationSize: Int
  /// `data.normalize`: feature scaling, see `Normalization`.
  public var normalize: Normalization
  /// `data.flatten`: `true` turns images into feature vectors `[784]`; default `false` keeps
  /// images as `[28, 28, 1]` (height, width, channels). Tabular data is flat either way.
  public var flatten: Bool
  /// `data.features`: a fixed feature extractor (the scattering transform) applied to every
  /// record after `normalize` and before `flatten`, see `FeatureSection`; `nil` (default) trains
  /// on the records as loaded.
  public var features: FeatureSection? = nil

  /// `data.normalize`: how features are scaled before training.
  public enum Normalization: String, Sendable, Equatable, CaseIterable {
    /// `standard`: per-feature (x − mean) / std, with mean and std fitted on the training
    /// records only (not validation or test). Default for `csv` and `synthetic`.
    case standard
    /// `unit_range`: divide by 255, mapping pixel bytes to [0, 1]. Default for `fashion_mnist`.
    case unitRange = "unit_range"
    /// `none`: features as stored. The default for private recipes other than Fashion-MNIST,
    /// and the only choice for `text` (token ids).
    case none
  }
}

/// `data.source`: where records come from, with the keys valid only for that source.
public enum DataSource: Sendable, Equatable {
  /// `source: fashion_mnist`: Fashion-MNIST in IDX gzip files (60,000 train, 10,000 test,
  /// 28×28 grey, 10 classes). Key `path`: the folder holding the
  /// `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz` files, default
  /// `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`).
  case fashionMNIST(path: RecipeFilePath)
  /// `source: csv`: a table of numeric features with a header row.
  case csv(CSVSource)
  /// `source: synthetic`: Gaussian clusters generated from the recipe seed (for tests).
  case synthetic(SyntheticSource)
  /// `source: text`: text records (fortune files, lines, JSON Lines) for language models.
  case text(TextSource)

  /// The spelling used in recipes.
  public var name: String {
    switch self {
    case .fashionMNIST: "fashion_mnist"
    case .csv: "csv"
    case .synthetic: "synthetic"
    case .text: "text"
    }
  }
}

/// Keys of `source: csv`.
public struct CSVSource: Sendable, Equatable {
  /// `data.path` (required): the CSV file; relative to the recipe's folder.
  public var path: RecipeFilePath
  /// `data.test_path`: a separate CSV file of test records, same columns. Default: none, the
  /// test records are split off `path` by `test_fraction`.
  public var testPath: RecipeFilePath?
  /// `data.label_column`: the header of the class-label column, default `label`; every other
  /// column is a feature.
  public var labelColumn: String
  /// `data.test_fraction`: fraction of the records of `path` held out for testing when there
  /// is no `test_path`, in (0, 1), default 0.2; `nil` when `test_path` is given.
  public var testFraction: Double?
}

/// Keys of `source: synthetic`, under `data.synthetic`.
///
/// `classes` clusters of `samples` records in total; cluster centres lie `separation` standard
/// deviations apart in `features` dimensions. The test records are `test_fraction` of them.
public struct SyntheticSource: Sendable, Equatable {
  /// `data.synthetic.classes`: number of classes, at least 2, default 3.
  public var classes: Int
  /// `data.synthetic.features`: features per record, at least 1, default 8.
  public var features: Int
  /// `data.synthetic.samples`: records in total (train and test), at least 2, default 2000.
  public var samples: Int
  /// `data.synthetic.separation`: distance between cluster centres in standard deviations,
  /// at least 0, default 3.0.
  public var separation: Double
  /// `data.test_fraction`: fraction of the samples held out for testing, in (0, 1), default 0.2.
  public var testFraction: Double
}
