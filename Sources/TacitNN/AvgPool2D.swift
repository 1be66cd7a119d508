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
public final class AvgPool2D: Layer {
  public let kind = "avgpool2d"
  /// The window side `k`.
  public let poolSize: Int
  /// The step between neighbouring windows, in pixels.
  public let stride: Int
  private var cachedInputShape: [Int]?

  /// A `poolSize × poolSize` average pool moving by `stride` (default: `poolSize`).
  public init(poolSize: Int, stride: Int? = nil) {
    precondition(
      poolSize > 0 && (stride ?? 1) > 0, "AvgPool2D needs pool size and stride > 0, got \(poolSize), \(stride ?? poolSize)")
    self.poolSize = poolSize
    self.stride = stride ?? poolSize
  }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    try PoolingShape.outputShape(kind: kind, poolSize: poolSize, stride: stride, inputShape: inputShape)
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    let shape = PoolingShape.geometry(kind: kind, poolSize: poolSize, stride: stride, input: input)
    let batch = input.shape[0]
    let H = shape.height, W = shape.width, C = shape.channels, k = poolSize, s = stride
    let outH = shape.outputHeight, outW = shape.outputWidth
    let scale = 1 / Float(k * k)
    var output = Tensor(shape: [batch, outH, outW, C])
    if output.count > 0 {
      input.scalars.withUnsafeBufferPointer { xBuffer in
        output.scalars.withUnsafeMutableBufferPointer { yBuffer in
          let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
          for b in 0..<batch {
            let image = x + b * H * W * C
            for oy in 0..<outH {
              for ox in 0..<outW {
                let out = y + ((b * outH + oy) * outW + ox) * C
                for ky in 0..<k {
                  for kx in 0..<k {
                    let pixel = image + ((oy * s + ky) * W + ox * s + kx) * C
                    for c in 0..<C { out[c] += pixel[c] }
                  }
                }
                for c in 0..<C { out[c] *= scale }
              }
            }
          }
        }
      }
    }
    if mode == .training { cachedInputShape = input.shape }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let inputShape = cachedInputShape else { preconditionFailure("AvgPool2D.backward before a training forward pass") }
    let batch = inputShape[0], H = inputShape[1], W = inputShape[2], C = inputShape[3]
    let k = poolSize, s = stride
    let outH = (H - k) / s + 1, outW = (W - k) / s + 1
    precondition(
      outputGradient.count == batch * outH * outW * C,
      "AvgPool2D.backward: gradient \(outputGradient.shape) does not match output [\(batch), \(outH), \(outW), \(C)]")
    var inputGradient = Tensor(shape: inputShape)
    guard inputGradient.count > 0 else { return inputGradient }
    let scale = 1 / Float(k * k)
    outputGradient.scalars.withUnsafeBufferPointer { gBuffer in
      inputGradient.scalars.withUnsafeMutableBufferPointer { dxBuffer in
        let g = gBuffer.baseAddress!, dx = dxBuffer.baseAddress!
        for b in 0..<batch {
          let image = dx + b * H * W * C
          for oy in 0..<outH {
            for ox in 0..<outW {
              let gradient = g + ((b * outH + oy) * outW + ox) * C
              for ky in 0..<k {
                for kx in 0..<k {
                  let pixel = image + ((oy * s + ky) * W + ox * s + kx) * C
                  for c in 0..<C { pixel[c] += scale * gradient[c] }
                }
              }
            }
          }
        }
      }
    }
    return inputGradient
  }

  public func releaseCaches() { cachedInputShape = nil }
}
