/// LiRA's per-record statistic, the logit-scaled confidence (Carlini et al. 2022, "Membership
/// Inference Attacks From First Principles", IEEE S&P 2022):
///
///   φ = log p_y − log Σ_{y'≠y} p_{y'} = log(p_y / (1 − p_y)),
///
/// the log-odds of the true label. Unlike p_y it is close to Gaussian across models trained with
/// and without the record, which LiRA's parametric test relies on.
///
/// Computed from the logits z without forming probabilities: φ = z_y − logsumexp_{y'≠y} z_{y'}
/// (the softmax normaliser cancels), finite for any finite logits and accurate to a few ulps of
/// max(|z_y|, |logsumexp_{y'≠y} z_{y'}|). Cost: O(records × classes).
public enum LogitScaledConfidence {
  /// φ per record, `[records]`.
  public static func values(_ outputs: ModelOutputs) -> [Double] {
    (0..<outputs.count).map { value(outputs, record: $0) }
  }

  /// φ of one record.
  static func value(_ outputs: ModelOutputs, record: Int) -> Double {
    let label = outputs.labels[record]
    return outputs.logits[record * outputs.classes + label] - outputs.normaliser(record: record, excluding: label).value
  }
}
