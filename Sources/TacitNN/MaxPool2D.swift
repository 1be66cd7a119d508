import TacitTensor

/// Max pooling over square windows of channels-last images, each channel separately, no padding.
///
/// Dimension letters: `B` examples, `H`×`W` input pixels, `C` channels, `k` window side, `s`
/// stride, `outH = ⌊(H − k)/s⌋ + 1`, `outW` likewise.
///
/// Shapes: input `[B, H, W, C]`, output `[B, outH, outW, C]`. No parameters.
///
/// Backward: each output gradient goes to the input element that was the maximum of its window;
/// on ties the first maximum in scan order `(ky, kx)` (row by row) gets it, as in PyTorch.
/// Overlapping windows (stride < k) add their contributions. Training mode keeps one `Int32`
/// offset per output element.
public final class MaxPool2D: Layer {
  public let kind = "maxpool2d"
  /// The window side `k`.
  public let poolSize: Int
  /// The step between neighbouring windows, in pixels.
  public let stride: Int
  private var cachedInputShape: [Int]?
  /// Per output element, the offset of its maximum within the example's `H·W·C` input.
  private var cachedArgmax: [Int32]?

  /// A `poolSize × poolSize` max pool moving by `stride` (default: `poolSize`, non-overlapping).
  public init(poolSize: Int, stride: Int? = nil) {
    precondition(poolSize > 0 && (stride ?? 1) > 0, "MaxPool2D needs pool size and stride > 0, got \(poolSize), \(stride ?? poolSize)")
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
    precondition(H * W * C <= Int(Int32.max), "MaxPool2D: \(H)×\(W)×\(C) input too large for Int32 offsets")
    let outputCount = batch * outH * outW * C
    var output = Tensor(shape: [batch, outH, outW, C])
    var argmax = [Int32](repeating: 0, count: outputCount)
    if outputCount > 0 {
      input.scalars.withUnsafeBufferPointer { xBuffer in
        output.scalars.withUnsafeMutableBufferPointer { yBuffer in
          argmax.withUnsafeMutableBufferPointer { indexBuffer in
            let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!, index = indexBuffer.baseAddress!
            for b in 0..<batch {
              let image = x + b * H * W * C
              for oy in 0..<outH {
                for ox in 0..<outW {
                  let out = ((b * outH + oy) * outW + ox) * C
                  let first = (oy * s * W + ox * s) * C
                  for c in 0..<C {
                    y[out + c] = image[first + c]
                    index[out + c] = Int32(first + c)
                  }
                  for ky in 0..<k {
                    for kx in 0..<k where ky > 0 || kx > 0 {
                      let offset = ((oy * s + ky) * W + ox * s + kx) * C
                      for c in 0..<C where image[offset + c] > y[out + c] {
                        y[out + c] = image[offset + c]
                        index[out + c] = Int32(offset + c)
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    if mode == .training {
      cachedInputShape = input.shape
      cachedArgmax = argmax
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let inputShape = cachedInputShape, let argmax = cachedArgmax else {
      preconditionFailure("MaxPool2D.backward before a training forward pass")
    }
    precondition(outputGradient.count == argmax.count, "MaxPool2D.backward: gradient \(outputGradient.shape) has \(outputGradient.count) elements, output had \(argmax.count)")
    var inputGradient = Tensor(shape: inputShape)
    let batch = inputShape[0]
    guard batch > 0, !argmax.isEmpty else { return inputGradient }
    let perExampleInput = inputShape[1] * inputShape[2] * inputShape[3]
    let perExampleOutput = argmax.count / batch
    outputGradient.scalars.withUnsafeBufferPointer { g in
      argmax.withUnsafeBufferPointer { index in
        inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
          for b in 0..<batch {
            let inputStart = b * perExampleInput
            for i in (b * perExampleOutput)..<((b + 1) * perExampleOutput) {
              dx[inputStart + Int(index[i])] += g[i]
            }
          }
        }
      }
    }
    return inputGradient
  }

  public func releaseCaches() {
    cachedInputShape = nil
    cachedArgmax = nil
  }
}
