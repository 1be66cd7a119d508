import Yams

extension LayerSpec {
  /// Layer types rejected with an explanation instead of "unknown type".
  static let rejectedTypes: [String: String] = [
    "batch_norm": batchNormMessage,
    "batchnorm": batchNormMessage,
  ]

  private static let batchNormMessage =
    "batch_norm mixes examples in a batch, so per-example gradients (and DP-SGD's privacy guarantee) break; use group_norm instead"

  /// Reads the `model` list of the top-level mapping; `nil` (after reporting) when absent, empty or with a bad layer.
  static func readModel(from top: MappingReader) -> [LayerSpec]? {
    let reader = top.reader
    let path = top.path("model")
    guard let node = top.nonNullValue("model") else {
      top.reportMissing("model", hint: "; a list of layers such as [{type: dense, units: 10}]")
      return nil
    }
    if node.mapping != nil {
      // The one-entry form of a language model: `model: {type: gpt2, …}` or `model: {from: PATH}`.
      let mapping = reader.mapping(node, at: path)
      guard let layer = mapping.value("type") == nil ? readPretrained(mapping) : read(mapping) else { return nil }
      guard layer.isLanguageModel else {
        reader.report("a single-mapping model must be a language model (type gpt2, or from: PATH); list layers as [{type: \(layer.typeName)}, …]", at: path, node: node)
        return nil
      }
      return [layer]
    }
    guard let items = node.sequence else {
      reader.report("expected a list of layers, got \(NodeReader.describe(node))", at: path, node: node)
      return nil
    }
    guard !items.isEmpty else {
      reader.report("must hold at least one layer", at: path, node: node)
      return nil
    }
    var layers: [LayerSpec] = []
    var complete = true
    for (index, item) in items.enumerated() {
      let itemPath = path.appending(index: index)
      guard item.mapping != nil else {
        reader.report(
          "expected a layer mapping with a type, such as {type: relu}, got \(NodeReader.describe(item))", at: itemPath, node: item
        )
        complete = false
        continue
      }
      if let layer = read(reader.mapping(item, at: itemPath)) {
        layers.append(layer)
      } else {
        complete = false
      }
    }
    guard complete else { return nil }
    if layers.count > 1, let index = layers.firstIndex(where: \.isLanguageModel) {
      reader.report(
        "a \(layers[index].typeName) language model is a whole model: it must be the only entry of model",
        at: path.appending(index: index), node: items[index])
      return nil
    }
    return layers
  }

  /// Reads `{from: PATH}` (or `{type: pretrained, from: PATH}`): a pretrained language model's folder.
  static func readPretrained(_ layer: MappingReader) -> LayerSpec? {
    guard let from = layer.requiredString("from") else { return nil }
    layer.finish()
    return .pretrained(from: RecipeFilePath(from, relativeTo: layer.reader.baseDirectory))
  }

  /// Reads the options of `type: gpt2` (`LanguageModelSpec`).
  static func readGPT2(_ layer: MappingReader) -> LayerSpec? {
    let defaults = LanguageModelSpec()
    let heads = layer.integer("heads", default: defaults.heads, .atLeast(1))
    let width = layer.integer("width", default: defaults.width, .atLeast(1))
    let spec = LanguageModelSpec(
      width: width, layers: layer.integer("layers", default: defaults.layers, .atLeast(1)), heads: heads,
      context: layer.integer("context", default: defaults.context, .atLeast(2)),
      tieEmbeddings: layer.boolean("tie_embeddings", default: defaults.tieEmbeddings),
      layerNormEpsilon: layer.number(
        "layer_norm_epsilon", default: defaults.layerNormEpsilon, .greaterThan(0).representableInFloat))
    guard width % heads == 0 else {
      layer.report("width \(width) must be a multiple of heads (\(heads))", key: "width")
      return nil
    }
    return .gpt2(spec)
  }

  /// Reads one layer mapping.
  static func read(_ layer: MappingReader) -> LayerSpec? {
    guard let type = layer.requiredString("type") else { return nil }
    if let message = rejectedTypes[type] {
      layer.reader.report(message, at: layer.path, node: layer.value("type"))
      return nil
    }
    let spec: LayerSpec?
    switch type {
    case "dense":
      let units = layer.requiredInteger("units", .atLeast(1))
      let bias = layer.boolean("bias", default: true)
      spec = units.map { .dense(units: $0, bias: bias) }
    case "conv2d":
      let filters = layer.requiredInteger("filters", .atLeast(1))
      let kernelSize = layer.requiredInteger("kernel_size", .atLeast(1))
      let stride = layer.integer("stride", default: 1, .atLeast(1))
      let padding = layer.integer("padding", default: 0, .atLeast(0))
      let bias = layer.boolean("bias", default: true)
      if let filters, let kernelSize {
        spec = .conv2d(Convolution(filters: filters, kernelSize: kernelSize, stride: stride, padding: padding, bias: bias))
      } else {
        spec = nil
      }
    case "max_pool2d", "avg_pool2d":
      let poolSize = layer.integer("pool_size", default: 2, .atLeast(1))
      let pooling = Pooling(poolSize: poolSize, stride: layer.integer("stride", default: poolSize, .atLeast(1)))
      spec = type == "max_pool2d" ? .maxPool2d(pooling) : .avgPool2d(pooling)
    case "flatten": spec = .flatten
    case "relu": spec = .relu
    case "tanh": spec = .tanh
    case "tempered_sigmoid":
      spec = .temperedSigmoid(
        scale: layer.number("scale", default: 2, .greaterThan(0).representableInFloat),
        inverseTemperature: layer.number("inverse_temperature", default: 2, .greaterThan(0).representableInFloat),
        offset: layer.number("offset", default: 1, .any.representableInFloat))
    case "dropout":
      spec = layer.requiredNumber("rate", .halfOpen(0, 1)).map { .dropout(rate: $0) }
    case "group_norm":
      let groups = layer.requiredInteger("groups", .atLeast(1))
      let epsilon = layer.number("epsilon", default: 1e-5, .greaterThan(0).representableInFloat)
      spec = groups.map { .groupNorm(groups: $0, epsilon: epsilon) }
    case "gpt2": spec = readGPT2(layer)
    case "pretrained": return readPretrained(layer)
    default:
      layer.report(
        "unknown layer type '\(type)'" + EditDistance.suggestion(for: type, among: typeNames), key: "type")
      return nil
    }
    layer.finish()
    return spec
  }
}
