import TacitTensor

/// L1 and L2 penalties on the decayed parameters (weights; not biases or normalisation
/// parameters, see `Parameter.isDecayed`).
///
/// Penalty `R(w) = λ₁ Σ |wᵢ| + (λ₂ / 2) Σ wᵢ²` over every decayed parameter, with (sub)gradient
/// `∂R/∂wᵢ = λ₁ sign(wᵢ) + λ₂ wᵢ`, taking `sign(0) = 0`.
///
/// Under differential privacy the penalty depends only on the weights, not on any example, so its
/// gradient is added *after* clipping and noise (to the privatised gradient), not inside each
/// example's clipped gradient: it consumes no privacy budget and is not shrunk by clipping.
/// Adding it before clipping would count it against every example's norm bound instead.
public struct Regularization: Sendable, Equatable {
  /// The L1 coefficient `λ₁ ≥ 0`.
  public var l1: Float
  /// The L2 coefficient `λ₂ ≥ 0` (the penalty carries the conventional ½).
  public var l2: Float

  /// - Precondition: both coefficients are non-negative and finite.
  public init(l1: Float = 0, l2: Float = 0) {
    precondition(l1 >= 0 && l1.isFinite, "L1 coefficient must be non-negative and finite, got \(l1)")
    precondition(l2 >= 0 && l2.isFinite, "L2 coefficient must be non-negative and finite, got \(l2)")
    self.l1 = l1
    self.l2 = l2
  }

  /// No penalty.
  public static let none = Regularization()

  /// Whether both coefficients are zero.
  public var isNone: Bool { l1 == 0 && l2 == 0 }

  /// `R(w)` over the decayed parameters among `parameters`, accumulated in Float64.
  public func penalty(_ parameters: [Parameter]) -> Double {
    if isNone { return 0 }
    var total: Double = 0
    for parameter in parameters where parameter.isDecayed {
      let (absoluteSum, squaredSum) = parameter.value.scalars.withUnsafeBufferPointer { w in
        var absoluteSum: Double = 0
        for value in w { absoluteSum += Double(abs(value)) }
        return (absoluteSum, Kernels.squaredNorm(w))
      }
      total += Double(l1) * absoluteSum + Double(l2) / 2 * squaredSum
    }
    return total
  }

  /// Adds `λ₁ sign(w) + λ₂ w` to the gradient of every decayed parameter among `parameters`.
  public func addGradients(to parameters: [Parameter]) {
    if isNone { return }
    let l1 = l1
    let l2 = l2
    for parameter in parameters where parameter.isDecayed {
      precondition(
        parameter.gradient.shape == parameter.value.shape,
        "Regularization: parameter '\(parameter.name)' has value \(parameter.value.shape) but gradient \(parameter.gradient.shape)"
      )
      let n = parameter.value.count
      parameter.gradient.scalars.withUnsafeMutableBufferPointer { g in
        parameter.value.scalars.withUnsafeBufferPointer { w in
          for i in 0..<n {
            let value = w[i]
            let sign: Float = value > 0 ? 1 : (value < 0 ? -1 : 0)
            g[i] += l1 * sign + l2 * value
          }
        }
      }
    }
  }
}
