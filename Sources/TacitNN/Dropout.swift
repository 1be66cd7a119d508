import TacitTensor

/// Inverted dropout (Srivastava et al. 2014): in training mode each element is kept with
/// probability `1 − rate` and scaled by `1/(1 − rate)`, else zeroed; in inference mode the layer
/// is the identity. Any shape, no parameters.
///
/// Randomness: one `Random.uniform` draw per element, in row-major order, from the generator
/// passed to `forward`; an element is kept when its draw is `≥ rate`. The same generator state
/// gives the same mask. Training mode keeps the scaled mask (`0` or `1/(1 − rate)` per element)
/// for the backward pass, which multiplies the gradient by it.
///
/// Per-example clipping is unaffected: each example's mask is fixed during its backward pass, and
/// the layer has no parameters.
public final class Dropout: Layer {
  public let kind = "dropout"
  /// The probability of zeroing an element, in `[0, 1)`.
  public let rate: Float
  private var cachedMask: [Float]?

  /// Dropout zeroing each element with probability `rate ∈ [0, 1)`.
  public init(rate: Float) {
    precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
    self.rate = rate
  }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] { inputShape }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    guard mode == .training else { return input }
    let n = input.count
    let keptScale = 1 / (1 - rate)
    var mask = [Float](repeating: 0, count: n)
    for i in 0..<n where Random.uniform(using: &generator) >= rate { mask[i] = keptScale }
    var output = input
    output.scalars.withUnsafeMutableBufferPointer { y in
      mask.withUnsafeBufferPointer { m in
        for i in 0..<n { y[i] *= m[i] }
      }
    }
    cachedMask = mask
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let mask = cachedMask else { preconditionFailure("Dropout.backward before a training forward pass") }
    precondition(
      mask.count == outputGradient.count,
      "Dropout.backward: gradient \(outputGradient.shape) has \(outputGradient.count) elements, the mask \(mask.count)")
    var inputGradient = outputGradient
    let n = mask.count
    inputGradient.scalars.withUnsafeMutableBufferPointer { g in
      mask.withUnsafeBufferPointer { m in
        for i in 0..<n { g[i] *= m[i] }
      }
    }
    return inputGradient
  }

  public func releaseCaches() { cachedMask = nil }
}
