import TacitNN
import TacitTensor
import Testing

// Oracles for layers over padded sequences: record b of a [B, T, …] batch holds n_b real
// positions (0..<n_b); the rest is padding, whose output gradients are 0 (the language model's
// contract). The batch-of-one oracle runs each record alone and unpadded.

/// The first `length` positions of record `record` of a `[B, T, …]` tensor, as `[1, length, …]`.
func recordPrefix(_ tensor: Tensor, record: Int, length: Int) -> Tensor {
  let positions = tensor.shape[1]
  let rowLength = tensor.shape.dropFirst(2).reduce(1, *)
  let start = (record * positions) * rowLength
  var shape = tensor.shape
  shape[0] = 1
  shape[1] = length
  return Tensor(shape: shape, scalars: Array(tensor.scalars[start..<(start + length * rowLength)]))
}

/// `tensor` (`[B, T, …]`) with positions `t ≥ lengths[b]` of record `b` set to `value`.
func settingPadding(_ tensor: Tensor, lengths: [Int], to value: Float) -> Tensor {
  var result = tensor
  let positions = tensor.shape[1]
  let rowLength = tensor.shape.dropFirst(2).reduce(1, *)
  for (b, length) in lengths.enumerated() {
    for i in ((b * positions + length) * rowLength)..<((b + 1) * positions * rowLength) { result.scalars[i] = value }
  }
  return result
}

/// Right-padded `[B, T]` token ids: record `b` holds `lengths[b]` ids drawn from `0..<vocabulary`
/// (from a small pool, so tokens repeat within a record), then `-1`.
func paddedTokens(lengths: [Int], positions: Int, vocabulary: Int, seed: UInt64) -> Tensor {
  var generator = SeededGenerator(seed: seed)
  var ids: [Float] = []
  for length in lengths {
    for t in 0..<positions {
      let pool = max(2, vocabulary / 3)
      ids.append(t < length ? Float(Int(Random.uniform(using: &generator) * Float(pool)) % vocabulary) : -1)
    }
  }
  return Tensor(shape: [lengths.count, positions], scalars: ids)
}

/// The largest relative difference `|a − e| / max(|a|, |e|)` over the entries (0 when both are 0).
func maxRelativeError(_ actual: [Double], _ expected: [Double]) -> Double {
  zip(actual, expected).reduce(0) { worst, pair in
    let scale = max(abs(pair.0), abs(pair.1))
    return scale == 0 ? worst : max(worst, abs(pair.0 - pair.1) / scale)
  }
}

/// Checks the group squared norms (groups of `groupSize` consecutive records) and the weighted
/// gradient sum of a padded batch against the batch-of-one oracle: each record alone, unpadded
/// (`recordPrefix` of the input and of the output gradient), through forward, backward and
/// `accumulateGradients(.uniform(1))`; a group's norm is that of its records' summed gradients.
///
/// - Parameters:
///   - input: the padded batch (`[B, T, …]`, or `[B, T]` token ids).
///   - lengths: `n_b` per record.
///   - outputGradient: the output gradient from the batch output, or `nil` for a random one that
///     is zero at padding. The oracle uses each record's prefix of it unless `recordGradient` is
///     given (computed from the record's own output and input, e.g. a loss).
/// - Returns: the largest relative error of the group norms.
@discardableResult
func checkPaddedBookkeeping(
  _ layer: Layer, input: Tensor, lengths: [Int], groupSize: Int = 1, seed: UInt64 = 5,
  outputGradient: ((Tensor) -> Tensor)? = nil, recordGradient: ((Tensor, Tensor) -> Tensor)? = nil,
  relative: Double = 1e-4, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) -> Double {
  let batch = input.batchSize
  var generator = SeededGenerator(seed: seed)
  let output = layer.forward(input, mode: .training, generator: &generator)
  let gradient =
    outputGradient?(output) ?? settingPadding(randomTensor(output.shape, seed: seed &+ 100), lengths: lengths, to: 0)

  var oracle: [[Double]] = []
  for b in 0..<batch {
    let recordInput = recordPrefix(input, record: b, length: lengths[b])
    let recordOutput = layer.forward(recordInput, mode: .training, generator: &generator)
    let recordOutputGradient =
      recordGradient?(recordOutput, recordInput) ?? recordPrefix(gradient, record: b, length: lengths[b])
    _ = layer.backward(recordOutputGradient, needsInputGradient: false)
    zeroGradients(layer)
    layer.accumulateGradients(weights: .uniform(1))
    oracle.append(flatGradients(layer))
  }
  let expected = stride(from: 0, to: batch, by: groupSize).map { first -> Double in
    var sum = [Double](repeating: 0, count: oracle[first].count)
    for b in first..<(first + groupSize) {
      for j in sum.indices { sum[j] += oracle[b][j] }
    }
    return sum.reduce(0) { $0 + $1 * $1 }
  }

  _ = layer.forward(input, mode: .training, generator: &generator)
  _ = layer.backward(gradient, needsInputGradient: false)
  var norms = [Double](repeating: 0, count: batch / groupSize)
  layer.addGroupSquaredNorms(into: &norms, groupSize: groupSize)
  expectClose(
    norms, expected, relative: relative, absolute: 1e-12, "\(label): group squared norms (groups of \(groupSize))",
    sourceLocation: sourceLocation)

  var sampler = SeededGenerator(seed: seed &+ 200)
  let coefficients = (0..<batch).map { _ in Random.uniform(using: &sampler) }
  zeroGradients(layer)
  layer.accumulateGradients(weights: .perExample(coefficients))
  var weightedOracle = [Double](repeating: 0, count: layer.parameters.reduce(0) { $0 + $1.value.count })
  for b in 0..<batch {
    for j in weightedOracle.indices { weightedOracle[j] += Double(coefficients[b]) * oracle[b][j] }
  }
  expectClose(
    flatGradients(layer), weightedOracle, relative: 1e-3, absolute: 1e-4 * maxMagnitude(weightedOracle),
    "\(label): weighted gradient sum", sourceLocation: sourceLocation)
  return maxRelativeError(norms, expected)
}
