/// The Robust Membership Inference Attack (Zarifzadeh, Liu, Mahloujifar & Shokri 2024, "Low-Cost
/// High-Power Membership Inference Attacks", ICML 2024).
///
/// With Pr(x|θ) the target model's softmax probability of x's true label and Pr(x) the same
/// probability averaged over reference models (x's probability under a model from the training
/// distribution), each record is compared with population records z that no model trained on:
///
///   LR(x, z) = [Pr(x|θ) / Pr(x)] / [Pr(z|θ) / Pr(z)],
///   score(x) = (1/|Z|) · #{z ∈ Z : LR(x, z) > γ}   ∈ [0, 1].
///
/// - online: Pr(x) = mean of Pr(x|θ') over all reference models (IN and OUT for x, about half each).
/// - offline: Pr(x) = ((1 + a)/2)·mean_{OUT θ'} Pr(x|θ') + (1 − a)/2, the paper's linear
///   approximation of the missing IN models from the OUT ones (a ∈ [0, 1]; a = 1 is the OUT mean,
///   the paper tunes a on a reference model, e.g. 0.3 for CIFAR-10).
/// - population z: Pr(z) = mean over all reference models (all of them are OUT for z), in both modes.
/// - offline, a record with no OUT reference model (every model trained on it; likely only with
///   a handful of models): Pr(x) uses the mean over all models in place of the OUT mean.
///
/// The score is a fraction, so many records may tie; that is expected. Scaling every target-model
/// probability (records and population) by one constant leaves every score unchanged.
///
/// Shapes: `targetProbabilities` `[records]`; `referenceProbabilities` `[models][records]`;
/// `referenceIsMember` `[models][records]`; `populationTargetProbabilities` `[population]`;
/// `populationReferenceProbabilities` `[models][population]`. Probabilities in [0, 1]; every
/// Pr(x) and Pr(z) must be positive (preconditions name the record).
///
/// Cost: O(models × (records + population)) for the means, then the population ratios are sorted
/// once and each record counts its dominated z by binary search: O((n + m) log m) for n records
/// and m population records, not O(n·m). The search evaluates the same comparison
/// r_x / r_z > γ (r = Pr(·|θ)/Pr(·)) as the definition (division is monotone in IEEE arithmetic), so the
/// counts equal the brute-force ones exactly, ties included.
public enum RMIA {
  /// Offline RMIA scores, `[records]`, each in [0, 1]: Pr(x) from the OUT reference models with
  /// the linear correction `a`, compared with the population at threshold `gamma` (> 0).
  public static func offlineScores(
    targetProbabilities: [Double], referenceProbabilities: [[Double]], referenceIsMember: [[Bool]],
    populationTargetProbabilities: [Double], populationReferenceProbabilities: [[Double]], a: Double, gamma: Double
  ) -> [Double] {
    precondition(a >= 0 && a <= 1, "RMIA: offline a = \(a) must be in [0, 1]")
    checkShapes(targetProbabilities, referenceProbabilities, name: "record")
    precondition(
      referenceIsMember.count == referenceProbabilities.count
        && referenceIsMember.allSatisfy { $0.count == targetProbabilities.count },
      "RMIA: referenceIsMember must be [\(referenceProbabilities.count)][\(targetProbabilities.count)]")
    let records = targetProbabilities.count
    var sums = [Double](repeating: 0, count: records)
    var counts = [Int](repeating: 0, count: records)
    for (model, probabilities) in referenceProbabilities.enumerated() {
      for record in 0..<records where !referenceIsMember[model][record] {
        sums[record] += probabilities[record]
        counts[record] += 1
      }
    }
    // A record that every reference model trained on (probability 2^-models per record) has no
    // OUT model: its Pr(x) falls back to the mean over all reference models, the online estimate.
    let allModels = means(referenceProbabilities)
    let marginals = (0..<records).map { record in
      let outMean = counts[record] > 0 ? sums[record] / Double(counts[record]) : allModels[record]
      return (1 + a) / 2 * outMean + (1 - a) / 2
    }
    return scores(
      targetRatios: ratios(targetProbabilities, marginals, name: "record"),
      populationTargetProbabilities: populationTargetProbabilities,
      populationReferenceProbabilities: populationReferenceProbabilities, models: referenceProbabilities.count,
      gamma: gamma)
  }

  /// Online RMIA scores, `[records]`, each in [0, 1]: Pr(x) is the mean over all reference models.
  public static func onlineScores(
    targetProbabilities: [Double], referenceProbabilities: [[Double]], populationTargetProbabilities: [Double],
    populationReferenceProbabilities: [[Double]], gamma: Double
  ) -> [Double] {
    checkShapes(targetProbabilities, referenceProbabilities, name: "record")
    return scores(
      targetRatios: ratios(targetProbabilities, means(referenceProbabilities), name: "record"),
      populationTargetProbabilities: populationTargetProbabilities,
      populationReferenceProbabilities: populationReferenceProbabilities, models: referenceProbabilities.count,
      gamma: gamma)
  }

  /// The fraction of population ratios r_z with r_x / r_z > γ, for every r_x.
  static func scores(
    targetRatios: [Double], populationTargetProbabilities: [Double], populationReferenceProbabilities: [[Double]],
    models: Int, gamma: Double
  ) -> [Double] {
    precondition(gamma > 0 && gamma.isFinite, "RMIA: gamma = \(gamma) must be positive and finite")
    precondition(
      populationReferenceProbabilities.count == models,
      "RMIA: \(populationReferenceProbabilities.count) population reference rows for \(models) reference models")
    checkShapes(populationTargetProbabilities, populationReferenceProbabilities, name: "population record")
    let population = ratios(
      populationTargetProbabilities, means(populationReferenceProbabilities), name: "population record"
    ).sorted()
    let size = Double(population.count)
    return targetRatios.map { ratio in
      // r_x / r_z > γ holds for a prefix of the ascending r_z: find its length.
      var low = 0
      var high = population.count
      while low < high {
        let middle = (low + high) / 2
        if ratio / population[middle] > gamma { low = middle + 1 } else { high = middle }
      }
      return Double(low) / size
    }
  }

  /// Pr(·|θ) / Pr(·) elementwise; every marginal must be positive.
  static func ratios(_ probabilities: [Double], _ marginals: [Double], name: String) -> [Double] {
    zip(probabilities, marginals).enumerated().map { index, pair in
      precondition(
        pair.1 > 0, "RMIA: \(name) \(index) has mean reference probability \(pair.1); it must be positive")
      return pair.0 / pair.1
    }
  }

  /// The mean over models of `[models][records]`, `[records]`.
  static func means(_ rows: [[Double]]) -> [Double] {
    var sums = [Double](repeating: 0, count: rows[0].count)
    for row in rows {
      for (index, value) in row.enumerated() { sums[index] += value }
    }
    return sums.map { $0 / Double(rows.count) }
  }

  /// Non-empty, rectangular, probabilities in [0, 1].
  static func checkShapes(_ target: [Double], _ reference: [[Double]], name: String) {
    precondition(!target.isEmpty, "RMIA: no \(name)s")
    precondition(!reference.isEmpty, "RMIA: no reference models")
    for (index, value) in target.enumerated() {
      precondition(value >= 0 && value <= 1, "RMIA: target probability of \(name) \(index) is \(value)")
    }
    for (model, row) in reference.enumerated() {
      precondition(
        row.count == target.count, "RMIA: reference model \(model) has \(row.count) \(name)s, not \(target.count)")
      for (index, value) in row.enumerated() {
        precondition(value >= 0 && value <= 1, "RMIA: reference model \(model), \(name) \(index): probability \(value)")
      }
    }
  }
}
