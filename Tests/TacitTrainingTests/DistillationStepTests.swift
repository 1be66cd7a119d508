import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// A training step with a teacher: the step's update must be the distillation loss's gradient
/// against the teacher's logits on the same inputs, in every gradient mode.
@Suite struct DistillationStepTests {
  /// The parameter change of one plain-SGD step at learning rate 1 (= the applied gradient).
  func appliedGradient(mode: GradientMode, distillation: Distillation?, batch: Int = 12) throws -> [Double] {
    let model = try makeModel()
    let (inputs, labels) = randomBatch(batch)
    let before = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    let noise: NoiseSource? = if case .privateSum = mode { .seeded(SeededGenerator(seed: 5)) } else { nil }
    let step = TrainingStep(
      model: model, optimizer: SGD(momentum: 0, nesterov: false),
      objective: distillation.map { $0 as any TrainingObjective } ?? SoftmaxCrossEntropy(),
      regularization: Regularization(l1: 0, l2: 0), gradientMode: mode, noise: noise)
    var generator = SeededGenerator(seed: 1)
    step.run(inputs: inputs, labels: labels, learningRate: 1, generator: &generator)
    let after = model.parameters.flatMap { $0.value.scalars.map(Double.init) }
    return zip(before, after).map { $0 - $1 }
  }

  /// α = 0 is cross-entropy on the labels: the teacher is ignored (to rounding: the distillation
  /// loss computes its softmax in `Double`).
  @Test(arguments: [GradientMode.mean, .clippedMean(maxGradNorm: 0.3)])
  func zeroSoftWeightIsPlainCrossEntropy(mode: GradientMode) throws {
    let teacher = try makeModel(seed: 77)
    let plain = try appliedGradient(mode: mode, distillation: nil)
    let distilled = try appliedGradient(
      mode: mode, distillation: Distillation(teacher: teacher, loss: DistillationLoss(temperature: 3, softWeight: 0)))
    for (a, b) in zip(plain, distilled) { #expect(abs(a - b) < 1e-6) }
  }

  /// A student identical to its teacher with α = 1 has zero KL gradient: the step moves nothing.
  @Test func studentEqualToTeacherDoesNotMove() throws {
    let teacher = try makeModel()
    let step = try appliedGradient(
      mode: .mean, distillation: Distillation(teacher: teacher, loss: DistillationLoss(temperature: 2, softWeight: 1)))
    #expect(step.allSatisfy { abs($0) < 1e-6 }, "largest move \(step.map(abs).max() ?? 0)")
  }

  /// The mean-mode update equals the batch mean of per-example gradients of the distillation loss
  /// (an independent oracle: one example at a time through `DistillationLoss` directly).
  @Test func updateIsTheMeanDistillationGradient() throws {
    let teacher = try makeModel(seed: 41)
    let loss = DistillationLoss(temperature: 2.5, softWeight: 0.7)
    let batch = 9
    let step = try appliedGradient(mode: .mean, distillation: Distillation(teacher: teacher, loss: loss), batch: batch)
    let oracleModel = try makeModel()
    let (inputs, labels) = randomBatch(batch)
    var total = [Double](repeating: 0, count: step.count)
    var generator = SeededGenerator(seed: 0)
    for index in 0..<batch {
      oracleModel.zeroGradients()
      let x = inputs.rows(index..<(index + 1))
      let logits = oracleModel.forward(x, mode: .training, generator: &generator)
      let teacherLogits = teacher.predict(x)
      let (_, gradient) = loss.lossesAndGradient(logits: logits, teacherLogits: teacherLogits, labels: [labels[index]])
      oracleModel.backward(gradient)
      oracleModel.accumulateGradients(weights: .uniform(1))
      let example = oracleModel.parameters.flatMap { $0.gradient.scalars.map(Double.init) }
      for i in total.indices { total[i] += example[i] / Double(batch) }
    }
    for i in total.indices { #expect(abs(step[i] - total[i]) < 1e-5, "coordinate \(i): \(step[i]) vs \(total[i])") }
  }

  /// Under DP-SGD each example's distillation gradient is clipped to C like any other: with
  /// σ = 0, E = B and a tiny C every example is clipped, so the update's norm is at most C.
  @Test func privateStepClipsTheDistillationGradient() throws {
    let teacher = try makeModel(seed: 41)
    let settings = DPSGDSettings(maxGradNorm: 0.01, noiseMultiplier: 0, expectedBatchSize: 12)
    let step = try appliedGradient(
      mode: .privateSum(settings),
      distillation: Distillation(teacher: teacher, loss: DistillationLoss(temperature: 4, softWeight: 1)))
    let norm = step.reduce(0) { $0 + $1 * $1 }.squareRoot()
    #expect(norm <= 0.01 * (1 + 1e-4) && norm > 0.001, "update norm \(norm)")
  }
}
