import RealModule
import TacitTensor

/// Softmax cross-entropy with optional label smoothing, per example.
///
/// For logits `z` (`[B, K]`) and label `y`: `p = softmax(z)` (computed with the max subtracted),
/// target `t = (1 − ε)·onehot(y) + ε/K`, loss `ℓ = −Σ_k t_k log p_k`, gradient `∂ℓ/∂z = p − t`.
/// Losses are per example (not averaged): DP-SGD clips per example and the trainer chooses the
/// averaging.
public struct SoftmaxCrossEntropy: Sendable {
  /// The label-smoothing weight ε ∈ [0, 1).
  public let labelSmoothing: Float

  public init(labelSmoothing: Float = 0) {
    precondition(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got \(labelSmoothing)")
    self.labelSmoothing = labelSmoothing
  }

  /// Per-example losses and the gradient of each example's loss w.r.t. its logits.
  public func lossesAndGradient(logits: Tensor, labels: [Int32]) -> (losses: [Float], gradient: Tensor) {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count, "logits \(logits.shape) vs \(labels.count) labels")
    let batch = labels.count
    let classes = logits.shape[1]
    var losses = [Float](repeating: 0, count: batch)
    var gradient = logits
    let smoothing = labelSmoothing
    let offTarget = smoothing / Float(classes)
    gradient.scalars.withUnsafeMutableBufferPointer { g in
      for b in 0..<batch {
        let row = g.baseAddress! + b * classes
        let label = Int(labels[b])
        precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
        let (maximum, total) = exponentiateShifted(row, count: classes)
        let logTotal = Float.log(total)
        var loss: Float = 0
        let logits = logits.scalars
        for k in 0..<classes {
          let target = offTarget + (k == label ? 1 - smoothing : 0)
          let logProbability = logits[b * classes + k] - maximum - logTotal
          if target > 0 { loss -= target * logProbability }
          row[k] = row[k] / total - target
        }
        losses[b] = loss
      }
    }
    return (losses, gradient)
  }
}

/// Softmax probabilities of each row of `[B, K]` logits.
public func softmax(_ logits: Tensor) -> Tensor {
  precondition(logits.rank == 2, "softmax needs [B, K] logits, got \(logits.shape)")
  var result = logits
  let classes = logits.shape[1]
  result.scalars.withUnsafeMutableBufferPointer { p in
    for b in 0..<logits.shape[0] {
      let row = p.baseAddress! + b * classes
      let total = exponentiateShifted(row, count: classes).total
      for k in 0..<classes { row[k] /= total }
    }
  }
  return result
}

/// Replaces a row of logits `z` by `exp(z_k − max z)` and returns the maximum and the sum of the
/// exponentials (the max shift keeps every exponential in (0, 1], so nothing overflows).
@inline(__always)
func exponentiateShifted(_ row: UnsafeMutablePointer<Float>, count: Int) -> (maximum: Float, total: Float) {
  var maximum = -Float.infinity
  for k in 0..<count { maximum = max(maximum, row[k]) }
  var total: Float = 0
  for k in 0..<count {
    row[k] = Float.exp(row[k] - maximum)
    total += row[k]
  }
  return (maximum, total)
}
