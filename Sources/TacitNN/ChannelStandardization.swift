import TacitTensor

/// A fixed per-channel affine map of channels-last inputs, `y = (x − μ[c])·s[c]`, with no
/// trainable parameters: the frozen input standardisation of Tramèr & Boneh 2021 (their
/// `StandardizeLayer`), whose μ and `s = 1/√v` come from differentially private statistics of the
/// training records (`PrivateChannelStatistics` in TacitData) and stay fixed while training.
///
/// Dimension letters: `B` examples, `K` channels; channel `c` of value `i` of an example is
/// `i mod K`, so `[B, h, w, K]` and its flattening `[B, h·w·K]` are standardised alike.
/// Backward: `∂ℓ/∂x = s[c]·∂ℓ/∂y`. Parameter-free, so it adds nothing to per-example gradient
/// norms and is not a trainable leaf. Not saved with the parameters: the released statistics are
/// written beside the model (privacy.json). Cost `O(B·values)`.
public final class ChannelStandardization: Layer {
  public let kind = "standardize"
  /// μ, `[K]`.
  public let mean: [Float]
  /// s = 1/√v, `[K]`.
  public let scale: [Float]

  /// - Precondition: `mean` and `scale` have the same count K ≥ 1.
  public init(mean: [Float], scale: [Float]) {
    precondition(!mean.isEmpty && mean.count == scale.count, "standardisation of \(mean.count) means, \(scale.count) scales")
    self.mean = mean
    self.scale = scale
  }

  /// K.
  public var channels: Int { mean.count }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    let values = inputShape.reduce(1, *)
    guard inputShape.last.map({ $0 % channels == 0 }) == true, values % channels == 0 else {
      throw ShapeError("channel standardisation of \(channels) channels cannot take examples of shape \(inputShape)")
    }
    return inputShape
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    var output = input
    let channels = self.channels
    output.scalars.withUnsafeMutableBufferPointer { values in
      var channel = 0
      for index in values.indices {
        values[index] = (values[index] - mean[channel]) * scale[channel]
        channel += 1
        if channel == channels { channel = 0 }
      }
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard needsInputGradient else { return nil }
    var gradient = outputGradient
    let channels = self.channels
    gradient.scalars.withUnsafeMutableBufferPointer { values in
      var channel = 0
      for index in values.indices {
        values[index] *= scale[channel]
        channel += 1
        if channel == channels { channel = 0 }
      }
    }
    return gradient
  }

  public func releaseCaches() {}
}
