import TacitNN

/// A one-line-per-layer description of a network: index, kind, output shape, parameters.
enum ModelSummary {
  static func describe(_ model: Sequential) -> String {
    var lines = ["model: \(model.layers.count) layers, \(model.parameterCount) parameters, input \(model.inputShape)"]
    var shape = model.inputShape
    for (index, layer) in model.layers.enumerated() {
      shape = (try? layer.outputShape(forInput: shape)) ?? shape
      let count = layer.parameters.reduce(0) { $0 + $1.value.count }
      let padded = layer.kind.padding(toLength: 16, withPad: " ", startingAt: 0)
      lines.append("  [\(index)] \(padded) → \(shape)\(count > 0 ? "  (\(count) parameters)" : "")")
    }
    return lines.joined(separator: "\n")
  }
}
