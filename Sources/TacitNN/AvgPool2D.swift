import TacitTensor

/// Average pooling over square windows of channels-last images, each channel separately, no
/// padding.
///
/// Dimension letters: `B` examples, `H`×`W` input pixels, `C` channels, `k` window side, `s`
/// stride, `outH = ⌊(H − k)/s⌋ + 1`, `outW` likewise.
///
/// Shapes: input `[B, H, W, C]`, output `[B, outH, outW, C]`, `y = (1/k²) Σ_window x`. No
/// parameters. Backward: each output gradient is spread as `g/k²` over its window; overlapping
/// windows (stride < k) add.
public final class AvgPool2D: PoolingLayer {
  public let kind = "avgpool2d"
  /// The window side `k`.
  public let poolSize: Int
  /// The step between neighbouring windows, in pixels.
  public let stride: Int
  private var cachedInputShape: [Int]?

  /// A `poolSize × poolSize` average pool moving by `stride` (default: `poolSize`).
  public init(poolSize: Int, stride: Int? = nil) {
    self.stride = Self.resolvedStride(layer: "AvgPool2D", poolSize: poolSize, stride: stride)
    self.poolSize = poolSize
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    let shape = geometry(of: input)
    let batch = input.shape[0]
    var output = Tensor(shape: [batch, shape.outputHeight, shape.outputWidth, shape.channels])
    if output.count > 0 {
      let scale = 1 / Float(poolSize * poolSize)
      input.scalars.withUnsafeBufferPointer { xBuffer in
        output.scalars.withUnsafeMutableBufferPointer { yBuffer in
          let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
          forEachWindowPixel(shape, batch: batch) { pixel, windowPixel in
            for c in 0..<shape.channels { y[pixel + c] += x[windowPixel + c] }
          }
          for index in 0..<yBuffer.count { y[index] *= scale }
        }
      }
    }
    if mode == .training { cachedInputShape = input.shape }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let inputShape = cachedInputShape else { preconditionFailure("AvgPool2D.backward before a training forward pass") }
    let batch = inputShape[0]
    let shape = geometry(height: inputShape[1], width: inputShape[2], channels: inputShape[3])
    precondition(
      outputGradient.count == batch * shape.positions * shape.channels,
      "AvgPool2D.backward: gradient \(outputGradient.shape) does not match output "
        + "[\(batch), \(shape.outputHeight), \(shape.outputWidth), \(shape.channels)]")
    var inputGradient = Tensor(shape: inputShape)
    guard inputGradient.count > 0 else { return inputGradient }
    let scale = 1 / Float(poolSize * poolSize)
    outputGradient.scalars.withUnsafeBufferPointer { gBuffer in
      inputGradient.scalars.withUnsafeMutableBufferPointer { dxBuffer in
        let g = gBuffer.baseAddress!, dx = dxBuffer.baseAddress!
        forEachWindowPixel(shape, batch: batch) { pixel, windowPixel in
          for c in 0..<shape.channels { dx[windowPixel + c] += scale * g[pixel + c] }
        }
      }
    }
    return inputGradient
  }

  public func releaseCaches() { cachedInputShape = nil }

  /// Calls `body(pixel, windowPixel)` for every output pixel `(b, oy, ox)` and every input pixel
  /// `(ky, kx)` of its window, in that order: `pixel` is the output pixel's offset in `[B, outH,
  /// outW, C]`, `windowPixel` the input pixel's in `[B, H, W, C]` (both to channel 0).
  @inline(__always)
  private func forEachWindowPixel(_ shape: ConvolutionGeometry, batch: Int, _ body: (_ pixel: Int, _ windowPixel: Int) -> Void) {
    let W = shape.width, C = shape.channels, k = poolSize
    shape.forEachOutputPixel(batch: batch) { imageOffset, pixel, oy, x0, _, _ in
      for ky in 0..<k {
        for kx in 0..<k {
          body(pixel * C, imageOffset + ((oy * stride + ky) * W + x0 + kx) * C)
        }
      }
    }
  }
}
