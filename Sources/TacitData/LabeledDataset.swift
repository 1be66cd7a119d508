import TacitTensor

/// A set of examples with integer class labels, held in memory.
///
/// Shapes: `features` is `[N, …]` with one row per example: images `[N, H, W, C]` channels-last
/// (Fashion-MNIST `[N, 28, 28, 1]`), tabular data `[N, F]`. `labels[i]` is the class of row `i`,
/// in `0..<classCount`.
public struct LabeledDataset: Sendable, Equatable {
  /// The examples, `[N, …]`.
  public var features: Tensor
  /// The class of each example, `N` values in `0..<classCount`.
  public var labels: [Int32]
  /// The number of classes (labels range over `0..<classCount`; a class may have no examples).
  public var classCount: Int
  /// A short name for reports ("fashion-mnist/train").
  public var name: String
  /// A human name per class index, when known (Fashion-MNIST's names, CSV string labels).
  public var classNames: [String]?

  /// A dataset over `features` and `labels`.
  ///
  /// - Precondition: `features` has rank ≥ 1 and one row per label; every label is in
  ///   `0..<classCount`; `classNames`, if given, has `classCount` entries.
  public init(features: Tensor, labels: [Int32], classCount: Int, name: String, classNames: [String]? = nil) {
    precondition(features.rank >= 1, "dataset \(name): features need a leading example axis, shape \(features.shape)")
    precondition(
      features.shape[0] == labels.count,
      "dataset \(name): \(features.shape[0]) feature rows but \(labels.count) labels")
    precondition(classCount >= 1, "dataset \(name): classCount \(classCount) must be ≥ 1")
    if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
      preconditionFailure("dataset \(name): label \(labels[bad]) at \(bad) outside 0..<\(classCount)")
    }
    precondition(
      classNames == nil || classNames!.count == classCount,
      "dataset \(name): \(classNames?.count ?? 0) class names for \(classCount) classes")
    self.features = features
    self.labels = labels
    self.classCount = classCount
    self.name = name
    self.classNames = classNames
  }

  /// The number of examples, `N`.
  public var count: Int { labels.count }

  /// The shape of one example (`features.shape` without the leading `N`), e.g. `[28, 28, 1]`.
  public var exampleShape: [Int] { Array(features.shape.dropFirst()) }

  /// The number of scalars per example (the product of `exampleShape`).
  public var featuresPerExample: Int { features.elementsPerExample }

  /// The examples at `indices`, in that order (repeats allowed), under the same classes.
  ///
  /// - Precondition: every index is in `0..<count`.
  public func subset(indices: [Int], name: String? = nil) -> LabeledDataset {
    LabeledDataset(
      features: features.gathering(rows: indices), labels: indices.map { labels[$0] },
      classCount: classCount, name: name ?? self.name, classNames: classNames)
  }

  /// How many examples each class has, indexed by class.
  public func classCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }
}
