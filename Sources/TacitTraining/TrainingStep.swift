import TacitNN
import TacitTensor

/// How the parameter gradient of a step is formed from per-example gradients.
public enum GradientMode: Sendable, Equatable {
  /// The mean gradient `(1/B) Σ_b ∇θ ℓ_b`: ordinary training, one GEMM per layer.
  case mean
  /// Per-example clipping without noise: `(1/B) Σ_b min(1, C/‖∇θ ℓ_b‖) ∇θ ℓ_b`, the norms from
  /// the layers' book-keeping (DESIGN.md §3). Used to measure the cost of DP-SGD's
  /// book-keeping, and the base DP-SGD builds on.
  case clippedMean(maxGradNorm: Float)
  /// DP-SGD (Abadi et al. 2016): `(Σ_b clip_C(∇θ ℓ_b) + N(0, σ²C² I)) / (qN)`, see
  /// `DPSGDSettings`. Needs a `NoiseSource`.
  case privateSum(DPSGDSettings)
}

/// The parameters of a DP-SGD step.
///
/// The step computes `g̃ = (Σ_{b ∈ batch} c_b ∇θ ℓ_b + N(0, σ²C² I)) / E` where
/// - `c_b = min(1, C / ‖∇θ ℓ_b‖)` (flat clipping: the norm over all parameters), or, per layer,
///   each trainable layer's gradient clipped to `C_l = C / √L` for `L` trainable layers, so the
///   whole per-example gradient still has norm ≤ `√(Σ C_l²) = C` and the same noise calibrates;
/// - `E = qN`, the *expected* batch size (never the drawn size: dividing by the drawn size leaks
///   it, and the accountant's analysis assumes a fixed divisor);
/// - the batch is a Poisson sample (`PoissonSampler`) and may be empty: the noise is still added
///   and the step still taken.
/// With `σ = 0`, `C = ∞` and `E` equal to the batch size, the step is plain SGD on the mean
/// gradient, bit for bit (tested).
///
/// With `adaptiveClipping` (flat clipping only) `C` is `C_t`, starting at `maxGradNorm` and moved
/// after every step towards a quantile of the per-example norms (`AdaptiveClippingSettings`, Andrew
/// et al. 2021); `noiseMultiplier` is then the gradient's share `z_Δ`, larger than the effective
/// multiplier the accountant sees because the step also releases a noisy count.
public struct DPSGDSettings: Sendable, Equatable {
  public enum Clipping: String, Sendable {
    case flat
    case perLayer = "per_layer"
  }

  /// The clipping norm `C` (> 0; `.infinity` disables clipping, for tests); with adaptive
  /// clipping, the initial norm `C_0`.
  public var maxGradNorm: Float
  /// The noise multiplier `σ` (≥ 0): the noise standard deviation is `σC` (`z_Δ C_t` with
  /// adaptive clipping).
  public var noiseMultiplier: Float
  /// The divisor `E = qN`.
  public var expectedBatchSize: Double
  public var clipping: Clipping
  /// Augmentation multiplicity K (De et al. 2022, "Unlocking High-Accuracy Differentially Private
  /// Image Classification through Scale"): the batch holds K augmented copies of each sampled
  /// record, consecutive; a record's gradient is the mean over its copies, clipped as one, so the
  /// record still contributes at most C and counts once in the accounting. 1: plain DP-SGD.
  public var augmentationMultiplicity: Int
  /// Adaptive clipping's parameters, or `nil` for a fixed `C`.
  public var adaptiveClipping: AdaptiveClippingSettings?

  public init(
    maxGradNorm: Float, noiseMultiplier: Float, expectedBatchSize: Double, clipping: Clipping = .flat,
    adaptiveClipping: AdaptiveClippingSettings? = nil, augmentationMultiplicity: Int = 1
  ) {
    precondition(maxGradNorm > 0, "max_grad_norm must be > 0, got \(maxGradNorm)")
    precondition(
      noiseMultiplier >= 0 && noiseMultiplier.isFinite, "noise multiplier must be finite and ≥ 0, got \(noiseMultiplier)")
    precondition(expectedBatchSize > 0, "expected batch size must be > 0, got \(expectedBatchSize)")
    precondition(
      adaptiveClipping == nil || (clipping == .flat && maxGradNorm.isFinite),
      "adaptive clipping needs flat clipping and a finite initial norm, got \(clipping) with C = \(maxGradNorm)")
    self.maxGradNorm = maxGradNorm
    self.noiseMultiplier = noiseMultiplier
    self.expectedBatchSize = expectedBatchSize
    self.clipping = clipping
    self.adaptiveClipping = adaptiveClipping
    precondition(augmentationMultiplicity >= 1, "augmentation multiplicity must be ≥ 1, got \(augmentationMultiplicity)")
    self.augmentationMultiplicity = augmentationMultiplicity
  }
}

/// What one optimisation step produced.
public struct StepResult: Sendable {
  /// The sum of per-example losses over the batch.
  public var lossSum: Double
  /// The number of correctly classified examples in the batch (training-mode forward pass).
  public var correct: Int
  /// The number of examples.
  public var count: Int
  /// The fraction of examples whose gradient was clipped (0 in `.mean` mode).
  public var clippedFraction: Double
  /// The clipping norm the step used (`nil` in `.mean` mode).
  public var clipNorm: Double?
}

/// One step of minibatch gradient descent on a `Sequential` model.
///
/// forward (training mode) → per-example losses (cross-entropy, or distillation against a
/// teacher's logits on the same inputs) and their logit gradients → backward (input
/// gradients only) → per-example norms and clip factors when clipping → weighted gradient sum →
/// penalty gradients → optimizer update.
public struct TrainingStep {
  public let model: Sequential
  public let optimizer: Optimizer
  /// The hard-label loss: the training loss without a teacher, and the evaluation loss always.
  public let loss: SoftmaxCrossEntropy
  /// A teacher whose softened outputs the model learns from (`DistillationLoss` replaces `loss`
  /// in training), or `nil`.
  public let distillation: Distillation?
  public let regularization: Regularization
  public let gradientMode: GradientMode
  /// Draws DP-SGD's noise; required by `.privateSum`, unused otherwise.
  public let noise: NoiseSource?
  /// White-box audit canaries joined to every DP-SGD step (`GradientCanaries`), or `nil`.
  public let canaries: GradientCanaries?
  /// The state of adaptive clipping (the current norm and its history) when the DP-SGD settings
  /// ask for it, fresh for every step object; `nil` otherwise.
  public let adaptiveClipping: AdaptiveClipping?

  public init(
    model: Sequential, optimizer: Optimizer, loss: SoftmaxCrossEntropy,
    regularization: Regularization, gradientMode: GradientMode, noise: NoiseSource? = nil,
    canaries: GradientCanaries? = nil, distillation: Distillation? = nil
  ) {
    if let distillation {
      precondition(
        distillation.teacher.outputShape == model.outputShape,
        "the teacher's outputs \(distillation.teacher.outputShape) differ from the student's \(model.outputShape)")
    }
    self.distillation = distillation
    if case .privateSum(let settings) = gradientMode {
      precondition(noise != nil, "a DP-SGD step needs a noise source")
      adaptiveClipping = settings.adaptiveClipping.map {
        AdaptiveClipping(
          settings: $0, initialClipNorm: Double(settings.maxGradNorm), expectedBatchSize: settings.expectedBatchSize)
      }
    } else {
      precondition(canaries == nil, "gradient canaries audit DP-SGD steps only")
      adaptiveClipping = nil
    }
    self.noise = noise
    self.canaries = canaries
    self.model = model
    self.optimizer = optimizer
    self.loss = loss
    self.regularization = regularization
    self.gradientMode = gradientMode
  }

  /// Runs the step on a batch `inputs` (`[B, …]`) with `labels` at `learningRate`. Under DP-SGD
  /// with augmentation multiplicity K the batch is K consecutive copies of each record.
  @discardableResult
  public func run(
    inputs: Tensor, labels: [Int32], learningRate: Float, generator: inout SeededGenerator
  ) -> StepResult {
    let batch = labels.count
    precondition(inputs.batchSize == batch, "batch of \(inputs.batchSize) inputs with \(labels.count) labels")
    model.zeroGradients()
    var result = StepResult(lossSum: 0, correct: 0, count: batch, clippedFraction: 0)
    var unclippedCount = 0
    // The norm this step clips at: C, or C_t under adaptive clipping.
    var privateSettings: DPSGDSettings?
    if case .privateSum(var settings) = gradientMode {
      if let adaptiveClipping { settings.maxGradNorm = Float(adaptiveClipping.clipNorm) }
      privateSettings = settings
      result.clipNorm = Double(settings.maxGradNorm)
    }
    if batch > 0 {
      let logits = model.forward(inputs, mode: .training, generator: &generator)
      let (losses, gradient) =
        distillation.map {
          $0.loss.lossesAndGradient(logits: logits, teacherLogits: $0.teacherLogits(inputs), labels: labels)
        } ?? loss.lossesAndGradient(logits: logits, labels: labels)
      result.lossSum = losses.reduce(0) { $0 + Double($1) }
      result.correct = zip(logits.argmaxRows(), labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
      model.backward(gradient)
      switch gradientMode {
      case .mean:
        model.accumulateGradients(weights: .uniform(1 / Float(batch)))
      case .clippedMean(let maxGradNorm):
        // DP-SGD's clipped sum without noise, divided by the drawn batch size.
        let settings = DPSGDSettings(maxGradNorm: maxGradNorm, noiseMultiplier: 0, expectedBatchSize: Double(batch))
        result.clippedFraction = accumulateClipped(settings: settings, batch: batch).clippedFraction
        result.clipNorm = Double(maxGradNorm)
      case .privateSum:
        guard let privateSettings else { preconditionFailure("private settings are set in .privateSum mode") }
        let counts = accumulateClipped(settings: privateSettings, batch: batch)
        result.clippedFraction = counts.clippedFraction
        unclippedCount = counts.unclipped
        // With K copies per record, report per record: the mean loss and correct count over copies.
        let multiplicity = privateSettings.augmentationMultiplicity
        if multiplicity > 1 {
          result.lossSum /= Double(multiplicity)
          result.correct = Int((Double(result.correct) / Double(multiplicity)).rounded())
          result.count = batch / multiplicity
        }
      }
    }
    if let settings = privateSettings, let noise {
      // Canaries keep their own norm under fixed clipping (C/√L per layer), and follow C_t.
      canaries?.inject(
        into: model.parameters, expectedBatchSize: settings.expectedBatchSize,
        gradientNorm: adaptiveClipping == nil ? nil : settings.maxGradNorm)
      defer { canaries?.observe(model.parameters) }
      let standardDeviation = settings.noiseMultiplier * settings.maxGradNorm / Float(settings.expectedBatchSize)
      let parameters = model.parameters
      let parameterCount = parameters.reduce(0) { $0 + $1.gradient.count }
      if standardDeviation > 0 || adaptiveClipping != nil {
        // One standard-normal vector for all parameters per step, so the source can draw the
        // next step's vector in the background while this one runs; with adaptive clipping one
        // more entry, last, is the count's noise (the same stream: seeded or secure as the run).
        let z = noise.standardNormals(count: parameterCount + (adaptiveClipping == nil ? 0 : 1))
        if standardDeviation > 0 {
          var offset = 0
          z.withUnsafeBufferPointer { normals in
            for parameter in parameters {
              let count = parameter.gradient.count
              parameter.gradient.scalars.withUnsafeMutableBufferPointer { gradient in
                for i in 0..<count { gradient[i] += standardDeviation * normals[offset + i] }
              }
              offset += count
            }
          }
        }
        if let adaptiveClipping {
          adaptiveClipping.update(
            unclippedCount: unclippedCount, batchSize: batch / settings.augmentationMultiplicity,
            standardNormal: Double(z[parameterCount]))
        }
      }
    }
    regularization.addGradients(to: model.parameters)
    optimizer.update(model.parameters, learningRate: learningRate)
    return result
  }

  /// Adds `Σ_r c_r ḡ_r / E` to the parameter gradients with DP-SGD's clip factors, where record
  /// r's gradient ḡ_r is the mean over its K copies (consecutive rows; K = 1 without augmentation
  /// multiplicity) and c_r = min(1, C/‖ḡ_r‖). Each copy's row weight is c_r / (K·E). Returns the
  /// fraction of records clipped (in at least one layer, for per-layer clipping) and the number
  /// unclipped, `Σ_r 1[‖ḡ_r‖ ≤ C]` (the count adaptive clipping releases).
  private func accumulateClipped(settings: DPSGDSettings, batch: Int) -> (clippedFraction: Double, unclipped: Int) {
    let multiplicity = settings.augmentationMultiplicity
    precondition(batch % multiplicity == 0, "a batch of \(batch) rows is not whole records of \(multiplicity) copies")
    let records = batch / multiplicity
    let scale = 1 / Float(settings.expectedBatchSize)
    let copyScale = scale / Float(multiplicity)
    func factors(_ squaredNorms: [Double], bound: Double, clipped: inout [Bool]) -> ExampleWeights {
      var any = false
      let recordWeights = squaredNorms.enumerated().map { index, squaredNorm -> Float in
        // ‖ḡ_r‖ = ‖Σ_k g_{r,k}‖ / K.
        let norm = squaredNorm.squareRoot() / Double(multiplicity)
        guard norm > bound else { return copyScale }
        any = true
        clipped[index] = true
        return Float(bound / norm) * copyScale
      }
      // Nothing clipped: the uniform path, bit for bit the plain mean gradient when E = B, K = 1.
      guard any else { return .uniform(copyScale) }
      if multiplicity == 1 { return .perExample(recordWeights) }
      return .perExample(recordWeights.flatMap { Array(repeating: $0, count: multiplicity) })
    }
    var clipped = [Bool](repeating: false, count: records)
    switch settings.clipping {
    case .flat:
      let norms = model.groupSquaredNorms(batchSize: batch, groupSize: multiplicity)
      model.accumulateGradients(weights: factors(norms, bound: Double(settings.maxGradNorm), clipped: &clipped))
    case .perLayer:
      let trainable = model.layers.filter { !$0.parameters.isEmpty }
      let bound = Double(settings.maxGradNorm) / Double(max(trainable.count, 1)).squareRoot()
      for layer in trainable {
        var norms = [Double](repeating: 0, count: records)
        layer.addGroupSquaredNorms(into: &norms, groupSize: multiplicity)
        layer.accumulateGradients(weights: factors(norms, bound: bound, clipped: &clipped))
      }
    }
    let clippedCount = clipped.filter { $0 }.count
    return (Double(clippedCount) / Double(max(records, 1)), records - clippedCount)
  }
}
