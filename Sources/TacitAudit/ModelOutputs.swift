import RealModule

/// A model's outputs on a set of records: the logits and each record's true label, the raw
/// material of every score-based membership-inference attack.
///
/// Shapes: `logits` is `[records, classes]`, row-major (record `i`'s logits are
/// `logits[i * classes ..< (i + 1) * classes]`); `labels` is `[records]`, each in `0 ..< classes`.
///
/// Everything derived here is computed in log space from the logits z, never from rounded
/// probabilities: log p_k = z_k − logsumexp(z) with the maximum subtracted first, so every value
/// is finite for any finite logits (a probability may underflow to 0, its logarithm never does).
public struct ModelOutputs: Sendable {
  /// The logits, `[records, classes]`, row-major.
  public let logits: [Double]
  /// The number of classes (at least 2).
  public let classes: Int
  /// The true label per record, `[records]`.
  public let labels: [Int]

  /// Checks the shapes and values: `classes ≥ 2`, `logits.count == labels.count × classes`, every
  /// logit finite, every label in `0 ..< classes`. Throws `AuditError` naming the first fault.
  public init(logits: [Double], classes: Int, labels: [Int]) throws {
    guard classes >= 2 else {
      throw AuditError("model outputs need at least 2 classes, got \(classes)")
    }
    guard logits.count == labels.count * classes else {
      throw AuditError(
        "\(logits.count) logits for \(labels.count) records × \(classes) classes (expected \(labels.count * classes))")
    }
    if let index = logits.firstIndex(where: { !$0.isFinite }) {
      throw AuditError(
        "logit \(index % classes) of record \(index / classes) is \(logits[index]); logits must be finite numbers")
    }
    if let record = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
      throw AuditError("label of record \(record) is \(labels[record]); labels must be in 0..<\(classes)")
    }
    self.logits = logits
    self.classes = classes
    self.labels = labels
  }

  /// The number of records.
  public var count: Int { labels.count }

  /// log softmax of record `record`'s logits, `[classes]`: log p_k = z_k − logsumexp(z),
  /// computed with the maximum logit subtracted (every entry finite; see `SoftmaxNormaliser`).
  public func logProbabilities(record: Int) -> [Double] {
    precondition((0..<count).contains(record), "record \(record) out of range 0..<\(count)")
    let normaliser = normaliser(record: record)
    let start = record * classes
    return (0..<classes).map { normaliser.logProbability(logits[start + $0]) }
  }

  /// The softmax probability of the true label, p_y = exp(z_y − logsumexp(z)), per record,
  /// `[records]`. May underflow to 0 for a record whose true-label logit is far below the others.
  public func trueLabelProbabilities() -> [Double] {
    (0..<count).map { Double.exp(trueLabelLogProbability(record: $0)) }
  }

  /// log p_y of record `record`, finite, with relative accuracy near p_y = 1 (see `SoftmaxNormaliser`).
  func trueLabelLogProbability(record: Int) -> Double {
    normaliser(record: record).logProbability(logits[record * classes + labels[record]])
  }

  /// The softmax normaliser of record `record`'s logits, skipping class `excluded` when given.
  func normaliser(record: Int, excluding excluded: Int? = nil) -> SoftmaxNormaliser {
    let start = record * classes
    var largest = -1
    for k in 0..<classes where k != excluded && (largest < 0 || logits[start + k] > logits[start + largest]) {
      largest = k
    }
    let maximum = logits[start + largest]
    var rest = 0.0
    for k in 0..<classes where k != excluded && k != largest {
      rest += Double.exp(logits[start + k] - maximum)
    }
    return SoftmaxNormaliser(maximum: maximum, logOnePlusRest: Double.log(onePlus: rest))
  }
}

/// logsumexp of a set of logits split as m + log(1 + r): m the largest logit, r = Σ exp(z_k − m)
/// over the others (r ∈ [0, count − 1]).
///
/// log p_k = (z_k − m) − log1p(r): for the largest class this is −log1p(r), accurate to a few ulps
/// even when p_k is within 1e-300 of 1 (the loss of a well-fitted training record), where
/// z_k − (m + log(1 + r)) would round to 0. Every value is finite for finite logits.
struct SoftmaxNormaliser {
  /// The largest logit m.
  let maximum: Double
  /// log(1 + r), r the sum of exp(z_k − m) over the other logits.
  let logOnePlusRest: Double

  /// logsumexp of the logits, m + log1p(r).
  var value: Double { maximum + logOnePlusRest }

  /// log softmax of `logit`: (z − m) − log1p(r).
  func logProbability(_ logit: Double) -> Double {
    (logit - maximum) - logOnePlusRest
  }
}
