import RealModule

extension AttackClassifier {
  /// Trains the attack on shadow-model features with the default `Configuration`.
  public static func train<G: RandomNumberGenerator>(
    features: [[Double]], isMember: [Bool], generator: inout G
  ) -> AttackClassifier {
    train(features: features, isMember: isMember, configuration: Configuration(), generator: &generator)
  }

  /// Trains the attack: standardise the features with their mean and standard deviation, draw
  /// Glorot-uniform weights (W ~ U(±√(6/(F + H))), v ~ U(±√(6/(H + 1))), biases 0), then
  /// `epochs` passes over a fresh shuffle of the records in mini-batches, each an Adam step
  /// (Kingma & Ba 2015; β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected) on the batch's mean
  /// binary cross-entropy softplus(s) − y·s, whose gradient in s is σ(s) − y.
  ///
  /// Deterministic: the same features, labels, configuration and generator state give the same
  /// classifier, bit for bit. Shapes: `features` `[records][F]`, `isMember` `[records]`; needs
  /// at least one member and one non-member. Cost: O(epochs × records × F × H).
  public static func train<G: RandomNumberGenerator>(
    features: [[Double]], isMember: [Bool], configuration: Configuration, generator: inout G
  ) -> AttackClassifier {
    let records = features.count
    precondition(records == isMember.count, "AttackClassifier: \(records) feature rows, \(isMember.count) labels")
    let members = isMember.lazy.filter { $0 }.count
    precondition(members > 0 && members < records, "AttackClassifier: \(members) members of \(records) records")
    let featureCount = features[0].count
    precondition(featureCount > 0, "AttackClassifier: no features")
    for (record, row) in features.enumerated() {
      precondition(
        row.count == featureCount && row.allSatisfy(\.isFinite),
        "AttackClassifier: record \(record) has \(row.count) features (need \(featureCount), all finite)")
    }
    // Standardisation: mean and (population) standard deviation per feature.
    var means = [Double](repeating: 0, count: featureCount)
    for row in features { for feature in 0..<featureCount { means[feature] += row[feature] } }
    means = means.map { $0 / Double(records) }
    var scales = [Double](repeating: 0, count: featureCount)
    for row in features {
      for feature in 0..<featureCount { scales[feature] += (row[feature] - means[feature]) * (row[feature] - means[feature]) }
    }
    scales = scales.map { $0 > 0 ? ($0 / Double(records)).squareRoot() : 1 }
    let inputs: [[Double]] = features.map { row in (0..<featureCount).map { (row[$0] - means[$0]) / scales[$0] } }

    let hiddenUnits = configuration.hiddenUnits
    let hiddenLimit = (6 / Double(featureCount + hiddenUnits)).squareRoot()
    let outputLimit = (6 / Double(hiddenUnits + 1)).squareRoot()
    // Parameters packed as [W (H·F), b (H), v (H), c (1)] so Adam runs over one array.
    var parameters = [Double](repeating: 0, count: hiddenUnits * featureCount + 2 * hiddenUnits + 1)
    for index in 0..<(hiddenUnits * featureCount) {
      parameters[index] = Double.random(in: -hiddenLimit...hiddenLimit, using: &generator)
    }
    let biasOffset = hiddenUnits * featureCount
    let outputOffset = biasOffset + hiddenUnits
    let outputBiasIndex = outputOffset + hiddenUnits
    for unit in 0..<hiddenUnits {
      parameters[outputOffset + unit] = Double.random(in: -outputLimit...outputLimit, using: &generator)
    }

    var firstMoment = [Double](repeating: 0, count: parameters.count)
    var secondMoment = [Double](repeating: 0, count: parameters.count)
    var gradient = [Double](repeating: 0, count: parameters.count)
    var hidden = [Double](repeating: 0, count: hiddenUnits)
    var order = Array(0..<records)
    var step = 0
    let (beta1, beta2, epsilon) = (0.9, 0.999, 1e-8)
    for _ in 0..<configuration.epochs {
      order.shuffle(using: &generator)
      var start = 0
      while start < records {
        let batch = order[start..<min(start + configuration.batchSize, records)]
        start += configuration.batchSize
        for index in gradient.indices { gradient[index] = 0 }
        let weight = 1 / Double(batch.count)
        for record in batch {
          let input = inputs[record]
          // Forward.
          var output = parameters[outputBiasIndex]
          for unit in 0..<hiddenUnits {
            var preactivation = parameters[biasOffset + unit]
            let row = unit * featureCount
            for feature in 0..<featureCount { preactivation += parameters[row + feature] * input[feature] }
            hidden[unit] = Double.tanh(preactivation)
            output += parameters[outputOffset + unit] * hidden[unit]
          }
          // Backward: d(loss)/ds = σ(s) − y, averaged over the batch.
          let outputGradient = weight * (sigmoid(output) - (isMember[record] ? 1 : 0))
          gradient[outputBiasIndex] += outputGradient
          for unit in 0..<hiddenUnits {
            gradient[outputOffset + unit] += outputGradient * hidden[unit]
            let preactivationGradient =
              outputGradient * parameters[outputOffset + unit] * (1 - hidden[unit] * hidden[unit])
            gradient[biasOffset + unit] += preactivationGradient
            let row = unit * featureCount
            for feature in 0..<featureCount { gradient[row + feature] += preactivationGradient * input[feature] }
          }
        }
        // Adam.
        step += 1
        let firstCorrection = 1 - Double.pow(beta1, Double(step))
        let secondCorrection = 1 - Double.pow(beta2, Double(step))
        for index in parameters.indices {
          firstMoment[index] = beta1 * firstMoment[index] + (1 - beta1) * gradient[index]
          secondMoment[index] = beta2 * secondMoment[index] + (1 - beta2) * gradient[index] * gradient[index]
          parameters[index] -=
            configuration.learningRate * (firstMoment[index] / firstCorrection)
            / ((secondMoment[index] / secondCorrection).squareRoot() + epsilon)
        }
      }
    }
    return AttackClassifier(
      featureCount: featureCount, hiddenUnits: hiddenUnits, featureMeans: means, featureScales: scales,
      hiddenWeights: Array(parameters[0..<biasOffset]), hiddenBiases: Array(parameters[biasOffset..<outputOffset]),
      outputWeights: Array(parameters[outputOffset..<outputBiasIndex]), outputBias: parameters[outputBiasIndex])
  }

  /// σ(s) = 1/(1 + e^{−s}), evaluated without overflow for either sign.
  static func sigmoid(_ s: Double) -> Double {
    s >= 0 ? 1 / (1 + Double.exp(-s)) : Double.exp(s) / (1 + Double.exp(s))
  }
}
