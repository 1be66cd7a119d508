import TacitTensor

/// Reshapes `[B, d₁, …, dₙ]` to `[B, d₁·…·dₙ]` (row-major order, so channels-last images flatten
/// as `(y, x, c)`). No parameters, no copy.
public final class Flatten: Layer {
  public let kind = "flatten"
  private var cachedInputShape: [Int]?

  public init() {}

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    [inputShape.reduce(1, *)]
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    if mode == .training { cachedInputShape = input.shape }
    return input.reshaped([input.batchSize, input.elementsPerExample])
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    guard let shape = cachedInputShape else { preconditionFailure("flatten.backward before a training forward pass") }
    return outputGradient.reshaped(shape)
  }

  public func releaseCaches() { cachedInputShape = nil }
}
