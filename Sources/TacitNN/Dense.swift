import TacitTensor

/// A fully connected layer `y = W a + β`.
///
/// Shapes: input `[B, I]` or `[B, T, I]` (applied at every position), output `[B, O]` or
/// `[B, T, O]`; weight `[O, I]` row-major (PyTorch's layout), bias `[O]`.
///
/// Initialisation: PyTorch's default, W and β uniform in `[−1/√I, 1/√I]`.
///
/// Per-example norms and weighted gradients: `LinearGradients` (outer-product norms for one
/// position, ghost or materialised norms over positions).
public final class Dense: Layer {
  public let kind = "dense"
  public let inputCount: Int
  public let outputCount: Int
  public let weight: Parameter
  public let bias: Parameter?
  private var cachedInput: Tensor?
  private var cachedOutputGradient: Tensor?

  /// A dense layer mapping `inputCount` features to `outputCount`, initialised from `generator`.
  public init(inputCount: Int, outputCount: Int, hasBias: Bool = true, generator: inout SeededGenerator) {
    precondition(inputCount > 0 && outputCount > 0, "Dense needs positive sizes, got \(inputCount) → \(outputCount)")
    self.inputCount = inputCount
    self.outputCount = outputCount
    let bound = 1 / Float(inputCount).squareRoot()
    let weights = (0..<(outputCount * inputCount)).map { _ in (2 * Random.uniform(using: &generator) - 1) * bound }
    weight = Parameter(name: "weight", value: Tensor(shape: [outputCount, inputCount], scalars: weights), isDecayed: true)
    if hasBias {
      let biases = (0..<outputCount).map { _ in (2 * Random.uniform(using: &generator) - 1) * bound }
      bias = Parameter(name: "bias", value: Tensor(shape: [outputCount], scalars: biases), isDecayed: false)
    } else {
      bias = nil
    }
  }

  public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard let last = inputShape.last, last == inputCount, inputShape.count <= 2 else {
      throw ShapeError(
        "dense layer expects \(inputCount) input features per position, got shape \(inputShape) (add a flatten layer before it?)")
    }
    return Array(inputShape.dropLast()) + [outputCount]
  }

  /// Positions per example for an input of this shape.
  private func positions(of input: Tensor) -> Int {
    input.batchSize == 0 ? 1 : input.count / (input.batchSize * inputCount)
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(input.shape.last == inputCount, "Dense(\(inputCount)→\(outputCount)) got input \(input.shape)")
    let rows = input.count / inputCount
    var outputShape = input.shape
    outputShape[outputShape.count - 1] = outputCount
    // Uninitialised: `LinearGradients.forward` writes every element (bias fill or a β = 0 GEMM),
    // so the zero fill of `Tensor(shape:)` was wasted memory traffic.
    var output = Tensor(shape: outputShape) { _ in }
    LinearGradients.forward(
      activations: input, rows: rows, inputs: inputCount, outputs: outputCount, weight: weight, bias: bias, into: &output)
    if mode == .training { cachedInput = input }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let input = cachedInput else { preconditionFailure("Dense.backward before a training forward pass") }
    precondition(
      outputGradient.count == input.count / inputCount * outputCount,
      "Dense.backward: gradient \(outputGradient.shape) does not match input \(input.shape)")
    cachedOutputGradient = outputGradient
    guard needsInputGradient else { return nil }
    let rows = input.count / inputCount
    // The β = 0 GEMM writes every element: no zero fill first.
    return Tensor(shape: input.shape) { da in
      guard rows > 0 else { return }
      outputGradient.scalars.withUnsafeBufferPointer { g in
        weight.value.scalars.withUnsafeBufferPointer { w in
          BLAS.gemm(
            m: rows, n: inputCount, k: outputCount,
            a: g.baseAddress!, lda: outputCount, b: w.baseAddress!, ldb: inputCount,
            c: da.baseAddress!, ldc: inputCount)
        }
      }
    }
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    guard let input = cachedInput, let gradient = cachedOutputGradient else {
      preconditionFailure("Dense norms requested before backward")
    }
    precondition(
      groupSize >= 1 && input.batchSize % groupSize == 0, "a batch of \(input.batchSize) in groups of \(groupSize)")
    // A group's K examples are K·T consecutive rows: one "example" with K·T positions.
    LinearGradients.addSquaredNorms(
      activations: input, outputGradients: gradient, batch: input.batchSize / groupSize,
      positions: positions(of: input) * groupSize, inputs: inputCount, outputs: outputCount,
      hasBias: bias != nil, into: &norms)
  }

  public func accumulateGradients(weights: ExampleWeights) {
    guard let input = cachedInput, let gradient = cachedOutputGradient else {
      preconditionFailure("Dense gradients requested before backward")
    }
    LinearGradients.accumulate(
      activations: input, outputGradients: gradient, batch: input.batchSize,
      positions: positions(of: input), inputs: inputCount, outputs: outputCount,
      weights: weights, weight: weight, bias: bias)
  }

  public func releaseCaches() {
    cachedInput = nil
    cachedOutputGradient = nil
  }
}
