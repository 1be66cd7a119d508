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
    let (means, scales) = standardisation(features)
    let inputs: [[Double]] = features.map { row in (0..<featureCount).map { (row[$0] - means[$0]) / scales[$0] } }
    let layout = ParameterLayout(featureCount: featureCount, hiddenUnits: configuration.hiddenUnits)
    var parameters = layout.glorotParameters(generator: &generator)
    var optimizer = AdamState(count: parameters.count)
    var gradient = [Double](repeating: 0, count: parameters.count)
    var order = Array(0..<records)
    for _ in 0..<configuration.epochs {
      order.shuffle(using: &generator)
      var start = 0
      while start < records {
        let batch = order[start..<min(start + configuration.batchSize, records)]
        start += configuration.batchSize
        layout.batchGradient(
          of: parameters, inputs: inputs, isMember: isMember, batch: batch, into: &gradient)
        optimizer.step(&parameters, gradient: gradient, learningRate: configuration.learningRate)
      }
    }
    return AttackClassifier(
      featureCount: featureCount, hiddenUnits: layout.hiddenUnits, featureMeans: means, featureScales: scales,
      hiddenWeights: Array(parameters[0..<layout.biasOffset]),
      hiddenBiases: Array(parameters[layout.biasOffset..<layout.outputOffset]),
      outputWeights: Array(parameters[layout.outputOffset..<layout.outputBiasIndex]),
      outputBias: parameters[layout.outputBiasIndex])
  }

  /// Each feature's mean and (population) standard deviation over the records; a constant
  /// feature gets scale 1.
  static func standardisation(_ features: [[Double]]) -> (means: [Double], scales: [Double]) {
    let records = features.count
    let featureCount = features[0].count
    var means = [Double](repeating: 0, count: featureCount)
    for row in features { for feature in 0..<featureCount { means[feature] += row[feature] } }
    means = means.map { $0 / Double(records) }
    var scales = [Double](repeating: 0, count: featureCount)
    for row in features {
      for feature in 0..<featureCount { scales[feature] += (row[feature] - means[feature]) * (row[feature] - means[feature]) }
    }
    scales = scales.map { $0 > 0 ? ($0 / Double(records)).squareRoot() : 1 }
    return (means, scales)
  }

  /// σ(s) = 1/(1 + e^{−s}), evaluated without overflow for either sign.
  static func sigmoid(_ s: Double) -> Double {
    s >= 0 ? 1 / (1 + Double.exp(-s)) : Double.exp(s) / (1 + Double.exp(s))
  }
}

/// Where the attack MLP's parameters sit in one flat array, `[W (H·F), b (H), v (H), c (1)]`, so
/// that Adam runs over one array; and the forward/backward pass over that array.
private struct ParameterLayout {
  let featureCount: Int
  let hiddenUnits: Int
  var biasOffset: Int { hiddenUnits * featureCount }
  var outputOffset: Int { biasOffset + hiddenUnits }
  var outputBiasIndex: Int { outputOffset + hiddenUnits }
  var count: Int { outputBiasIndex + 1 }

  /// Glorot-uniform weights, W ~ U(±√(6/(F + H))) then v ~ U(±√(6/(H + 1))), biases 0.
  func glorotParameters<G: RandomNumberGenerator>(generator: inout G) -> [Double] {
    let hiddenLimit = (6 / Double(featureCount + hiddenUnits)).squareRoot()
    let outputLimit = (6 / Double(hiddenUnits + 1)).squareRoot()
    var parameters = [Double](repeating: 0, count: count)
    for index in 0..<biasOffset {
      parameters[index] = Double.random(in: -hiddenLimit...hiddenLimit, using: &generator)
    }
    for unit in 0..<hiddenUnits {
      parameters[outputOffset + unit] = Double.random(in: -outputLimit...outputLimit, using: &generator)
    }
    return parameters
  }

  /// The gradient of the batch's mean binary cross-entropy softplus(s) − y·s (in s: σ(s) − y),
  /// written into `gradient`.
  func batchGradient(
    of parameters: [Double], inputs: [[Double]], isMember: [Bool], batch: ArraySlice<Int>, into gradient: inout [Double]
  ) {
    for index in gradient.indices { gradient[index] = 0 }
    var hidden = [Double](repeating: 0, count: hiddenUnits)
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
      let outputGradient = weight * (AttackClassifier.sigmoid(output) - (isMember[record] ? 1 : 0))
      gradient[outputBiasIndex] += outputGradient
      for unit in 0..<hiddenUnits {
        gradient[outputOffset + unit] += outputGradient * hidden[unit]
        let preactivationGradient = outputGradient * parameters[outputOffset + unit] * (1 - hidden[unit] * hidden[unit])
        gradient[biasOffset + unit] += preactivationGradient
        let row = unit * featureCount
        for feature in 0..<featureCount { gradient[row + feature] += preactivationGradient * input[feature] }
      }
    }
  }
}

/// Adam (Kingma & Ba 2015; β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected) over one array.
private struct AdamState {
  var firstMoment: [Double]
  var secondMoment: [Double]
  var stepCount = 0

  init(count: Int) {
    firstMoment = [Double](repeating: 0, count: count)
    secondMoment = [Double](repeating: 0, count: count)
  }

  mutating func step(_ parameters: inout [Double], gradient: [Double], learningRate: Double) {
    let (beta1, beta2, epsilon) = (0.9, 0.999, 1e-8)
    stepCount += 1
    let firstCorrection = 1 - Double.pow(beta1, Double(stepCount))
    let secondCorrection = 1 - Double.pow(beta2, Double(stepCount))
    for index in parameters.indices {
      firstMoment[index] = beta1 * firstMoment[index] + (1 - beta1) * gradient[index]
      secondMoment[index] = beta2 * secondMoment[index] + (1 - beta2) * gradient[index] * gradient[index]
      parameters[index] -=
        learningRate * (firstMoment[index] / firstCorrection)
        / ((secondMoment[index] / secondCorrection).squareRoot() + epsilon)
    }
  }
}
