import RealModule
import TacitTensor

/// Knowledge distillation's loss for a student (Hinton, Vinyals & Dean 2015, "Distilling the
/// Knowledge in a Neural Network"), per example.
///
/// For student logits `z` (`[B, K]`), the teacher's logits `v` (`[B, K]`), temperature `T > 0`,
/// weight `α ∈ [0, 1]` and hard label `y`:
///
///     p^T = softmax(z / T),  q^T = softmax(v / T),  p = softmax(z)
///     ℓ = α · T² · KL(q^T ‖ p^T) + (1 − α) · (−log p_y)
///     ∂ℓ/∂z = α · T · (p^T − q^T) + (1 − α) · (p − onehot(y))
///
/// The T² factor keeps the soft term's gradient on the scale of the hard term's as T changes
/// (Hinton et al. §2). KL is computed as Σ_k q_k (log q_k − log p_k) with log-softmax (max
/// subtracted), so it is finite for any finite logits and exactly 0 when student and teacher
/// agree. α = 0 is plain cross-entropy; α = 1 trains on the teacher's soft labels alone (a
/// transfer set needs no labels then, and `labels` are ignored).
///
/// Losses are per example (not averaged), like `SoftmaxCrossEntropy`, so DP-SGD can clip per
/// example. Under DP-SGD the teacher's logits on a student's record are part of that record (a
/// function of it), so the student's ε covers its transfer set; it says nothing about the
/// teacher's own training data unless the teacher is private too.
public struct DistillationLoss: Sendable {
  /// T > 0.
  public let temperature: Float
  /// α ∈ [0, 1], the weight of the soft (teacher) term.
  public let softWeight: Float

  public init(temperature: Float, softWeight: Float) {
    precondition(temperature > 0 && temperature.isFinite, "temperature must be > 0, got \(temperature)")
    precondition(softWeight >= 0 && softWeight <= 1, "the soft-label weight α must be in [0, 1], got \(softWeight)")
    self.temperature = temperature
    self.softWeight = softWeight
  }

  /// Per-example losses and the gradient of each example's loss w.r.t. the student's logits.
  public func lossesAndGradient(logits: Tensor, teacherLogits: Tensor, labels: [Int32]) -> (
    losses: [Float], gradient: Tensor
  ) {
    precondition(
      logits.rank == 2 && logits.shape == teacherLogits.shape, "logits \(logits.shape) vs teacher \(teacherLogits.shape)")
    precondition(softWeight == 1 || labels.count == logits.shape[0], "\(labels.count) labels for \(logits.shape[0]) examples")
    let batch = logits.shape[0], classes = logits.shape[1]
    let alpha = Double(softWeight), temperature = Double(temperature)
    var losses = [Float](repeating: 0, count: batch)
    var gradient = Tensor(shape: logits.shape)
    logits.scalars.withUnsafeBufferPointer { z in
      teacherLogits.scalars.withUnsafeBufferPointer { v in
        gradient.scalars.withUnsafeMutableBufferPointer { g in
          for b in 0..<batch {
            let row = b * classes
            let studentSoft = Self.logSoftmax(z, row: row, classes: classes, temperature: temperature)
            let teacherSoft = Self.logSoftmax(v, row: row, classes: classes, temperature: temperature)
            var loss = 0.0
            var rowGradient = [Double](repeating: 0, count: classes)
            if alpha > 0 {
              var divergence = 0.0
              for k in 0..<classes {
                let teacherProbability = Double.exp(teacherSoft[k])
                if teacherProbability > 0 { divergence += teacherProbability * (teacherSoft[k] - studentSoft[k]) }
                rowGradient[k] += alpha * temperature * (Double.exp(studentSoft[k]) - teacherProbability)
              }
              loss += alpha * temperature * temperature * divergence
            }
            if alpha < 1 {
              let label = Int(labels[b])
              precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
              let hard = Self.logSoftmax(z, row: row, classes: classes, temperature: 1)
              loss -= (1 - alpha) * hard[label]
              for k in 0..<classes {
                rowGradient[k] += (1 - alpha) * (Double.exp(hard[k]) - (k == label ? 1 : 0))
              }
            }
            losses[b] = Float(loss)
            for k in 0..<classes { g[row + k] = Float(rowGradient[k]) }
          }
        }
      }
    }
    return (losses, gradient)
  }

  /// log softmax(x / T) of one row, in `Double`, with the maximum subtracted.
  static func logSoftmax(_ x: UnsafeBufferPointer<Float>, row: Int, classes: Int, temperature: Double) -> [Double] {
    var maximum = -Double.infinity
    for k in 0..<classes { maximum = max(maximum, Double(x[row + k]) / temperature) }
    var total = 0.0
    for k in 0..<classes { total += Double.exp(Double(x[row + k]) / temperature - maximum) }
    let logTotal = Double.log(total)
    return (0..<classes).map { Double(x[row + $0]) / temperature - maximum - logTotal }
  }
}
