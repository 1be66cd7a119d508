import TacitTensor

/// Gaussian blobs: a synthetic classification set for tests and quick experiments.
///
/// Class `k` has mean `μ_k ∈ ℝ^F` and unit covariance: `x = μ_k + z`, `z ~ N(0, I_F)`.
/// Means: when `classes ≤ features`, `μ_k = (separation/√2)·q_k` with `q_1…q_K` orthonormal
/// directions drawn at random (Gram–Schmidt on Gaussian vectors), so every pair of means is exactly
/// `separation` apart. Otherwise `μ_k ~ N(0, (separation²/2F)·I)`, so pairs are `separation`
/// apart in root-mean-square, not exactly. Two classes at separation `s` are told apart by the
/// best (linear) rule with error Φ(−s/2): 2.3% at `s = 4`.
///
/// Labels: example `i` has class `i mod classes`, so classes are interleaved and balanced (counts
/// differ by at most one). Deterministic: the same generator state gives the same dataset.
public enum SyntheticBlobs {
  /// A dataset with features `[samples, features]` and labels `0..<classes`.
  ///
  /// - Precondition: `classes ≥ 2`, `features ≥ 1`, `samples ≥ 0`, `separation ≥ 0` and finite.
  public static func make<Generator: RandomNumberGenerator>(
    classes: Int, features: Int, samples: Int, separation: Float, generator: inout Generator,
    name: String = "synthetic-blobs"
  ) -> LabeledDataset {
    precondition(
      classes >= 2 && features >= 1 && samples >= 0,
      "SyntheticBlobs needs classes ≥ 2, features ≥ 1, samples ≥ 0; got \(classes), \(features), \(samples)")
    precondition(separation >= 0 && separation.isFinite, "SyntheticBlobs separation \(separation) must be finite and ≥ 0")
    let means = classMeans(classes: classes, features: features, separation: separation, generator: &generator)
    var scalars = Random.normal(count: samples * features, using: &generator)
    var labels = [Int32](repeating: 0, count: samples)
    for example in 0..<samples {
      let label = example % classes
      labels[example] = Int32(label)
      for feature in 0..<features {
        scalars[example * features + feature] += means[label * features + feature]
      }
    }
    return LabeledDataset(
      features: Tensor(shape: [samples, features], scalars: scalars), labels: labels,
      classCount: classes, name: name)
  }

  /// The class means, `[classes, features]` row-major (see the type's documentation).
  public static func classMeans<Generator: RandomNumberGenerator>(
    classes: Int, features: Int, separation: Float, generator: inout Generator
  ) -> [Float] {
    if classes > features {
      let scale = separation / (2 * Float(features)).squareRoot()
      return Random.normal(count: classes * features, standardDeviation: scale, using: &generator)
    }
    // Gram–Schmidt (modified, twice for stability) in Double on Gaussian rows.
    var directions = [[Double]]()
    while directions.count < classes {
      var vector = Random.normal(count: features, using: &generator).map(Double.init)
      for _ in 0..<2 {
        for direction in directions {
          let projection = zip(vector, direction).reduce(0) { $0 + $1.0 * $1.1 }
          for index in vector.indices { vector[index] -= projection * direction[index] }
        }
      }
      let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
      if norm < 1e-6 { continue }  // a degenerate draw (probability ~0): draw again
      directions.append(vector.map { $0 / norm })
    }
    let scale = Double(separation) / 2.0.squareRoot()
    return directions.flatMap { $0.map { Float($0 * scale) } }
  }
}
