import TacitTensor

/// The Gaussian error linear unit in its tanh form (Hendrycks & Gimpel 2016, "Gaussian Error
/// Linear Units (GELUs)", eq. for the approximation; GPT-2's and Hugging Face's `gelu_new`),
/// elementwise on any shape, no parameters:
///
///     y = ½·x·(1 + tanh u),   u = c·(x + 0.044715·x³),   c = √(2/π).
///
/// Derivative: `∂y/∂x = ½·(1 + tanh u) + ½·x·(1 − tanh² u)·c·(1 + 3·0.044715·x²)`.
///
/// `tanh` is `Kernels.tanh` (absolute error ≤ 3.3·10⁻⁷), fused with the rest of the forward map
/// in one vectorised loop. Training mode keeps the input
/// and `tanh u` (two tensors of the input's size) for the backward pass.
public final class GELU: Layer {
  public let kind = "gelu"
  private var cachedInput: Tensor?
  private var cachedTanh: Tensor?

  static let coefficient: Float = 0.044_715
  static let scale: Float = 0.797_884_560_802_865_4  // √(2/π)
  /// Elements per parallel chunk at least (`Parallel.forEachChunk`).
  static let elementsPerChunk = 1 << 15

  public init() {}

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    let n = input.count
    let c = Self.scale, a = Self.coefficient
    // One fused, vectorised pass from the input into two fresh tensors (tanh u and y); `tanh u`
    // was formerly computed in place, which defeated the vectoriser (Kernels.tanh).
    var hyperbolic = Tensor(shape: [])
    let output = input.scalars.withUnsafeBufferPointer { xBuffer in
      Tensor(shape: input.shape) { yBuffer in
        hyperbolic = Tensor(shape: input.shape) { tBuffer in
          guard n > 0 else { return }
          let x = xBuffer.baseAddress!, t = tBuffer.baseAddress!, y = yBuffer.baseAddress!
          Parallel.forEachChunk(n, minimumChunk: Self.elementsPerChunk) { chunk in
            for i in chunk {
              let tanhU = Kernels.tanh(c * (x[i] + a * x[i] * x[i] * x[i]))
              t[i] = tanhU
              y[i] = 0.5 * x[i] * (1 + tanhU)
            }
          }
        }
      }
    }
    if mode == .training {
      cachedInput = input
      cachedTanh = hyperbolic
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let input = cachedInput, let hyperbolic = cachedTanh else {
      preconditionFailure("GELU.backward before a training forward pass")
    }
    precondition(input.count == outputGradient.count, "GELU.backward: gradient \(outputGradient.shape) vs input \(input.shape)")
    let n = input.count
    let c = Self.scale, a3 = 3 * Self.coefficient
    return input.scalars.withUnsafeBufferPointer { x in
      hyperbolic.scalars.withUnsafeBufferPointer { t in
        outputGradient.scalars.withUnsafeBufferPointer { g in
          Tensor(shape: input.shape) { dx in
            Parallel.forEachChunk(n, minimumChunk: Self.elementsPerChunk) { chunk in
              for i in chunk {
                let derivative = 0.5 * (1 + t[i]) + 0.5 * x[i] * (1 - t[i] * t[i]) * c * (1 + a3 * x[i] * x[i])
                dx[i] = g[i] * derivative
              }
            }
          }
        }
      }
    }
  }

  public func releaseCaches() {
    cachedInput = nil
    cachedTanh = nil
  }
}
