import TacitTensor

/// An elementwise nonlinearity.
public enum ActivationFunction: Sendable, Equatable {
  /// `max(0, x)`.
  case relu
  /// `tanh x`.
  case tanh
  /// The tempered sigmoid of Papernot et al. 2021 ("Tempered Sigmoid Activations for Deep
  /// Learning with Differential Privacy"): `φ(x) = s·σ(τx) − o` with scale `s`, inverse
  /// temperature `τ` and offset `o`; `s = 2, τ = 2, o = 1` is `tanh`. Bounded activations keep
  /// gradient norms small, so less is lost to clipping.
  case temperedSigmoid(scale: Float, inverseTemperature: Float, offset: Float)
}

/// A layer applying an `ActivationFunction` to every element; any shape, no parameters.
///
/// Backward: ReLU passes gradients where the input was positive; tanh uses `1 − y²`; the tempered
/// sigmoid uses `s·τ·σ(1 − σ)` with `σ = (y + o)/s`, all from the kept output.
public final class Activation: Layer {
  public let function: ActivationFunction
  private var cachedOutput: Tensor?

  public init(_ function: ActivationFunction) { self.function = function }

  public var kind: String {
    switch function {
    case .relu: return "relu"
    case .tanh: return "tanh"
    case .temperedSigmoid: return "tempered_sigmoid"
    }
  }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    let n = input.count
    // Written straight from the input into fresh storage: no copy of the input first.
    let output = input.scalars.withUnsafeBufferPointer { xBuffer in
      Tensor(shape: input.shape) { yBuffer in
        guard n > 0 else { return }
        let x = xBuffer.baseAddress!, y = yBuffer.baseAddress!
        switch function {
        case .relu:
          for i in 0..<n { y[i] = Swift.max(x[i], 0) }
        case .tanh:
          Kernels.tanh(x, y, count: n)
        case .temperedSigmoid(let scale, let inverseTemperature, let offset):
          // s·σ(τx) − o = (s/2)·tanh(τx/2) + s/2 − o, through the vectorised tanh.
          let halfTemperature = inverseTemperature / 2
          let halfScale = scale / 2
          let shift = halfScale - offset
          for i in 0..<n { y[i] = halfScale * Kernels.tanh(halfTemperature * x[i]) + shift }
        }
      }
    }
    if mode == .training { cachedOutput = output }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let output = cachedOutput else { preconditionFailure("\(kind).backward before a training forward pass") }
    precondition(
      output.count == outputGradient.count, "\(kind).backward: gradient \(outputGradient.shape) vs output \(output.shape)")
    let n = output.count
    return output.scalars.withUnsafeBufferPointer { yBuffer in
      outputGradient.scalars.withUnsafeBufferPointer { gBuffer in
        Tensor(shape: outputGradient.shape) { dxBuffer in
          guard n > 0 else { return }
          let y = yBuffer.baseAddress!, g = gBuffer.baseAddress!, dx = dxBuffer.baseAddress!
          switch function {
          case .relu:
            // A 0/1 mask multiplied in (rather than a select) vectorises at the default target.
            for i in 0..<n {
              let mask: Float = y[i] > 0 ? 1 : 0
              dx[i] = g[i] * mask
            }
          case .tanh:
            for i in 0..<n { dx[i] = g[i] * (1 - y[i] * y[i]) }
          case .temperedSigmoid(let scale, let inverseTemperature, let offset):
            for i in 0..<n {
              let sigma = (y[i] + offset) / scale
              dx[i] = g[i] * scale * inverseTemperature * sigma * (1 - sigma)
            }
          }
        }
      }
    }
  }

  public func releaseCaches() { cachedOutput = nil }
}
