import TacitTensor

/// A chain of layers applied in order, with parameters named by path (`layers.3.weight`).
public final class Sequential {
  /// The layers, input first.
  public let layers: [Layer]
  /// The per-example input shape (`[784]`, `[28, 28, 1]`, …).
  public let inputShape: [Int]
  /// The per-example output shape, checked at construction.
  public let outputShape: [Int]

  /// A network over inputs of per-example shape `inputShape`.
  ///
  /// - Throws: `ShapeError` naming the first layer (by index and kind) that cannot take the shape
  ///   its predecessor produces.
  public init(_ layers: [Layer], inputShape: [Int]) throws(ShapeError) {
    self.layers = layers
    self.inputShape = inputShape
    var shape = inputShape
    for (index, layer) in layers.enumerated() {
      do {
        shape = try layer.outputShape(forInput: shape)
      } catch {
        throw ShapeError("model.layers[\(index)] (\(layer.kind)): \(error.description)")
      }
    }
    outputShape = shape
  }

  /// Every parameter with its path name, in layer order.
  public var namedParameters: [(name: String, parameter: Parameter)] {
    layers.enumerated().flatMap { index, layer in
      layer.namedParameters.map { (name: "layers.\(index).\($0.name)", parameter: $0.parameter) }
    }
  }

  /// Every parameter in layer order.
  public var parameters: [Parameter] { layers.flatMap(\.parameters) }

  /// Every layer's trainable leaves (`Layer.trainableLeaves`), in layer order: the units that
  /// per-layer clipping bounds one by one. Their parameters, concatenated, are `parameters`.
  public var trainableLeaves: [Layer] { layers.flatMap(\.trainableLeaves) }

  /// The total number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// The network output for a batch `[B, inputShape…]`.
  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    var activation = input
    for layer in layers { activation = layer.forward(activation, mode: mode, generator: &generator) }
    return activation
  }

  /// The inference-mode output (no dropout, nothing kept), in chunks of `batchSize` rows.
  public func predict(_ input: Tensor, batchSize: Int = 1024) -> Tensor {
    var generator = SeededGenerator(seed: 0)  // unused in inference mode
    let total = input.batchSize
    if total <= batchSize { return forward(input, mode: .inference, generator: &generator) }
    var outputs: [Float] = []
    outputs.reserveCapacity(total * outputShape.reduce(1, *))
    var start = 0
    while start < total {
      let end = min(start + batchSize, total)
      outputs += forward(input.rows(start..<end), mode: .inference, generator: &generator).scalars
      start = end
    }
    return Tensor(shape: [total] + outputShape, scalars: outputs)
  }

  /// Back-propagates per-example loss gradients w.r.t. the output through every layer (after a
  /// training forward pass). Parameter gradients are not touched: call
  /// `perExampleSquaredNorms()` and/or `accumulateGradients(weights:)` next.
  ///
  /// Input gradients are computed only down to the first layer with parameters: below it nothing
  /// needs them (for an MLP after `flatten` this skips the largest product of the step).
  public func backward(_ outputGradient: Tensor) {
    var gradient = outputGradient
    for index in layers.indices.reversed() {
      guard let next = layers[index].backward(gradient, needsInputGradient: index > firstTrainableIndex) else { break }
      gradient = next
    }
  }

  /// The index of the first layer with parameters (`layers.count` when there is none).
  public var firstTrainableIndex: Int {
    layers.firstIndex { !$0.parameters.isEmpty } ?? layers.count
  }

  /// ‖∇θ ℓ_b‖² over all parameters, per example of the last backward pass.
  public func perExampleSquaredNorms(batchSize: Int) -> [Double] {
    groupSquaredNorms(batchSize: batchSize, groupSize: 1)
  }

  /// ‖Σ_{b ∈ g} ∇θ ℓ_b‖² over all parameters, per group of `groupSize` consecutive examples of
  /// the last backward pass (`batchSize / groupSize` groups).
  public func groupSquaredNorms(batchSize: Int, groupSize: Int) -> [Double] {
    precondition(groupSize >= 1 && batchSize % groupSize == 0, "a batch of \(batchSize) in groups of \(groupSize)")
    var norms = [Double](repeating: 0, count: batchSize / groupSize)
    for layer in layers { layer.addGroupSquaredNorms(into: &norms, groupSize: groupSize) }
    return norms
  }

  /// Adds `Σ_b weights[b] ∇θ ℓ_b` to every parameter's gradient.
  public func accumulateGradients(weights: ExampleWeights) {
    for layer in layers { layer.accumulateGradients(weights: weights) }
  }

  /// Sets every parameter gradient to zero.
  public func zeroGradients() {
    for parameter in parameters { parameter.gradient.zero() }
  }

  /// Drops every layer's backward caches.
  public func releaseCaches() {
    for layer in layers { layer.releaseCaches() }
  }
}
