import TacitData
import TacitNN
import TacitTensor

/// Mean loss and accuracy of a model on a dataset (and, for a language model, perplexity and bits
/// per byte).
public struct Evaluation: Sendable, Equatable, Codable {
  /// The mean per-example loss.
  public var loss: Double
  /// The fraction of examples classified correctly.
  public var accuracy: Double
  /// The number of examples evaluated.
  public var count: Int
  /// Language models (`EvaluationMetric.nextToken`): `exp(loss)`, the per-token perplexity;
  /// `nil` for classification.
  public var perplexity: Double? = nil
  /// Language models: bits per byte of text; `nil` for classification (or no bytes).
  public var bitsPerByte: Double? = nil
  /// Language models: the number of predicted tokens the loss averages over.
  public var tokens: Int? = nil

  public init(loss: Double, accuracy: Double, count: Int) {
    self.loss = loss
    self.accuracy = accuracy
    self.count = count
  }

  /// Evaluates `model` in inference mode on `dataset` with `metric`: classification (`loss`
  /// is the mean per-example cross-entropy, `accuracy` the fraction classified correctly) or
  /// next-token prediction (`evaluateNextToken`: `loss` per token, next-token `accuracy`,
  /// perplexity and bits per byte).
  public static func evaluate(_ model: Sequential, on dataset: LabeledDataset, metric: EvaluationMetric) -> Evaluation {
    switch metric {
    case .classification(let loss): evaluate(model, on: dataset, loss: loss)
    case .nextToken(let tokenByteLengths): evaluateNextToken(model, on: dataset, tokenByteLengths: tokenByteLengths)
    }
  }

  /// Evaluates `model` in inference mode on `dataset`, `batchSize` examples at a time.
  public static func evaluate(
    _ model: Sequential, on dataset: LabeledDataset, loss: SoftmaxCrossEntropy = SoftmaxCrossEntropy(),
    batchSize: Int = 1000
  ) -> Evaluation {
    let total = dataset.labels.count
    guard total > 0 else { return Evaluation(loss: .nan, accuracy: .nan, count: 0) }
    var lossSum: Double = 0
    var correct = 0
    var start = 0
    var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
    while start < total {
      let end = min(start + batchSize, total)
      let inputs = dataset.features.rows(start..<end)
      let labels = Array(dataset.labels[start..<end])
      let logits = model.forward(inputs, mode: .inference, generator: &generator)
      let (losses, _) = loss.lossesAndGradient(logits: logits, labels: labels)
      lossSum += losses.reduce(0) { $0 + Double($1) }
      correct += zip(logits.argmaxRows(), labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
      start = end
    }
    return Evaluation(loss: lossSum / Double(total), accuracy: Double(correct) / Double(total), count: total)
  }
}
