import TacitTensor

/// What the pooling layers (`MaxPool2D`, `AvgPool2D`) share: square windows of side `k =
/// poolSize`, stride `s`, no padding, over channels-last `[H, W, C]` images, and the shape checks
/// that follow from them.
protocol PoolingLayer: Layer {
  /// The window side `k`.
  var poolSize: Int { get }
  /// The step between neighbouring windows, in pixels.
  var stride: Int { get }
}

extension PoolingLayer {
  /// The stride of a `poolSize × poolSize` window moving by `stride` (default: `poolSize`,
  /// non-overlapping); a precondition failure naming `layer` unless both are > 0.
  static func resolvedStride(layer: String, poolSize: Int, stride: Int?) -> Int {
    precondition(
      poolSize > 0 && (stride ?? 1) > 0, "\(layer) needs pool size and stride > 0, got \(poolSize), \(stride ?? poolSize)")
    return stride ?? poolSize
  }

  /// `[outH, outW, C]` for a per-example `[H, W, C]` input, or a `ShapeError` naming the layer.
  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 3 else {
      throw ShapeError("\(kind) expects channels-last images [height, width, channels], got shape \(inputShape)")
    }
    let shape = geometry(height: inputShape[0], width: inputShape[1], channels: inputShape[2])
    guard shape.fits else {
      throw ShapeError("\(kind) window \(poolSize)×\(poolSize) does not fit the input \(inputShape[0])×\(inputShape[1])")
    }
    return [shape.outputHeight, shape.outputWidth, inputShape[2]]
  }

  /// The geometry of a batch `[B, H, W, C]`; a precondition failure when the window does not fit.
  func geometry(of input: Tensor) -> ConvolutionGeometry {
    precondition(input.rank == 4, "\(kind) expects [B, H, W, C] images, got \(input.shape)")
    let shape = geometry(height: input.shape[1], width: input.shape[2], channels: input.shape[3])
    precondition(shape.fits, "\(kind) window \(poolSize)×\(poolSize) does not fit input \(input.shape)")
    return shape
  }

  /// The window's geometry over `H × W × C` images (unchecked).
  func geometry(height: Int, width: Int, channels: Int) -> ConvolutionGeometry {
    ConvolutionGeometry(height: height, width: width, channels: channels, kernelSize: poolSize, stride: stride, padding: 0)
  }
}
