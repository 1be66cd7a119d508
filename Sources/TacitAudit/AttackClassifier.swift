import RealModule

/// Shokri et al.'s learned membership-inference attack (Shokri, Stronati, Song & Shmatikov 2017,
/// "Membership Inference Attacks Against Machine Learning Models", IEEE S&P 2017): shadow models
/// trained like the target provide output vectors on their own IN and OUT records, labelled IN and
/// OUT; a binary classifier learns member vs non-member from them and is then applied to the
/// target model's outputs.
///
/// The classifier is a one-hidden-layer perceptron (F inputs, H tanh units, one output):
///
///   x̂ = (x − mean) / scale   (the training features' mean and standard deviation),
///   h = tanh(W x̂ + b),  W `[H, F]` row-major,  b `[H]`,
///   s = v·h + c,        v `[H]`,
///
/// where s is the predicted log-odds of membership (the score: higher = member). Training
/// minimises the binary cross-entropy softplus(s) − y·s (the logistic loss, stable for any s) with
/// Adam; see `AttackClassifier+Training.swift`. A linear model (logistic regression) is the H = 0
/// special case and cannot separate members by the *spread* of a feature (e.g. members' p_y
/// concentrated near 1 with non-members both above and below it); the hidden layer can, and the
/// tests show it (`AttackClassifierTests.varianceShiftNeedsTheHiddenLayer`).
///
/// Shokri trains one attack model per class. Here one global model sees the label-agnostic
/// sorted probability vector plus the true label's p_y and log p_y (`features`), which carries
/// the per-class signal we use (how confident the model is on the true label) without splitting
/// the shadow data into `classes` small training sets.
public struct AttackClassifier: Sendable {
  /// Training hyperparameters. The defaults make 30 passes in batches of 64 (about 4 700 Adam
  /// steps for 10⁴ records).
  public struct Configuration: Sendable, Equatable {
    /// H, the number of tanh hidden units.
    public var hiddenUnits: Int
    /// Passes over the training set.
    public var epochs: Int
    /// Examples per Adam step.
    public var batchSize: Int
    /// Adam's step size.
    public var learningRate: Double

    public init(hiddenUnits: Int = 32, epochs: Int = 30, batchSize: Int = 64, learningRate: Double = 0.01) {
      precondition(
        hiddenUnits > 0 && epochs > 0 && batchSize > 0,
        "AttackClassifier: \(hiddenUnits) units, \(epochs) epochs, batch \(batchSize): all must be positive")
      precondition(learningRate > 0 && learningRate.isFinite, "AttackClassifier: learning rate \(learningRate)")
      self.hiddenUnits = hiddenUnits
      self.epochs = epochs
      self.batchSize = batchSize
      self.learningRate = learningRate
    }
  }

  /// F, the number of features.
  public let featureCount: Int
  /// H, the number of hidden units.
  public let hiddenUnits: Int
  /// The training features' mean per feature, `[F]`.
  public let featureMeans: [Double]
  /// The training features' standard deviation per feature, `[F]` (1 for a constant feature).
  public let featureScales: [Double]
  /// W, `[H, F]` row-major.
  let hiddenWeights: [Double]
  /// b, `[H]`.
  let hiddenBiases: [Double]
  /// v, `[H]`.
  let outputWeights: [Double]
  /// c.
  let outputBias: Double

  /// The attack's features per record, `[records][classes + 2]`: the softmax probabilities sorted
  /// in descending order (label-agnostic, as in Shokri et al.'s shadow-model outputs), then p_y,
  /// then log p_y (finite even when p_y underflows; see `ModelOutputs`).
  public static func features(_ outputs: ModelOutputs) -> [[Double]] {
    (0..<outputs.count).map { record in
      let logProbabilities = outputs.logProbabilities(record: record)
      let logTrue = logProbabilities[outputs.labels[record]]
      return logProbabilities.map { Double.exp($0) }.sorted(by: >) + [Double.exp(logTrue), logTrue]
    }
  }

  /// The predicted log-odds of membership per record, `[records]` (higher = member), each finite.
  public func scores(_ features: [[Double]]) -> [Double] {
    var hidden = [Double](repeating: 0, count: hiddenUnits)
    return features.enumerated().map { record, row in
      precondition(
        row.count == featureCount, "AttackClassifier: record \(record) has \(row.count) features, not \(featureCount)")
      return forward(standardised(row), hidden: &hidden)
    }
  }

  /// (x − mean) / scale, `[F]`.
  func standardised(_ row: [Double]) -> [Double] {
    (0..<featureCount).map { (row[$0] - featureMeans[$0]) / featureScales[$0] }
  }

  /// s = v·tanh(W x̂ + b) + c; leaves the hidden activations in `hidden` `[H]`.
  func forward(_ input: [Double], hidden: inout [Double]) -> Double {
    var output = outputBias
    for unit in 0..<hiddenUnits {
      var preactivation = hiddenBiases[unit]
      let row = unit * featureCount
      for feature in 0..<featureCount { preactivation += hiddenWeights[row + feature] * input[feature] }
      let activation = Double.tanh(preactivation)
      hidden[unit] = activation
      output += outputWeights[unit] * activation
    }
    return output
  }
}
