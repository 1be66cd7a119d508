import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct DistillationLossTests {
  static func logits(_ batch: Int, _ classes: Int, seed: UInt64, scale: Float = 2) -> Tensor {
    randomTensor([batch, classes], seed: seed, scale: scale)
  }

  /// The gradient equals central finite differences of the loss, in Double, for several (T, α).
  @Test(arguments: [(Float(1), Float(0.5)), (4, 0.9), (2, 0), (3, 1)])
  func gradientMatchesFiniteDifferences(temperature: Float, softWeight: Float) {
    let loss = DistillationLoss(temperature: temperature, softWeight: softWeight)
    let student = Self.logits(3, 5, seed: 1), teacher = Self.logits(3, 5, seed: 2, scale: 4)
    let labels: [Int32] = [4, 0, 2]
    let (_, gradient) = loss.lossesAndGradient(logits: student, teacherLogits: teacher, labels: labels)
    let step: Float = 1e-2
    for index in 0..<student.count {
      var plus = student, minus = student
      plus.scalars[index] += step
      minus.scalars[index] -= step
      let example = index / 5
      let up = loss.lossesAndGradient(logits: plus, teacherLogits: teacher, labels: labels).losses[example]
      let down = loss.lossesAndGradient(logits: minus, teacherLogits: teacher, labels: labels).losses[example]
      let numeric = Double(up - down) / Double(2 * step)
      #expect(
        abs(numeric - Double(gradient.scalars[index])) < 2e-3 * max(1, abs(numeric)),
        "T \(temperature), α \(softWeight), index \(index): numeric \(numeric) vs \(gradient.scalars[index])")
    }
  }

  /// α = 0 is softmax cross-entropy; the soft term is zero when the student equals the teacher,
  /// and positive otherwise (KL ≥ 0).
  @Test func limitsAndClosedForms() {
    let student = Self.logits(4, 6, seed: 3), teacher = Self.logits(4, 6, seed: 4)
    let labels: [Int32] = [0, 5, 3, 1]
    let hardOnly = DistillationLoss(temperature: 3, softWeight: 0).lossesAndGradient(
      logits: student, teacherLogits: teacher, labels: labels)
    let crossEntropy = SoftmaxCrossEntropy().lossesAndGradient(logits: student, labels: labels)
    for (a, b) in zip(hardOnly.losses, crossEntropy.losses) { #expect(abs(a - b) < 1e-5) }
    for (a, b) in zip(hardOnly.gradient.scalars, crossEntropy.gradient.scalars) { #expect(abs(a - b) < 1e-6) }
    let softOnly = DistillationLoss(temperature: 3, softWeight: 1)
    let same = softOnly.lossesAndGradient(logits: teacher, teacherLogits: teacher, labels: [])
    #expect(same.losses.allSatisfy { abs($0) < 1e-6 } && same.gradient.scalars.allSatisfy { abs($0) < 1e-7 })
    let different = softOnly.lossesAndGradient(logits: student, teacherLogits: teacher, labels: [])
    #expect(different.losses.allSatisfy { $0 > 0 })
    // The soft gradient of each example sums to zero over classes (both are distributions).
    for b in 0..<4 {
      let total = (0..<6).reduce(Float(0)) { $0 + different.gradient.scalars[b * 6 + $1] }
      #expect(abs(total) < 1e-6)
    }
  }

  /// Extreme logits stay finite (log-softmax with the maximum subtracted).
  @Test func extremeLogitsStayFinite() {
    let student = Tensor(shape: [1, 3], scalars: [1000, -1000, 0])
    let teacher = Tensor(shape: [1, 3], scalars: [-800, 900, 0])
    let (losses, gradient) = DistillationLoss(temperature: 2, softWeight: 0.7).lossesAndGradient(
      logits: student, teacherLogits: teacher, labels: [2])
    #expect(losses.allSatisfy(\.isFinite) && gradient.scalars.allSatisfy(\.isFinite))
    // KL(q‖p) ≈ Σ q_k (log q_k − log p_k) with q ≈ onehot(1), log p^T_1 = −1000: 0.7·4·1000 plus
    // the hard term 0.3·1000.
    #expect(abs(losses[0] - (0.7 * 4 * 1000 + 0.3 * 1000)) < 1)
  }
}
