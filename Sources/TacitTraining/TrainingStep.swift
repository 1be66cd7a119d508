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
  ///
  /// With `recordRows` (a long text record's windows, `TokenWindows`), every record is
  /// `recordRows.perRecord` consecutive rows of `inputs`, handled in every gradient mode as
  /// augmentation multiplicity handles copies: row b's loss and logit gradient are scaled by
  /// `recordRows.weights[b]`, a record's gradient is the mean of its rows' (then its loss's
  /// gradient), clipped as one group under DP-SGD, and the result counts records.
  @discardableResult
  public func run(
    inputs: Tensor, labels: [Int32], canaryRecords: [Int] = [], recordRows: RecordRows? = nil, learningRate: Float,
    generator: inout SeededGenerator
  ) -> StepResult {
    run(
      parts: [StepPart(inputs: inputs, labels: labels, recordRows: recordRows)], canaryRecords: canaryRecords,
      learningRate: learningRate, generator: &generator)
  }

  /// Runs the step on a batch given in `parts`, each its own forward and backward pass, whose
  /// gradients add up before DP-SGD's noise and the one optimizer update: the batch of
  /// privacy units (`PrivacyUnits`), where every part holds units of the same number of rows,
  /// clipped as one group each. The drawn gradient canaries join the last part's clipped sum
  /// (after every part's data: `GradientCanaries.beginStep` records the whole data sum). Windowed
  /// records come the same way, a part per window count, so that no record is padded to the
  /// batch's longest. The divisors count the whole step: E under DP-SGD, the drawn records n
  /// otherwise (`.mean`: (1/n) Σ_r ∇L_r). One part is exactly
  /// `run(inputs:labels:canaryRecords:recordRows:learningRate:generator:)`.
  @discardableResult
  public func run(parts: [StepPart], canaryRecords: [Int] = [], learningRate: Float, generator: inout SeededGenerator)
    -> StepResult
  {
    precondition(!parts.isEmpty, "a step has at least one part, possibly empty")
    precondition(canaryRecords.isEmpty || canaries != nil, "canary records drawn without gradient canaries")
    model.zeroGradients()
    let baseSettings = privateSettings
    var result = StepResult(
      lossSum: 0, correct: 0, count: 0, clippedFraction: 0, clipNorm: baseSettings.map { Double($0.maxGradNorm) })
    var unclippedCount = 0
    var clippedRecords = 0.0
    let drawn = canaries?.canaries(ofRecords: canaryRecords) ?? []
    let records = parts.reduce(0) { $0 + $1.inputs.batchSize / ($1.recordRows?.perRecord ?? 1) }
    for (index, part) in parts.enumerated() {
      let partResult = runPart(
        part, settings: baseSettings, canaries: index == parts.count - 1 ? drawn : nil, stepRecords: records,
        generator: &generator)
      unclippedCount += partResult.unclipped
      clippedRecords += partResult.result.clippedFraction * Double(partResult.result.count)
      result.lossSum += partResult.result.lossSum
      result.correct = result.correct.flatMap { total in partResult.result.correct.map { total + $0 } }
      result.count += partResult.result.count
      if let clipNorm = partResult.result.clipNorm { result.clipNorm = clipNorm }
    }
    result.clippedFraction = clippedRecords / Double(max(result.count, 1))
    if let settings = baseSettings { privatise(settings: settings, unclippedCount: unclippedCount, records: result.count) }
    regularization.addGradients(to: model.parameters)
    optimizer.update(model.parameters, learningRate: learningRate)
    return result
  }

  /// One part's forward and backward pass and its (clipped) gradient sum, added to the
  /// parameter gradients, with the drawn gradient canaries when `drawn` is not `nil` (the last
  /// part), `stepRecords` the records of the whole step; returns its result per record and its
  /// unclipped count.
  private func runPart(
    _ part: StepPart, settings baseSettings: DPSGDSettings?, canaries drawn: [Int]?, stepRecords: Int,
    generator: inout SeededGenerator
  ) -> (result: StepResult, unclipped: Int) {
    let (inputs, labels, recordRows) = (part.inputs, part.labels, part.recordRows)
    let batch = inputs.batchSize
    precondition(labels.isEmpty || labels.count == batch, "batch of \(batch) inputs with \(labels.count) labels")
    precondition(recordRows.map { $0.weights.count == batch } ?? true, "row weights do not match the batch's \(batch) rows")
    var settings = baseSettings
    let rowsPerRecord = recordRows?.perRecord ?? 1
    // A record's windows are its group of rows, as augmentation multiplicity's copies are.
    settings?.augmentationMultiplicity *= rowsPerRecord
    var result = StepResult(
      lossSum: 0, correct: 0, count: batch, clippedFraction: 0, clipNorm: settings.map { Double($0.maxGradNorm) })
    var unclippedCount = 0
    if batch > 0 {
      backpropagateLosses(
        inputs: inputs, labels: labels, rowWeights: recordRows?.weights, generator: &generator, result: &result)
    }
    if batch > 0 || (canaries != nil && drawn != nil) {
      unclippedCount = accumulateGradients(
        batch: batch, rowsPerRecord: rowsPerRecord, settings: settings, canaries: drawn, stepRecords: stepRecords,
        result: &result)
    }
    return (result, unclippedCount)
  }

  /// The DP-SGD settings of this step, clipping at `C_t` under adaptive clipping; `nil` unless
  /// `.privateSum`.
  var privateSettings: DPSGDSettings? {
    guard case .privateSum(var settings) = gradientMode else { return nil }
    if let adaptiveClipping { settings.maxGradNorm = Float(adaptiveClipping.clipNorm) }
    return settings
  }

  /// Forward pass, the objective's losses (summed into `result`, with the correct count) and the
  /// backward pass of their logit gradients; with `rowWeights`, row b's loss and logit gradient
  /// scaled by `rowWeights[b]` first.
  private func backpropagateLosses(
    inputs: Tensor, labels: [Int32], rowWeights: [Float]?, generator: inout SeededGenerator, result: inout StepResult
  ) {
    let logits = model.forward(inputs, mode: .training, generator: &generator)
    var output = objective.lossesAndGradient(logits: logits, inputs: inputs, labels: labels)
    if let rowWeights { output.scaleRows(by: rowWeights) }
    result.lossSum = output.losses.reduce(0) { $0 + Double($1) }
    result.correct = output.correct
    model.backward(output.logitGradient)
  }

  /// Adds the weighted per-example gradient sum of the gradient mode to the parameter gradients
  /// (with the drawn gradient canaries `canaries`, indices into `GradientCanaries.coordinates`,
  /// under `.privateSum`; `nil`: this sum takes no canary step); returns the number of records
  /// left unclipped (`.privateSum`; 0 otherwise). Records are `rowsPerRecord` consecutive rows (1
  /// but for windowed records; under `.privateSum`, `settings.augmentationMultiplicity` already
  /// counts them); `stepRecords` n counts the records of every part of the step.
  private func accumulateGradients(
    batch: Int, rowsPerRecord: Int, settings: DPSGDSettings?, canaries: [Int]?, stepRecords: Int,
    result: inout StepResult
  ) -> Int {
    switch gradientMode {
    case .mean:
      // (1/(n·K')) Σ_rows = (1/n) Σ_r (mean of record r's rows), n the step's records.
      model.accumulateGradients(weights: .uniform(1 / Float(stepRecords * rowsPerRecord)))
      result.countRecords(rowsPerRecord: rowsPerRecord)
      return 0
    case .clippedMean(let maxGradNorm):
      // DP-SGD's clipped sum without noise, divided by the step's drawn number of records.
      let settings = DPSGDSettings(
        maxGradNorm: maxGradNorm, noiseMultiplier: 0, expectedBatchSize: Double(max(stepRecords, 1)),
        augmentationMultiplicity: rowsPerRecord)
      result.clippedFraction = accumulateClipped(settings: settings, batch: batch).clippedFraction
      result.clipNorm = Double(maxGradNorm)
      result.countRecords(rowsPerRecord: rowsPerRecord)
      return 0
    case .privateSum:
      guard let settings else { preconditionFailure("private settings are set in .privateSum mode") }
      let counts = accumulateClipped(settings: settings, batch: batch, canaries: canaries)
      result.clippedFraction = counts.clippedFraction
      // With K copies (or windows) per record, report per record: the mean over its rows.
      result.countRecords(rowsPerRecord: settings.augmentationMultiplicity)
      return counts.unclipped
    }
  }
}

extension StepResult {
  /// Reports per record when every record is `rowsPerRecord` consecutive rows (augmentation
  /// copies, or windows with weighted losses): the loss and correct count are the means over a
  /// record's rows, the count the records.
  mutating func countRecords(rowsPerRecord: Int) {
    guard rowsPerRecord > 1 else { return }
    lossSum /= Double(rowsPerRecord)
    correct = correct.map { Int((Double($0) / Double(rowsPerRecord)).rounded()) }
    count /= rowsPerRecord
  }
}

extension ObjectiveResult {
  /// Scales example b's loss and its rows of the logit gradient by `weights[b]`.
  mutating func scaleRows(by weights: [Float]) {
    precondition(weights.count == losses.count, "\(weights.count) row weights for \(losses.count) examples")
    for index in losses.indices { losses[index] *= weights[index] }
    let width = losses.isEmpty ? 0 : logitGradient.count / losses.count
    logitGradient.scalars.withUnsafeMutableBufferPointer { gradient in
      for (row, weight) in weights.enumerated() where weight != 1 {
        for index in (row * width)..<((row + 1) * width) { gradient[index] *= weight }
      }
    }
  }
}
