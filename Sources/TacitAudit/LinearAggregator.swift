/// The aggregator of dataset inference: a least-squares linear model from per-text membership
/// scores (features) to a 0/1 label, whose prediction is the text's aggregate score (Maini et al.
/// 2024, "LLM Dataset Inference": a linear model learns which scores, with which signs and
/// weights, separate suspect from control texts).
///
/// Features are standardised with the training rows' means and standard deviations (a constant
/// feature gets standard deviation 1, hence weight 0 after centring), then
/// w = argmin ‖y − b − X w‖² + λ‖w‖² with λ = `ridge` · rows, solved in closed form:
/// b = mean(y) (centred features) and (XᵀX + λI) w = Xᵀ(y − b) by Cholesky. The small ridge
/// keeps collinear scores (loss and Min-K% at large k are nearly one feature) solvable.
///
/// Shapes: rows `[N][D]`, D features per text; cost O(N·D² + D³).
public struct LinearAggregator: Sendable {
  /// D weights on the standardised features.
  public let weights: [Double]
  public let intercept: Double
  /// The training means and standard deviations of the D features.
  public let means: [Double]
  public let standardDeviations: [Double]

  /// Fits rows `features[i]` (all of one length D ≥ 1, finite) to `labels[i]`.
  public init(features: [[Double]], labels: [Double], ridge: Double = 1e-3) {
    precondition(
      !features.isEmpty && features.count == labels.count,
      "need one label per row, got \(features.count) rows and \(labels.count) labels")
    let dimension = features[0].count
    precondition(dimension >= 1 && features.allSatisfy { $0.count == dimension }, "every row needs \(dimension) features")
    let count = Double(features.count)
    means = (0..<dimension).map { j in features.reduce(0) { $0 + $1[j] } / count }
    standardDeviations = (0..<dimension).map { [means] j in
      let variance = features.reduce(0) { $0 + ($1[j] - means[j]) * ($1[j] - means[j]) } / count
      return variance > 0 ? variance.squareRoot() : 1
    }
    intercept = labels.reduce(0, +) / count
    let standardised = features.map { [means, standardDeviations] row in
      (0..<dimension).map { (row[$0] - means[$0]) / standardDeviations[$0] }
    }
    var gram = [Double](repeating: 0, count: dimension * dimension)
    var moment = [Double](repeating: 0, count: dimension)
    for (row, label) in zip(standardised, labels) {
      for i in 0..<dimension {
        moment[i] += row[i] * (label - intercept)
        for j in 0..<dimension { gram[i * dimension + j] += row[i] * row[j] }
      }
    }
    for i in 0..<dimension { gram[i * dimension + i] += ridge * count }
    weights = Self.solveSymmetricPositiveDefinite(gram, moment, dimension: dimension)
  }

  /// b + Σ_j w_j (x_j − mean_j)/sd_j.
  public func predict(_ row: [Double]) -> Double {
    precondition(row.count == weights.count, "the aggregator takes \(weights.count) features, got \(row.count)")
    var total = intercept
    for j in weights.indices { total += weights[j] * (row[j] - means[j]) / standardDeviations[j] }
    return total
  }

  /// Solves A x = b for a symmetric positive-definite `[D, D]` A (row-major) by Cholesky,
  /// A = L Lᵀ, then two triangular solves.
  static func solveSymmetricPositiveDefinite(_ matrix: [Double], _ right: [Double], dimension: Int) -> [Double] {
    var lower = [Double](repeating: 0, count: dimension * dimension)
    for i in 0..<dimension {
      for j in 0...i {
        var sum = matrix[i * dimension + j]
        for k in 0..<j { sum -= lower[i * dimension + k] * lower[j * dimension + k] }
        if i == j {
          precondition(sum > 0, "the ridge system is not positive definite (pivot \(sum) at \(i))")
          lower[i * dimension + i] = sum.squareRoot()
        } else {
          lower[i * dimension + j] = sum / lower[j * dimension + j]
        }
      }
    }
    var forward = [Double](repeating: 0, count: dimension)
    for i in 0..<dimension {
      var sum = right[i]
      for k in 0..<i { sum -= lower[i * dimension + k] * forward[k] }
      forward[i] = sum / lower[i * dimension + i]
    }
    var solution = [Double](repeating: 0, count: dimension)
    for i in stride(from: dimension - 1, through: 0, by: -1) {
      var sum = forward[i]
      for k in (i + 1)..<dimension { sum -= lower[k * dimension + i] * solution[k] }
      solution[i] = sum / lower[i * dimension + i]
    }
    return solution
  }
}
