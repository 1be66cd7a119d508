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
}

/// One step of minibatch gradient descent on a `Sequential` model.
///
/// forward (training mode) → per-example losses and their logit gradients → backward (input
/// gradients only) → per-example norms and clip factors when clipping → weighted gradient sum →
/// penalty gradients → optimizer update.
public struct TrainingStep {
  public let model: Sequential
  public let optimizer: Optimizer
  public let loss: SoftmaxCrossEntropy
  public let regularization: Regularization
  public let gradientMode: GradientMode

  public init(
    model: Sequential, optimizer: Optimizer, loss: SoftmaxCrossEntropy,
    regularization: Regularization, gradientMode: GradientMode
  ) {
    self.model = model
    self.optimizer = optimizer
    self.loss = loss
    self.regularization = regularization
    self.gradientMode = gradientMode
  }

  /// Runs the step on a batch `inputs` (`[B, …]`) with `labels` at `learningRate`.
  @discardableResult
  public func run(
    inputs: Tensor, labels: [Int32], learningRate: Float, generator: inout SeededGenerator
  ) -> StepResult {
    let batch = labels.count
    precondition(inputs.batchSize == batch, "batch of \(inputs.batchSize) inputs with \(labels.count) labels")
    model.zeroGradients()
    var result = StepResult(lossSum: 0, correct: 0, count: batch, clippedFraction: 0)
    if batch > 0 {
      let logits = model.forward(inputs, mode: .training, generator: &generator)
      let (losses, gradient) = loss.lossesAndGradient(logits: logits, labels: labels)
      result.lossSum = losses.reduce(0) { $0 + Double($1) }
      result.correct = zip(logits.argmaxRows(), labels).reduce(0) { $0 + ($1.0 == Int($1.1) ? 1 : 0) }
      model.backward(gradient)
      switch gradientMode {
      case .mean:
        model.accumulateGradients(weights: .uniform(1 / Float(batch)))
      case .clippedMean(let maxGradNorm):
        let norms = model.perExampleSquaredNorms(batchSize: batch)
        var clipped = 0
        let factors = norms.map { squaredNorm -> Float in
          let norm = squaredNorm.squareRoot()
          if norm > Double(maxGradNorm) {
            clipped += 1
            return Float(Double(maxGradNorm) / norm) / Float(batch)
          }
          return 1 / Float(batch)
        }
        result.clippedFraction = Double(clipped) / Double(batch)
        // When nothing is clipped every factor is 1/B: take the plain path, so that C = ∞
        // reproduces non-private training bit for bit.
        model.accumulateGradients(weights: clipped == 0 ? .uniform(1 / Float(batch)) : .perExample(factors))
      }
    }
    regularization.addGradients(to: model.parameters)
    optimizer.update(model.parameters, learningRate: learningRate)
    return result
  }
}
