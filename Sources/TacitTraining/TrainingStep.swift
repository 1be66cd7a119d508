import TacitNN
import TacitTensor

/// One step of minibatch gradient descent on a `Sequential` model.
///
/// forward (training mode) → the objective's per-example losses and their logit gradients
/// (`TrainingObjective`: cross-entropy, distillation against a teacher, …) → backward (input
/// gradients only) → per-example norms and clip factors when clipping → weighted gradient sum →
/// under DP-SGD, canaries, noise and adaptive clipping's count → penalty gradients → optimizer
/// update.
public struct TrainingStep {
  public let model: Sequential
  public let optimizer: Optimizer
  /// What the step minimises: per-example losses and their gradient w.r.t. the model's outputs.
  public let objective: any TrainingObjective
  public let regularization: Regularization
  public let gradientMode: GradientMode
  /// Draws DP-SGD's noise; required by `.privateSum`, unused otherwise.
  public let noise: NoiseSource?
  /// White-box audit canaries joined to every DP-SGD step (`GradientCanaries`), or `nil`.
  public let canaries: GradientCanaries?
  /// The state of adaptive clipping (the current norm and its history) when the DP-SGD settings
  /// ask for it, fresh for every step object; `nil` otherwise.
  public let adaptiveClipping: AdaptiveClipping?
  /// Under the test-only fault `.noiseReused`, the first step's noise vector; `nil` otherwise.
  let reusedNoise: ReusedNoise?

  public init(
    model: Sequential, optimizer: Optimizer, objective: any TrainingObjective, regularization: Regularization,
    gradientMode: GradientMode, noise: NoiseSource? = nil, canaries: GradientCanaries? = nil
  ) {
    if case .privateSum(let settings) = gradientMode {
      precondition(noise != nil, "a DP-SGD step needs a noise source")
      adaptiveClipping = settings.adaptiveClipping.map {
        var adaptive = $0
        if settings.faults.contains(.noiseDisabled) { adaptive.countNoise = 0 }
        return AdaptiveClipping(
          settings: adaptive, initialClipNorm: Double(settings.maxGradNorm), expectedBatchSize: settings.expectedBatchSize)
      }
      reusedNoise = settings.faults.contains(.noiseReused) ? ReusedNoise() : nil
    } else {
      precondition(canaries == nil, "gradient canaries audit DP-SGD steps only")
      adaptiveClipping = nil
      reusedNoise = nil
    }
    self.noise = noise
    self.canaries = canaries
    self.model = model
    self.optimizer = optimizer
    self.objective = objective
    self.regularization = regularization
    self.gradientMode = gradientMode
  }

  /// Runs the step on a batch `inputs` (`[B, …]`) with `labels` (`[B]`, or empty for an objective
  /// that needs none, such as next-token prediction, whose targets are the inputs) at
  /// `learningRate`. Under DP-SGD with augmentation multiplicity K the batch is K consecutive
  /// copies of each record; `canaryRecords` are the gradient canaries the sampler drew into this
  /// batch (ordinals among the IN canaries, `GradientCanaries.includedCanaries`).
  @discardableResult
  public func run(
    inputs: Tensor, labels: [Int32], canaryRecords: [Int] = [], learningRate: Float, generator: inout SeededGenerator
  ) -> StepResult {
    let batch = inputs.batchSize
    precondition(labels.isEmpty || labels.count == batch, "batch of \(batch) inputs with \(labels.count) labels")
    model.zeroGradients()
    let settings = privateSettings
    var result = StepResult(
      lossSum: 0, correct: 0, count: batch, clippedFraction: 0, clipNorm: settings.map { Double($0.maxGradNorm) })
    precondition(canaryRecords.isEmpty || canaries != nil, "canary records drawn without gradient canaries")
    var unclippedCount = 0
    if batch > 0 {
      backpropagateLosses(inputs: inputs, labels: labels, generator: &generator, result: &result)
    }
    if batch > 0 || canaries != nil {
      let drawn = canaries?.canaries(ofRecords: canaryRecords) ?? []
      unclippedCount = accumulateGradients(batch: batch, settings: settings, canaries: drawn, result: &result)
    }
    if let settings { privatise(settings: settings, unclippedCount: unclippedCount, batch: batch) }
    regularization.addGradients(to: model.parameters)
    optimizer.update(model.parameters, learningRate: learningRate)
    return result
  }

  /// The DP-SGD settings of this step, clipping at `C_t` under adaptive clipping; `nil` unless
  /// `.privateSum`.
  var privateSettings: DPSGDSettings? {
    guard case .privateSum(var settings) = gradientMode else { return nil }
    if let adaptiveClipping { settings.maxGradNorm = Float(adaptiveClipping.clipNorm) }
    return settings
  }

  /// Forward pass, the objective's losses (summed into `result`, with the correct count) and the
  /// backward pass of their logit gradients.
  private func backpropagateLosses(
    inputs: Tensor, labels: [Int32], generator: inout SeededGenerator, result: inout StepResult
  ) {
    let logits = model.forward(inputs, mode: .training, generator: &generator)
    let output = objective.lossesAndGradient(logits: logits, inputs: inputs, labels: labels)
    result.lossSum = output.losses.reduce(0) { $0 + Double($1) }
    result.correct = output.correct
    model.backward(output.logitGradient)
  }

  /// Adds the weighted per-example gradient sum of the gradient mode to the parameter gradients
  /// (with the drawn gradient canaries `canaries`, indices into `GradientCanaries.coordinates`,
  /// under `.privateSum`); returns the number of records left unclipped (`.privateSum`; 0
  /// otherwise).
  private func accumulateGradients(batch: Int, settings: DPSGDSettings?, canaries: [Int], result: inout StepResult)
    -> Int
  {
    switch gradientMode {
    case .mean:
      model.accumulateGradients(weights: .uniform(1 / Float(batch)))
      return 0
    case .clippedMean(let maxGradNorm):
      // DP-SGD's clipped sum without noise, divided by the drawn batch size.
      let settings = DPSGDSettings(maxGradNorm: maxGradNorm, noiseMultiplier: 0, expectedBatchSize: Double(batch))
      result.clippedFraction = accumulateClipped(settings: settings, batch: batch).clippedFraction
      result.clipNorm = Double(maxGradNorm)
      return 0
    case .privateSum:
      guard let settings else { preconditionFailure("private settings are set in .privateSum mode") }
      let counts = accumulateClipped(settings: settings, batch: batch, canaries: canaries)
      result.clippedFraction = counts.clippedFraction
      // With K copies per record, report per record: the mean loss and correct count over copies.
      let multiplicity = settings.augmentationMultiplicity
      if multiplicity > 1 {
        result.lossSum /= Double(multiplicity)
        result.correct = result.correct.map { Int((Double($0) / Double(multiplicity)).rounded()) }
        result.count = batch / multiplicity
      }
      return counts.unclipped
    }
  }
}
