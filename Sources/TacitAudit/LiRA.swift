/// The Likelihood Ratio Attack (Carlini, Chien, Nasr, Song, Terzis & Tramèr 2022, "Membership
import TacitMath

/// Inference Attacks From First Principles", IEEE S&P 2022; Algorithm 1 is the online attack).
///
/// For each record x, reference (shadow) models trained with x (IN) and without it (OUT) give
/// two samples of its logit-scaled confidence φ (`LogitScaledConfidence`); LiRA fits a Gaussian to
/// each and asks how much likelier the target model's φ is under IN than under OUT:
///
///   online:  Λ = log N(φ; μ_in, σ_in²) − log N(φ; μ_out, σ_out²)
///   offline: Λ = −log P[Z > φ],  Z ~ N(μ_out, σ_out²)   (one-sided test against OUT only)
///
/// With several queries per record (augmentations: the record, its mirror, shifts), each query
/// has its own Gaussians and Λ is the mean over queries (as in the paper and the authors' code).
/// Higher Λ means "more likely a member"; every score is finite.
///
/// Shapes: `target` `[records][queries]`; `reference` `[models][records][queries]`;
/// `referenceIsMember` `[models][records]` (true when the model trained on the record).
///
/// Variance (`Variance`): per record and query (unbiased, over that record's IN or OUT models),
/// or global: one variance per side and query, pooled over all records (the paper's "fixed
/// variance", which it recommends below 64 reference models; `automatic` does exactly that).
/// Estimators and storage are in `LiRASideFit`.
///
/// Records missing a side: the paper trains each reference model on a random half of the
/// population, so a record has IN and OUT models except by chance (probability 2^{1−M} with M
/// models); the paper does not say what to do then, and the authors' code breaks (a median of
/// an empty set). Here the missing mean is the other side's mean shifted by the IN−OUT mean
/// difference averaged over the records that have both sides (per query), and the missing
/// variance is the global one: the score stays a log-likelihood ratio on the same scale as every
/// other record's, which a threshold shared by all records needs (falling back to the offline
/// score would mix two scales). Offline needs OUT only: a record with no OUT model gets μ_out =
/// μ_in − shift the same way.
///
/// σ floor: only when a fitted variance is exactly 0 (all φ identical, e.g. a saturated model),
/// σ becomes `minimumStandardDeviation` so the score stays finite; nowhere else.
///
/// Cost: O(models × records × queries) time, O(records × queries) extra memory.
public enum LiRA {
  /// How σ is estimated.
  public enum Variance: String, Sendable, Codable {
    /// One σ per side (IN, OUT) and query, pooled over all records.
    case global
    /// σ per record, side and query (falls back to `global` for a side with fewer than two models).
    case perRecord = "per_record"
    /// `global` with fewer than 64 reference models, `perRecord` otherwise (the paper's recommendation).
    case automatic

    /// Whether σ is estimated per record for `models` reference models.
    func isPerRecord(models: Int) -> Bool {
      switch self {
      case .global: false
      case .perRecord: true
      case .automatic: models >= LiRA.perRecordVarianceMinimumModels
      }
    }
  }

  /// The number of reference models from which `automatic` estimates σ per record: 64.
  public static let perRecordVarianceMinimumModels = 64

  /// The σ used when a fitted variance is exactly 0: 1e-6, far below the resolution of φ (a
  /// log-odds) that any trained model carries, so it only keeps the score finite.
  public static let minimumStandardDeviation = 1e-6

  /// Online LiRA: per query log N(φ; μ_in, σ_in²) − log N(φ; μ_out, σ_out²), averaged over
  /// queries, `[records]`.
  public static func onlineScores(
    target: [[Double]], reference: [[[Double]]], referenceIsMember: [[Bool]], variance: Variance
  ) -> [Double] {
    let (queries, inside, outside) = fit(target: target, reference: reference, referenceIsMember: referenceIsMember)
    let perRecord = variance.isPerRecord(models: reference.count)
    let shift = inside.meanShift(from: outside)
    let member = inside.gaussians(
      other: outside, shiftFromOther: shift, perRecordVariance: perRecord, sideName: "IN")
    let nonMember = outside.gaussians(
      other: inside, shiftFromOther: shift.map { $0.map { -$0 } }, perRecordVariance: perRecord, sideName: "OUT")
    return target.enumerated().map { record, values in
      var total = 0.0
      for (query, phi) in values.enumerated() {
        let index = record * queries + query
        total +=
          StandardNormal.logDensity(phi, mean: member.means[index], standardDeviation: member.standardDeviations[index])
          - StandardNormal.logDensity(
            phi, mean: nonMember.means[index], standardDeviation: nonMember.standardDeviations[index])
      }
      return total / Double(queries)
    }
  }

  /// Offline LiRA: per query −log P[Z > φ] for Z ~ N(μ_out, σ_out²) (log-survival, accurate far
  /// into the tail), averaged over queries, `[records]`. IN reference models are used only to
  /// estimate μ_out for a record without OUT models (see above).
  public static func offlineScores(
    target: [[Double]], reference: [[[Double]]], referenceIsMember: [[Bool]], variance: Variance
  ) -> [Double] {
    let (queries, inside, outside) = fit(target: target, reference: reference, referenceIsMember: referenceIsMember)
    let nonMember = outside.gaussians(
      other: inside, shiftFromOther: outside.meanShift(from: inside),
      perRecordVariance: variance.isPerRecord(models: reference.count), sideName: "OUT")
    return target.enumerated().map { record, values in
      var total = 0.0
      for (query, phi) in values.enumerated() {
        let index = record * queries + query
        total -= StandardNormal.logSurvival((phi - nonMember.means[index]) / nonMember.standardDeviations[index])
      }
      return total / Double(queries)
    }
  }

  /// Checks the shapes and fits both sides; returns the number of queries.
  static func fit(
    target: [[Double]], reference: [[[Double]]], referenceIsMember: [[Bool]]
  ) -> (queries: Int, inside: LiRASideFit, outside: LiRASideFit) {
    let records = target.count
    let queries = target.first?.count ?? 0
    precondition(records > 0 && queries > 0, "LiRA: \(records) target records with \(queries) queries")
    precondition(!reference.isEmpty, "LiRA: no reference models")
    precondition(
      referenceIsMember.count == reference.count,
      "LiRA: \(reference.count) reference models but \(referenceIsMember.count) membership rows")
    for (record, values) in target.enumerated() {
      precondition(values.count == queries, "LiRA: target record \(record) has \(values.count) queries, not \(queries)")
      precondition(values.allSatisfy(\.isFinite), "LiRA: target record \(record) has a non-finite φ: \(values)")
    }
    for (model, values) in reference.enumerated() {
      precondition(
        values.count == records && referenceIsMember[model].count == records,
        "LiRA: reference model \(model) has \(values.count) records and \(referenceIsMember[model].count) labels, "
          + "not \(records)")
      for (record, row) in values.enumerated() {
        precondition(
          row.count == queries && row.allSatisfy(\.isFinite),
          "LiRA: reference model \(model), record \(record): \(row) (need \(queries) finite φ)")
      }
    }
    let inside = LiRASideFit(
      reference: reference, referenceIsMember: referenceIsMember, member: true, records: records, queries: queries)
    let outside = LiRASideFit(
      reference: reference, referenceIsMember: referenceIsMember, member: false, records: records, queries: queries)
    return (queries, inside, outside)
  }
}
