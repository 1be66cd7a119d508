import TacitTensor

/// A per-feature affine map applied to features before training: `x ↦ (x − shift)·factor`.
///
/// Statistics are fitted on training records only and stored with the run (the type is
/// `Codable`), so that test and audit records go through exactly the same map.
///
/// "Feature" means one scalar position of an example: for tabular `[N, F]` there are `F`; for
/// images `[N, 28, 28, 1]` there are 784 (one per pixel).
public enum Normalizer: Sendable, Equatable, Codable {
  /// No change.
  case none
  /// `x ↦ x·scale`; `unitRange(scale: 1/255)` maps pixel values 0…255 to 0…1.
  case unitRange(scale: Float)
  /// `x_j ↦ (x_j − mean_j) / standardDeviation_j` per feature `j`; one entry per feature.
  case standard(mean: [Float], standardDeviation: [Float])

  /// The standard-deviation floor of `fitStandard`: a feature whose (population) standard
  /// deviation is below this is treated as constant and gets standard deviation 1, i.e. it is
  /// only centred (as scikit-learn's `StandardScaler` does for zero variance). Dividing by a tiny
  /// value instead would blow up any unseen variation, e.g. a test image with ink in a pixel that
  /// is blank in every training image.
  public static let minimumStandardDeviation: Float = 1e-6

  /// The `/255` map for 8-bit pixel data.
  public static let pixels = Normalizer.unitRange(scale: 1.0 / 255.0)

  /// Per-feature mean and population standard deviation, `sqrt(Σ(x − mean)²/N)`, of `dataset`,
  /// computed in two passes in Double. Standard deviations below `minimumStandardDeviation`
  /// become 1.
  ///
  /// - Precondition: `dataset` has at least one example.
  public static func fitStandard(to dataset: LabeledDataset) -> Normalizer {
    let rows = dataset.count
    let width = dataset.featuresPerExample
    precondition(rows > 0, "cannot fit a standard normalizer on the empty dataset \(dataset.name)")
    var sums = [Double](repeating: 0, count: width)
    var squares = [Double](repeating: 0, count: width)
    dataset.features.scalars.withUnsafeBufferPointer { x in
      for row in 0..<rows {
        for feature in 0..<width { sums[feature] += Double(x[row * width + feature]) }
      }
      let means = sums.map { $0 / Double(rows) }
      for row in 0..<rows {
        for feature in 0..<width {
          let deviation = Double(x[row * width + feature]) - means[feature]
          squares[feature] += deviation * deviation
        }
      }
      sums = means
    }
    let deviations = squares.map { value -> Float in
      let deviation = Float((value / Double(rows)).squareRoot())
      return deviation < minimumStandardDeviation ? 1 : deviation
    }
    return .standard(mean: sums.map { Float($0) }, standardDeviation: deviations)
  }

  /// `dataset` with its features mapped.
  public func apply(to dataset: LabeledDataset) -> LabeledDataset {
    var result = dataset
    result.features = apply(to: dataset.features)
    return result
  }

  /// `features` (`[N, …]`) mapped.
  ///
  /// - Precondition: for `.standard`, one statistic per feature (`features.elementsPerExample`).
  public func apply(to features: Tensor) -> Tensor {
    switch self {
    case .none:
      return features
    case .unitRange(let scale):
      var result = features
      result.scale(by: scale)
      return result
    case .standard(let mean, let standardDeviation):
      let width = features.elementsPerExample
      precondition(
        mean.count == width && standardDeviation.count == width,
        "standard normalizer has \(mean.count) means and \(standardDeviation.count) deviations for \(width) features")
      let factors = standardDeviation.map { 1 / $0 }
      var result = features
      result.scalars.withUnsafeMutableBufferPointer { x in
        for row in 0..<features.batchSize {
          for feature in 0..<width {
            x[row * width + feature] = (x[row * width + feature] - mean[feature]) * factors[feature]
          }
        }
      }
      return result
    }
  }
}
