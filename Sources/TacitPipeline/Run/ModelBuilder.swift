import TacitNN
import TacitRecipe
import TacitTensor

/// Builds a `Sequential` network from the recipe's `model` list, inferring every layer's input
/// size from the shape its predecessor produces.
public enum ModelBuilder {
  /// A network for per-example inputs of `inputShape`, initialised from `generator`.
  ///
  /// - Throws: `PipelineError` naming `model[i]` when a layer cannot take the shape it receives,
  ///   or would make the model too large (`maximumParameters`, `maximumValuesPerExample`).
  public static func build(_ specs: [LayerSpec], inputShape: [Int], generator: inout SeededGenerator) throws -> Sequential {
    var layers: [Layer] = []
    var shape = inputShape
    var parameters = 0
    for (index, spec) in specs.enumerated() {
      try checkParameters(of: spec, index: index, shape: shape, total: &parameters)
      let layer: Layer
      switch spec {
      case .dense(let units, let bias):
        guard shape.count == 1 else {
          throw PipelineError(
            "model[\(index)] (dense): expects a vector per example, got shape \(shape); add `- type: flatten` before it")
        }
        layer = Dense(inputCount: shape[0], outputCount: units, hasBias: bias, generator: &generator)
      case .conv2d(let convolution):
        guard shape.count == 3 else {
          throw PipelineError("model[\(index)] (conv2d): expects images [height, width, channels], got shape \(shape)")
        }
        layer = Conv2D(
          inputChannels: shape[2], outputChannels: convolution.filters, kernelSize: convolution.kernelSize,
          stride: convolution.stride, padding: convolution.padding, hasBias: convolution.bias, generator: &generator)
      case .maxPool2d(let pooling):
        layer = MaxPool2D(poolSize: pooling.poolSize, stride: pooling.stride)
      case .avgPool2d(let pooling):
        layer = AvgPool2D(poolSize: pooling.poolSize, stride: pooling.stride)
      case .flatten:
        layer = Flatten()
      case .relu:
        layer = Activation(.relu)
      case .tanh:
        layer = Activation(.tanh)
      case .temperedSigmoid(let scale, let inverseTemperature, let offset):
        layer = Activation(
          .temperedSigmoid(scale: Float(scale), inverseTemperature: Float(inverseTemperature), offset: Float(offset)))
      case .dropout(let rate):
        layer = Dropout(rate: Float(rate))
      case .groupNorm(let groups, let epsilon):
        guard let channels = shape.last, channels % groups == 0 else {
          throw PipelineError(
            "model[\(index)] (group_norm): \(groups) groups do not divide the \(shape.last ?? 0) channels of shape \(shape)")
        }
        layer = GroupNorm(groups: groups, channels: channels, epsilon: Float(epsilon))
      case .gpt2, .pretrained:
        throw PipelineError(
          "model[\(index)] (\(spec.typeName)): a language model reads token records; it needs data.source: text")
      }
      do {
        shape = try layer.outputShape(forInput: shape)
      } catch {
        throw PipelineError("model[\(index)] (\(spec.typeName)): \(error.description)")
      }
      try checkOutputSize(shape, of: spec, index: index)
      layers.append(layer)
    }
    do {
      return try Sequential(layers, inputShape: inputShape)
    } catch {
      throw PipelineError(error.description)
    }
  }
}

/// The models `tacit bench` times, as recipe layer lists (the same as Recipes/fmnist-mlp.yaml and
/// Recipes/fmnist-cnn.yaml).
public enum ReferenceModels {
  /// The models by their `tacit bench --models` name.
  public static let byName: [String: [LayerSpec]] = ["mlp": mlp, "cnn": cnn]

  /// 784-256-256-10 with ReLU.
  public static let mlp: [LayerSpec] = [
    .flatten, .dense(units: 256, bias: true), .relu, .dense(units: 256, bias: true), .relu, .dense(units: 10, bias: true),
  ]

  /// Tramèr & Boneh 2021's end-to-end CNN: conv 16 8×8 stride 2 pad 2, tanh, maxpool 2 stride 1,
  /// conv 32 4×4 stride 2, tanh, maxpool 2 stride 1, dense 32, tanh, dense 10.
  public static let cnn: [LayerSpec] = [
    .conv2d(.init(filters: 16, kernelSize: 8, stride: 2, padding: 2, bias: true)), .tanh,
    .maxPool2d(.init(poolSize: 2, stride: 1)),
    .conv2d(.init(filters: 32, kernelSize: 4, stride: 2, padding: 0, bias: true)), .tanh,
    .maxPool2d(.init(poolSize: 2, stride: 1)),
    .flatten, .dense(units: 32, bias: true), .tanh, .dense(units: 10, bias: true),
  ]
}
