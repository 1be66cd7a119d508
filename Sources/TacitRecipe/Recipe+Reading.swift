import Yams

/// Top-level reading: version, name, seed, the sections, and checks that span sections.
///
/// Adding a section (say `privacy`) takes three steps: a `Sendable, Equatable` type with a
/// `static func read(_: MappingReader) -> Self` (see `TrainingSection+Reading.swift`), a stored
/// property on `Recipe` read in `read(_:reader:)` below, and its lines in `RecipeEmitter`;
/// then remove its entry from `reservedSections` and bump `supportedVersions` if old files
/// would read differently.
extension Recipe {
  /// Top-level keys the schema reserves for later versions, with the error they produce now.
  static let reservedSections: [(key: String, plannedFor: String)] = []

  /// The longest `name` accepted: the run folder's staging folder `.NAME.partial-PID` must stay
  /// well within a file system's 255-byte limit on a file name.
  static let maximumNameLength = 100

  /// What is wrong with `name` as the name of the run folder `runs/NAME`, `nil` when nothing is:
  /// a plain file name of 1 to `maximumNameLength` letters, digits, '.', '_' and '-', not
  /// starting with '.' (so never `.` or `..`, which would make `runs/` or the working directory
  /// the run folder, and never a hidden name like the staging folders `.NAME.partial-PID`).
  static func nameProblem(_ name: String) -> String? {
    if name.isEmpty { return "must not be empty (it names the run folder runs/NAME)" }
    let allowed = name.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
    }
    if !allowed {
      return
        "must use only letters, digits, '.', '_' and '-' (it names the run folder), got \(RecipeEmitter.quoted(name))"
    }
    if name.hasPrefix(".") {
      return
        "must not start with '.' (it names the run folder runs/NAME: '.' and '..' would name runs/ or the working directory, and hidden names are kept for staging folders), got \(RecipeEmitter.quoted(name))"
    }
    if name.count > maximumNameLength {
      return "must be at most \(maximumNameLength) characters (it names the run folder), got \(name.count)"
    }
    return nil
  }

  /// Reads the whole recipe; `nil` when some part is unusable (the problems are in `reader`).
  static func read(_ root: Node?, reader: NodeReader) -> Recipe? {
    let top = reader.mapping(root, at: RecipeKeyPath())
    if root == nil || NodeReader.isNull(root!) {
      reader.report("the recipe is empty; it needs at least version, name, data and model", at: RecipeKeyPath(), node: nil)
      return nil
    }
    guard top.node != nil else { return nil }

    let supported = supportedVersions.map(String.init).joined(separator: ", ")
    if top.nonNullValue("version") == nil { top.reportMissing("version", hint: "; add `version: 1` as the first line") }
    let version = top.optionalInteger("version") ?? 1
    if !supportedVersions.contains(version) {
      top.report("unsupported recipe version \(version); supported versions: \(supported)", key: "version")
      return nil
    }

    let name = top.requiredString("name")
    if let name, let problem = nameProblem(name) { top.report(problem, key: "name") }
    let seedNode = top.nonNullValue("seed")
    let seed = seedNode.flatMap { reader.unsignedInteger($0, at: top.path("seed")) } ?? 0

    if top.nonNullValue("data") == nil { top.reportMissing("data", hint: "; at least {source: fashion_mnist}") }
    var data: DataSection?
    if top.nonNullValue("data") != nil {
      let section = top.child("data")
      // A nil node means the wrong type, already reported.
      data = section.node == nil ? nil : DataSection.read(section, isPrivate: top.hasNonNullValue("privacy"))
    }
    let model = LayerSpec.readModel(from: top)
    let training = TrainingSection.read(top.child("training"), isPrivate: top.hasNonNullValue("privacy"))
    var privacy: PrivacySection?
    var privacyIsValid = true
    if top.nonNullValue("privacy") != nil {
      privacy = PrivacySection.read(top.child("privacy"))
      privacyIsValid = privacy != nil
    }

    // Image transforms (augmentation, mirrored queries) need the records to stay images:
    // scattering features are not.
    var imageData = false
    if case .fashionMNIST = data?.source, data?.features == nil { imageData = true }
    var textData = false
    if case .text = data?.source { textData = true }
    var pretrained: RecipeFilePath?
    if let model, model.count == 1, case .pretrained(let from) = model[0] { pretrained = from }
    let audit = AuditSection.read(
      top.child("audit"), isPrivate: top.hasNonNullValue("privacy"), imageData: imageData, textData: textData,
      baseDirectory: reader.baseDirectory, pretrained: pretrained)
    checkAugmentation(training, data: data, imageData: imageData, top: top, reader: reader)
    var distillation: DistillationSection?
    var distillationIsValid = true
    if top.nonNullValue("distillation") != nil {
      distillation = DistillationSection.read(top.child("distillation"))
      distillationIsValid = distillation != nil
      if audit.canaries?.kind == .gradient {
        reader.report(
          "gradient canaries are not supported with distillation (the audit attacks the teacher too); use kind: mislabeled",
          at: top.path("audit").appending("canaries").appending("kind"), node: top.value("audit")?["canaries"])
      }
      checkPrivateNormWithDistillation(data, top: top, reader: reader)
    }
    for (key, plannedFor) in reservedSections where top.value(key) != nil {
      top.report("not supported yet in recipe version \(version) (coming with \(plannedFor))", key: key)
    }
    top.finish()

    if training.earlyStopping != nil, let data, data.validationSize == 0 {
      reader.report(
        "needs validation records, but data.validation_size is 0; set data.validation_size > 0 or remove training.early_stopping",
        at: top.path("training").appending("early_stopping"), node: top.value("training")?["early_stopping"])
    }

    guard let name, let data, let model, privacyIsValid, distillationIsValid else { return nil }
    return Recipe(
      version: version, name: name, seed: seed, data: data, model: model, training: training, privacy: privacy,
      audit: audit, distillation: distillation)
  }

  /// Reports `data.features.private_norm` in a distillation recipe: teacher and student would
  /// each need their own release, which is not supported yet.
  private static func checkPrivateNormWithDistillation(_ data: DataSection?, top: MappingReader, reader: NodeReader) {
    guard data?.features?.privateNorm != nil else { return }
    reader.report(
      "is not supported with distillation yet (teacher and student would each need their own release); remove it",
      at: top.path("data").appending("features").appending("private_norm"),
      node: top.value("data")?["features"]?["private_norm"])
  }

  /// Reports `training.augmentation` settings the data cannot take: image transforms on data that
  /// are not images, and multiplicity > 1 with `data.long_records: windows` (a long record's
  /// windows already make its group of rows, `TextSource.LongRecords`).
  private static func checkAugmentation(
    _ training: TrainingSection, data: DataSection?, imageData: Bool, top: MappingReader, reader: NodeReader
  ) {
    if data != nil, !imageData, let augmentation = training.augmentation,
      augmentation.cropPadding > 0 || augmentation.flip || augmentation.cutout > 0
    {
      reader.report(
        "crop_padding, flip and cutout need image data (data.source fashion_mnist without data.features); tabular data and features take only noise_std",
        at: top.path("training").appending("augmentation"), node: top.value("training")?["augmentation"])
    }
    if case .text(let text) = data?.source, text.longRecords == .windows, let augmentation = training.augmentation,
      augmentation.multiplicity > 1
    {
      reader.report(
        "must be 1 with data.long_records windows (a long record's windows already form its group of rows); set multiplicity: 1 or long_records: truncate",
        at: top.path("training").appending("augmentation").appending("multiplicity"),
        node: top.value("training")?["augmentation"])
    }
  }
}
