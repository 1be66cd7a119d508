import Yams

extension DataSection {
  /// The default `data.path` of `source: fashion_mnist`.
  public static let defaultFashionMNISTPath = "/usr/share/datasets/fashion-mnist"

  /// The spellings of `data.source`.
  enum SourceKind: String, CaseIterable {
    case fashionMNIST = "fashion_mnist"
    case csv
    case synthetic
    case text
  }

  /// Reads `data`, resolving every default; `nil` (after reporting) when unusable.
  /// - Parameter isPrivate: the recipe has a `privacy` section; normalisation fitted on the
  ///   training records is then refused (DP-SGD's ε would not cover it) and the default for CSV
  ///   and synthetic data is `none`.
  static func read(_ section: MappingReader, isPrivate: Bool = false) -> DataSection? {
    let kind = section.optionalChoice("source", as: SourceKind.self)
    if section.nonNullValue("source") == nil {
      section.reportMissing("source", hint: "; one of fashion_mnist, csv, synthetic, text")
    }
    let trainSize = section.optionalInteger("train_size", .atLeast(1))
    let testSize = section.optionalInteger("test_size", .atLeast(1))
    let validationSize = section.integer("validation_size", default: 0, .atLeast(0))
    let defaultNormalization: Normalization =
      kind == .fashionMNIST ? .unitRange : (isPrivate || kind == .text ? .none : .standard)
    let normalize = section.choice("normalize", default: defaultNormalization)
    if kind == .text && normalize != .none {
      section.report("must be none for text records (token ids are not scaled), got \(normalize.rawValue)", key: "normalize")
    } else if isPrivate && (normalize == .standard || (normalize == .unitRange && kind != .fashionMNIST)) {
      section.report(
        "\(normalize.rawValue) fits its statistics on the private training records, which DP-SGD's ε does not cover; "
          + "use none (and scale the data with public knowledge beforehand)"
          + (kind == .fashionMNIST ? ", or unit_range (a fixed 1/255 for images)" : ""),
        key: "normalize")
    }
    let flatten = section.boolean("flatten", default: false)
    if kind == .text && flatten { section.report("must be false for text records (flatten applies to images)", key: "flatten") }
    let source = kind.flatMap { readSource($0, section) }
    var features: FeatureSection?
    var featuresAreValid = true
    if section.nonNullValue("features") != nil {
      features = FeatureSection.read(section.child("features"), imageData: kind == .fashionMNIST, isPrivate: isPrivate)
      featuresAreValid = features != nil
    }
    if kind == nil {
      section.ignore(["path", "test_path", "label_column", "test_fraction", "synthetic"] + textKeys)
    }
    section.finish()
    guard let source, featuresAreValid else { return nil }
    return DataSection(
      source: source, trainSize: trainSize, testSize: testSize, validationSize: validationSize,
      normalize: normalize, flatten: flatten, features: features)
  }

  /// The most values synthetic data may hold, samples × features: 2²⁸ (1 GiB of 32-bit
  /// floats), like the most elements `IDXReader` reads; more would only exhaust memory.
  static let maximumSyntheticValues = 1 << 28

  /// Reports synthetic data too large to generate (samples × features beyond
  /// `maximumSyntheticValues`), or with more classes than samples.
  private static func checkSize(of synthetic: SyntheticSource, _ settings: MappingReader) {
    let (values, overflow) = synthetic.samples.multipliedReportingOverflow(by: synthetic.features)
    if overflow || values > maximumSyntheticValues {
      settings.report(
        "\(synthetic.samples) samples of \(synthetic.features) features are more values than tacit generates"
          + " (at most \(maximumSyntheticValues), 1 GiB of 32-bit floats); use fewer samples or features",
        key: "samples")
    }
    if synthetic.classes > synthetic.samples {
      settings.report("must be at most data.synthetic.samples (\(synthetic.samples)), got \(synthetic.classes)", key: "classes")
    }
  }

  /// Reads the keys of one source and rejects the keys of the others.
  private static func readSource(_ kind: SourceKind, _ section: MappingReader) -> DataSource? {
    let base = section.reader.baseDirectory
    let onlyFor = { (sources: String) in "only valid with source \(sources), not \(kind.rawValue)" }
    switch kind {
    case .fashionMNIST:
      section.disallow(textKeys, reason: onlyFor("text"))
      section.disallow(["test_path", "label_column"], reason: onlyFor("csv"))
      section.disallow(["test_fraction"], reason: onlyFor("csv, synthetic or text"))
      section.disallow(["synthetic"], reason: onlyFor("synthetic"))
      let path = section.optionalString("path") ?? defaultFashionMNISTPath
      return .fashionMNIST(path: RecipeFilePath(path, relativeTo: base))

    case .csv:
      section.disallow(textKeys, reason: onlyFor("text"))
      section.disallow(["synthetic"], reason: onlyFor("synthetic"))
      let path = section.requiredString("path")
      let testPath = section.optionalString("test_path")
      let labelColumn = section.optionalString("label_column") ?? "label"
      if labelColumn.isEmpty { section.report("must not be empty", key: "label_column") }
      var testFraction: Double?
      if testPath == nil {
        testFraction = section.number("test_fraction", default: 0.2, .open(0, 1))
      } else {
        section.disallow(["test_fraction"], reason: "not used when data.test_path is set")
      }
      guard let path else { return nil }
      return .csv(
        CSVSource(
          path: RecipeFilePath(path, relativeTo: base),
          testPath: testPath.map { RecipeFilePath($0, relativeTo: base) },
          labelColumn: labelColumn, testFraction: testFraction))

    case .synthetic:
      section.disallow(textKeys, reason: onlyFor("text"))
      section.disallow(["path"], reason: onlyFor("fashion_mnist or csv"))
      section.disallow(["test_path", "label_column"], reason: onlyFor("csv"))
      let testFraction = section.number("test_fraction", default: 0.2, .open(0, 1))
      let settings = section.child("synthetic")
      let synthetic = SyntheticSource(
        classes: settings.integer("classes", default: 3, .atLeast(2)),
        features: settings.integer("features", default: 8, .atLeast(1)),
        samples: settings.integer("samples", default: 2000, .atLeast(2)),
        separation: settings.number("separation", default: 3.0, .atLeast(0)),
        testFraction: testFraction)
      checkSize(of: synthetic, settings)
      settings.finish()
      return .synthetic(synthetic)

    case .text:
      section.disallow(["path"], reason: onlyFor("fashion_mnist or csv"))
      section.disallow(["test_path", "label_column"], reason: onlyFor("csv"))
      section.disallow(["synthetic"], reason: onlyFor("synthetic"))
      return readTextSource(section).map(DataSource.text)
    }
  }
}
