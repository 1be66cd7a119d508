import TacitTensor

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 28×28 grey-scale images of clothing, 10 classes,
/// 60,000 training and 10,000 test images, 6,000 and 1,000 per class.
///
/// On Debian the package `dataset-fashion-mnist` installs the four gzip'd IDX files under
/// `defaultDirectory`: `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`.
public enum FashionMNIST {
  /// Where `dataset-fashion-mnist` installs the files.
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
  /// Image height and width in pixels.
  public static let imageSide = 28
  /// The number of classes.
  public static let classCount = 10
  /// The class names, by label (from the dataset's README).
  public static let classNames = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]

  /// The training and test sets in `directory`: features `[N, 28, 28, 1]`, pixel values 0…255
  /// as `Float` (normalise separately with `Normalizer`), labels 0…9.
  ///
  /// - Throws: `DataError` naming the file: missing (with the package hint), not IDX, truncated,
  ///   images that are not 28×28, a label ≥ 10 (with its byte offset), or image and label files
  ///   that disagree on the count.
  public static func load(directory: String = defaultDirectory) throws -> (train: LabeledDataset, test: LabeledDataset) {
    (
      try load(directory: directory, prefix: "train", name: "fashion-mnist/train"),
      try load(directory: directory, prefix: "t10k", name: "fashion-mnist/test")
    )
  }

  /// One of the two sets: `prefix` is `"train"` or `"t10k"`.
  public static func load(directory: String, prefix: String, name: String) throws -> LabeledDataset {
    let base = directory.hasSuffix("/") ? directory : directory + "/"
    let imagesPath = base + "\(prefix)-images-idx3-ubyte.gz"
    let labelsPath = base + "\(prefix)-labels-idx1-ubyte.gz"
    let images = try IDXReader.read(
      path: imagesPath, expectedMagic: IDXReader.imagesMagic,
      missingFileHint: DataError.fashionMNISTHint)
    guard images.dimensions[1] == imageSide, images.dimensions[2] == imageSide else {
      throw DataError.malformed(
        path: imagesPath, offset: 8,
        reason: "images are \(images.dimensions[1])×\(images.dimensions[2]), expected 28×28")
    }
    let labelArray = try IDXReader.read(
      path: labelsPath, expectedMagic: IDXReader.labelsMagic,
      missingFileHint: DataError.fashionMNISTHint)
    guard images.dimensions[0] == labelArray.count else {
      throw DataError.countMismatch(
        imagesPath: imagesPath, imageCount: images.dimensions[0],
        labelsPath: labelsPath, labelCount: labelArray.count)
    }
    let labels = try checkedLabels(labelArray, classCount: classCount, path: labelsPath)
    return LabeledDataset(
      features: images.floats(shape: images.dimensions + [1]), labels: labels,
      classCount: classCount, name: name, classNames: classNames)
  }

  /// The labels of `array` as `Int32`, each checked against `classCount`.
  static func checkedLabels(_ array: IDXArray, classCount: Int, path: String) throws -> [Int32] {
    try array.withElements { elements in
      if let bad = elements.firstIndex(where: { Int($0) >= classCount }) {
        throw DataError.malformed(
          path: path, offset: array.dataOffset + bad,
          reason: "label \(elements[bad]) of record \(bad) is not below \(classCount)")
      }
      return elements.map { Int32($0) }
    }
  }
}
