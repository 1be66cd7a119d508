import TacitNN
import TacitTensor
import Testing

// Shared oracles for the layer tests: labelled parameter sweeps, central finite differences of
// L = Σ r ⊙ f(x), and the batch-of-one oracle for per-example norms and weighted gradients.

/// One labelled combination of test parameters; the label names the case in failures and in the
/// test report.
struct Labelled<Value: Sendable>: Sendable, CustomTestStringConvertible {
  let label: String
  let value: Value
  var testDescription: String { label }
}

/// Every combination of two labelled parameter lists, labelled `"a, b"`.
func sweep<A: Sendable, B: Sendable>(_ first: [(String, A)], _ second: [(String, B)]) -> [Labelled<(A, B)>] {
  first.flatMap { a in second.map { b in Labelled(label: "\(a.0), \(b.0)", value: (a.1, b.1)) } }
}

/// Every combination of three labelled parameter lists, labelled `"a, b, c"`.
func sweep<A: Sendable, B: Sendable, C: Sendable>(
  _ first: [(String, A)], _ second: [(String, B)], _ third: [(String, C)]
) -> [Labelled<(A, B, C)>] {
  sweep(first, second).flatMap { ab in
    third.map { c in Labelled(label: "\(ab.label), \(c.0)", value: (ab.value.0, ab.value.1, c.1)) }
  }
}

/// A tensor of independent N(0, scale²) entries from `seed`.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
  var generator = SeededGenerator(seed: seed)
  return Tensor(shape: shape, scalars: Random.normal(count: shape.reduce(1, *), standardDeviation: scale, using: &generator))
}

/// Entries whose values differ pairwise by at least `gap` (a shuffled grid), so no small
/// perturbation changes an ordering: for max pooling, and ReLU after shifting away from 0.
func wellSeparatedTensor(_ shape: [Int], seed: UInt64, gap: Float = 0.05) -> Tensor {
  var generator = SeededGenerator(seed: seed)
  let count = shape.reduce(1, *)
  let order = Random.permutation(count, using: &generator)
  return Tensor(shape: shape, scalars: order.map { (Float($0) - Float(count) / 2) * gap })
}

/// Sets every parameter gradient of `layer` to zero.
func zeroGradients(_ layer: Layer) {
  for parameter in layer.parameters { parameter.gradient.zero() }
}

/// Every parameter gradient of `layer`, concatenated in parameter order, in Float64.
func flatGradients(_ layer: Layer) -> [Double] {
  layer.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
}

/// `Σ r ⊙ y`, accumulated in Float64.
func weightedSum(_ output: Tensor, _ weights: Tensor) -> Double {
  precondition(output.count == weights.count, "\(output.shape) vs \(weights.shape)")
  var total: Double = 0
  for i in 0..<output.count { total += Double(output.scalars[i]) * Double(weights.scalars[i]) }
  return total
}

/// Records an issue naming `label` and the worst element when `actual` and `expected` differ by
/// more than `relative·max(|a|, |e|) + absolute` anywhere.
func expectClose(
  _ actual: [Double], _ expected: [Double], relative: Double, absolute: Double = 0, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    return
  }
  var worst: (index: Int, excess: Double)? = nil
  for i in actual.indices {
    let bound = relative * max(abs(actual[i]), abs(expected[i])) + absolute
    let error = abs(actual[i] - expected[i])
    if !(error <= bound), error - bound > (worst?.excess ?? -1) { worst = (i, error - bound) }
  }
  if let worst {
    let message: String =
      "\(label): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index]) "
      + "(relative tolerance \(relative), absolute \(absolute); \(actual.count) elements)"
    Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
  }
}

/// The largest absolute value, at least `floor`.
func maxMagnitude(_ values: [Double], floor: Double = 1e-12) -> Double {
  values.reduce(floor) { max($0, abs($1)) }
}

/// Checks `layer`'s input gradient and parameter gradients against central finite differences
/// of `L(x, θ) = Σ r ⊙ layer(x)` for a fixed random `r`, evaluated in training mode with a fresh
/// generator from `seed` each time (so dropout keeps one mask).
///
/// The FD uses the step actually taken in Float32, `(x + h) − (x − h)`, and sums outputs in
/// Float64. At most `maxCoordinates` input and parameter coordinates (a seeded sample) are probed.
/// Tolerance: `relative·max(|a|, |n|) + 0.05·relative·max|n|` per coordinate. `probesInput: false`
/// skips the input (token ids are not differentiable).
func checkFiniteDifferences(
  _ layer: Layer, input: Tensor, seed: UInt64 = 11, step: Float = 1e-2, relative: Double = 1e-2,
  maxCoordinates: Int = 40, probesInput: Bool = true, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  func loss(_ x: Tensor, _ r: Tensor) -> Double {
    var generator = SeededGenerator(seed: seed)
    return weightedSum(layer.forward(x, mode: .training, generator: &generator), r)
  }
  var generator = SeededGenerator(seed: seed)
  let output = layer.forward(input, mode: .training, generator: &generator)
  let r = randomTensor(output.shape, seed: seed &+ 1)
  zeroGradients(layer)
  guard let inputGradient = layer.backward(r, needsInputGradient: true) else {
    Issue.record("\(label): backward returned no input gradient", sourceLocation: sourceLocation)
    return
  }
  #expect(inputGradient.shape == input.shape, "\(label): input gradient shape", sourceLocation: sourceLocation)
  layer.accumulateGradients(weights: .uniform(1))
  let parameterGradients = layer.parameters.map { $0.gradient.scalars }

  func probe(_ count: Int, salt: UInt64) -> [Int] {
    if count <= maxCoordinates { return Array(0..<count) }
    var sampler = SeededGenerator(seed: seed &+ salt)
    return Array(Random.permutation(count, using: &sampler).prefix(maxCoordinates))
  }
  func compare(_ analytic: [Double], _ numeric: [Double], _ what: String) {
    let scale = maxMagnitude(numeric)
    expectClose(
      analytic, numeric, relative: relative, absolute: 0.05 * relative * scale, "\(label): \(what)",
      sourceLocation: sourceLocation)
  }

  var analytic: [Double] = []
  var numeric: [Double] = []
  for i in probesInput ? probe(input.count, salt: 2) : [] {
    var plus = input, minus = input
    plus.scalars[i] += step
    minus.scalars[i] -= step
    let taken = Double(plus.scalars[i]) - Double(minus.scalars[i])
    numeric.append((loss(plus, r) - loss(minus, r)) / taken)
    analytic.append(Double(inputGradient.scalars[i]))
  }
  compare(analytic, numeric, "input gradient")

  for (index, parameter) in layer.parameters.enumerated() {
    analytic = []
    numeric = []
    for j in probe(parameter.value.count, salt: 3 + UInt64(index)) {
      let original = parameter.value.scalars[j]
      parameter.value.scalars[j] = original + step
      let plusValue = parameter.value.scalars[j]
      let lossPlus = loss(input, r)
      parameter.value.scalars[j] = original - step
      let minusValue = parameter.value.scalars[j]
      let lossMinus = loss(input, r)
      parameter.value.scalars[j] = original
      numeric.append((lossPlus - lossMinus) / (Double(plusValue) - Double(minusValue)))
      analytic.append(Double(parameterGradients[index][j]))
    }
    compare(analytic, numeric, "gradient of \(parameter.name)")
  }
}

/// The batch-of-one oracle: each example alone through forward, backward and
/// `accumulateGradients(.uniform(1))`; returns each example's parameter gradient (concatenated in
/// parameter order) and its squared norm, in Float64.
func batchOfOneGradients(
  _ layer: Layer, input: Tensor, outputGradient: Tensor, seed: UInt64 = 5
) -> (gradients: [[Double]], squaredNorms: [Double]) {
  var gradients: [[Double]] = []
  for b in 0..<input.batchSize {
    var generator = SeededGenerator(seed: seed)
    _ = layer.forward(input.rows(b..<(b + 1)), mode: .training, generator: &generator)
    _ = layer.backward(outputGradient.rows(b..<(b + 1)), needsInputGradient: false)
    zeroGradients(layer)
    layer.accumulateGradients(weights: .uniform(1))
    gradients.append(flatGradients(layer))
  }
  return (gradients, gradients.map { $0.reduce(0) { $0 + $1 * $1 } })
}

/// Checks, on one batch, `addPerExampleSquaredNorms` against the batch-of-one oracle and
/// `accumulateGradients(.perExample(c))` against `Σ_b c_b ∇θ ℓ_b` for random `c_b ∈ [0, 1)`.
func checkPerExampleBookkeeping(
  _ layer: Layer, input: Tensor, seed: UInt64 = 5, relative: Double = 1e-3, _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  var generator = SeededGenerator(seed: seed)
  let output = layer.forward(input, mode: .training, generator: &generator)
  let outputGradient = randomTensor(output.shape, seed: seed &+ 100)
  let batch = input.batchSize
  let oracle = batchOfOneGradients(layer, input: input, outputGradient: outputGradient, seed: seed)

  generator = SeededGenerator(seed: seed)
  _ = layer.forward(input, mode: .training, generator: &generator)
  _ = layer.backward(outputGradient, needsInputGradient: false)
  var norms = [Double](repeating: 0.5, count: batch)
  layer.addPerExampleSquaredNorms(into: &norms)
  expectClose(
    norms.map { $0 - 0.5 }, oracle.squaredNorms, relative: relative, absolute: 1e-9,
    "\(label): per-example squared norms", sourceLocation: sourceLocation)

  var sampler = SeededGenerator(seed: seed &+ 200)
  let coefficients = (0..<batch).map { _ in Random.uniform(using: &sampler) }
  zeroGradients(layer)
  layer.accumulateGradients(weights: .perExample(coefficients))
  let parameterCount = layer.parameters.reduce(0) { $0 + $1.value.count }
  var expected = [Double](repeating: 0, count: parameterCount)
  for b in 0..<batch {
    for j in 0..<parameterCount { expected[j] += Double(coefficients[b]) * oracle.gradients[b][j] }
  }
  let weighted = flatGradients(layer)
  expectClose(
    weighted, expected, relative: relative, absolute: relative * 1e-2 * maxMagnitude(expected),
    "\(label): weighted gradient sum", sourceLocation: sourceLocation)

  // Uniform weights are the same as per-example weights all equal.
  zeroGradients(layer)
  layer.accumulateGradients(weights: .uniform(0.25))
  let uniform = flatGradients(layer)
  zeroGradients(layer)
  layer.accumulateGradients(weights: .perExample([Float](repeating: 0.25, count: batch)))
  expectClose(
    uniform, flatGradients(layer), relative: 1e-5, absolute: 1e-7,
    "\(label): uniform vs equal per-example weights", sourceLocation: sourceLocation)
}
