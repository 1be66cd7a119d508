import TacitRecipe

/// The largest model a recipe may describe, checked before any layer allocates its weights: a
/// `units` or `filters` of 10⁹ is a valid integer, but its weights would not fit in memory and
/// the allocation would abort the process instead of naming the layer.
extension ModelBuilder {
  /// The most trainable parameters a model may have in total: 2²⁸ (1 GiB of 32-bit floats per
  /// copy; training keeps the gradient and optimizer state beside it). Fashion-MNIST's MLP has
  /// 0.27 M.
  public static let maximumParameters = 1 << 28

  /// The most values any layer may produce per example: 2²⁴ (64 MiB of 32-bit floats, times
  /// the batch size during training).
  public static let maximumValuesPerExample = 1 << 24

  /// The parameters of layer `index` taking per-example `shape` (only dense and conv2d layers'
  /// sizes come from the recipe), added to `total`; throws naming the layer when the model
  /// would pass `maximumParameters`.
  static func checkParameters(of spec: LayerSpec, index: Int, shape: [Int], total: inout Int) throws {
    var weights: (Int, Bool)
    let outputs: Int
    switch spec {
    case .dense(let units, _):
      weights = (shape.last ?? 0).multipliedReportingOverflow(by: units)
      outputs = units
    case .conv2d(let convolution):
      let kernel = convolution.kernelSize.multipliedReportingOverflow(by: convolution.kernelSize)
      let perFilter = kernel.partialValue.multipliedReportingOverflow(by: shape.last ?? 0)
      weights = perFilter.partialValue.multipliedReportingOverflow(by: convolution.filters)
      weights.1 = weights.1 || kernel.overflow || perFilter.overflow
      outputs = convolution.filters
    default:
      return
    }
    let sum = total.addingReportingOverflow(weights.0).partialValue.addingReportingOverflow(outputs)
    guard !weights.1, !sum.overflow, sum.partialValue <= maximumParameters else {
      throw PipelineError(
        "model[\(index)] (\(spec.typeName)): the model would have more than \(maximumParameters) parameters"
          + " (1 GiB of 32-bit floats) by this layer, on input shape \(shape); use fewer units or filters")
    }
    total = sum.partialValue
  }

  /// Throws naming layer `index` when its per-example output `shape` holds more than
  /// `maximumValuesPerExample` values.
  static func checkOutputSize(_ shape: [Int], of spec: LayerSpec, index: Int) throws {
    var values = 1
    for extent in shape {
      let product = values.multipliedReportingOverflow(by: extent)
      guard !product.overflow, product.partialValue <= maximumValuesPerExample else {
        throw PipelineError(
          "model[\(index)] (\(spec.typeName)): produces shape \(shape) per example, more than"
            + " \(maximumValuesPerExample) values (64 MiB of 32-bit floats); use fewer units or filters, or pool first")
      }
      values = product.partialValue
    }
  }
}
