/// The Gaussian fits behind LiRA: for every record and query, the mean and standard deviation of
/// φ over the reference models on one side (IN: trained on the record; OUT: not).
///
/// Estimators (R records, Q queries, M reference models; for record i the side has n_i models):
/// - mean μ_iq = (1/n_i) Σ_m φ_miq (the maximum-likelihood mean; the authors' code uses the
///   median, a robust variant of the same estimate);
/// - per-record variance s²_iq = Σ_m (φ_miq − μ_iq)² / (n_i − 1) (unbiased), when n_i ≥ 2;
/// - global ("fixed") variance, per query: the pooled within-record variance
///   σ²_q = Σ_i Σ_m (φ_miq − μ_iq)² / Σ_i (n_i − 1), the spread of φ around each record's own mean
///   (the authors' code takes the spread around the grand mean, which also counts how much the
///   records' means differ; the pooled form is the variance the per-record Gaussians share).
///
/// Storage: `[records, queries]` row-major. Cost: two passes over the reference, O(M·R·Q).
struct LiRASideFit {
  let records: Int
  let queries: Int
  /// The number of reference models on this side per record, `[records]`.
  let counts: [Int]
  /// μ_iq, `[records, queries]` (0 where the count is 0).
  let means: [Double]
  /// Σ_m (φ_miq − μ_iq)², `[records, queries]`.
  let sumsOfSquares: [Double]
  /// The pooled variance per query, `[queries]`; nil when no record has two models on this side.
  let pooledVariances: [Double?]

  /// Fits the side where `referenceIsMember[m][i] == member`.
  init(reference: [[[Double]]], referenceIsMember: [[Bool]], member: Bool, records: Int, queries: Int) {
    self.records = records
    self.queries = queries
    var counts = [Int](repeating: 0, count: records)
    var sums = [Double](repeating: 0, count: records * queries)
    for (model, values) in reference.enumerated() {
      for record in 0..<records where referenceIsMember[model][record] == member {
        counts[record] += 1
        for query in 0..<queries { sums[record * queries + query] += values[record][query] }
      }
    }
    var means = sums
    for record in 0..<records where counts[record] > 0 {
      for query in 0..<queries { means[record * queries + query] /= Double(counts[record]) }
    }
    var sumsOfSquares = [Double](repeating: 0, count: records * queries)
    for (model, values) in reference.enumerated() {
      for record in 0..<records where referenceIsMember[model][record] == member {
        for query in 0..<queries {
          let deviation = values[record][query] - means[record * queries + query]
          sumsOfSquares[record * queries + query] += deviation * deviation
        }
      }
    }
    let degreesOfFreedom = counts.reduce(0) { $0 + max($1 - 1, 0) }
    pooledVariances = (0..<queries).map { query in
      guard degreesOfFreedom > 0 else { return nil }
      var total = 0.0
      for record in 0..<records { total += sumsOfSquares[record * queries + query] }
      return total / Double(degreesOfFreedom)
    }
    self.counts = counts
    self.means = means
    self.sumsOfSquares = sumsOfSquares
  }

  /// The mean difference between this side and `other` per query, `[queries]`, over the records
  /// with models on both sides; nil where there is no such record.
  func meanShift(from other: LiRASideFit) -> [Double?] {
    let both = (0..<records).filter { counts[$0] > 0 && other.counts[$0] > 0 }
    return (0..<queries).map { query in
      guard !both.isEmpty else { return nil }
      let total = both.reduce(0.0) { $0 + means[$1 * queries + query] - other.means[$1 * queries + query] }
      return total / Double(both.count)
    }
  }

  /// The Gaussian (μ, σ) of this side for every record and query, `[records, queries]` each, with
  /// the fallbacks `LiRA` documents: a record with no model on this side takes the other side's
  /// mean plus the average shift `shiftFromOther` (this side minus the other); a record with fewer
  /// than two models, or the `global` variance, takes the pooled σ_q of this side, or of the
  /// other side when this side has no degrees of freedom; σ = 0 (identical φ) becomes
  /// `minimumStandardDeviation`.
  func gaussians(
    other: LiRASideFit, shiftFromOther: [Double?], perRecordVariance: Bool, sideName: String
  ) -> (means: [Double], standardDeviations: [Double]) {
    var resolvedMeans = means
    var standardDeviations = [Double](repeating: 0, count: records * queries)
    let globalDeviations: [Double?] = (0..<queries).map { query in
      (pooledVariances[query] ?? other.pooledVariances[query])?.squareRoot()
    }
    for record in 0..<records {
      for query in 0..<queries {
        let index = record * queries + query
        if counts[record] == 0 {
          guard let shift = shiftFromOther[query] else {
            preconditionFailure(
              "LiRA: record \(record) has no \(sideName) reference model, and no record has both IN and OUT models to "
                + "estimate the IN−OUT shift from")
          }
          resolvedMeans[index] = other.means[index] + shift
        }
        var deviation: Double
        if perRecordVariance && counts[record] >= 2 {
          deviation = (sumsOfSquares[index] / Double(counts[record] - 1)).squareRoot()
        } else {
          guard let global = globalDeviations[query] else {
            preconditionFailure(
              "LiRA: no record has two reference models on the same side (IN or OUT), so no variance can be estimated")
          }
          deviation = global
        }
        if deviation == 0 { deviation = LiRA.minimumStandardDeviation }
        standardDeviations[index] = deviation
      }
    }
    return (resolvedMeans, standardDeviations)
  }
}
