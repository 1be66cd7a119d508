import TacitTensor

/// Shape checks shared by the pooling layers (`MaxPool2D`, `AvgPool2D`): square windows of side
/// `k`, stride `s`, no padding, over channels-last `[H, W, C]` images.
enum PoolingShape {
  /// `[outH, outW, C]` for a per-example `[H, W, C]` input, or a `ShapeError` naming the layer.
  static func outputShape(kind: String, poolSize: Int, stride: Int, inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 3 else {
      throw ShapeError("\(kind) expects channels-last images [height, width, channels], got shape \(inputShape)")
    }
    let shape = ConvolutionGeometry(
      height: inputShape[0], width: inputShape[1], channels: inputShape[2], kernelSize: poolSize, stride: stride, padding: 0)
    guard shape.fits else {
      throw ShapeError("\(kind) window \(poolSize)×\(poolSize) does not fit the input \(inputShape[0])×\(inputShape[1])")
    }
    return [shape.outputHeight, shape.outputWidth, inputShape[2]]
  }

  /// The geometry of a batch `[B, H, W, C]`; a precondition failure when the window does not fit.
  static func geometry(kind: String, poolSize: Int, stride: Int, input: Tensor) -> ConvolutionGeometry {
    precondition(input.rank == 4, "\(kind) expects [B, H, W, C] images, got \(input.shape)")
    let shape = ConvolutionGeometry(
      height: input.shape[1], width: input.shape[2], channels: input.shape[3], kernelSize: poolSize, stride: stride, padding: 0)
    precondition(shape.fits, "\(kind) window \(poolSize)×\(poolSize) does not fit input \(input.shape)")
    return shape
  }
}
