import TacitNN
import TacitTensor

/// An exponential moving average of a model's parameters (Polyak–Ruppert averaging in its
/// exponential form), evaluated and released in place of the last iterate.
///
/// After step t the average is `θ̄_t = β_t θ̄_{t−1} + (1 − β_t) θ_t`, with the warm-up
/// `β_t = min(β, (1 + t) / (10 + t))` of TensorFlow's `ExponentialMovingAverage(num_updates:)`, so
/// early averages are not dominated by the initialisation; `θ̄_0 = θ_0`.
///
/// Under DP-SGD the average is post-processing of the noisy iterates, so it costs no privacy
/// (De et al. 2022, "Unlocking High-Accuracy Differentially Private Image Classification through
/// Scale", who report it as one of the largest single gains at a fixed ε). It damps the noise the
/// last iterates carry: with decay β it averages roughly the last 1/(1 − β) steps.
///
/// Storage: one `Float` copy of every parameter. Cost: one fused multiply-add per parameter per
/// step.
public final class WeightAverage {
  /// β, in (0, 1).
  public let decay: Double
  /// θ̄, one tensor per parameter in `Sequential.parameters` order.
  private var averages: [Tensor]
  /// Steps folded in so far.
  public private(set) var updates = 0

  /// Starts the average at the parameters' current values.
  public init(parameters: [Parameter], decay: Double) {
    precondition(decay > 0 && decay < 1, "weight-average decay must be in (0, 1), got \(decay)")
    self.decay = decay
    averages = parameters.map(\.value)
  }

  /// The decay used for the next update, `min(β, (1 + t) / (10 + t))` with t updates done.
  public var currentDecay: Double { min(decay, Double(1 + updates) / Double(10 + updates)) }

  /// Folds the parameters' current values into the average.
  public func update(_ parameters: [Parameter]) {
    precondition(parameters.count == averages.count, "\(parameters.count) parameters, \(averages.count) averages")
    let beta = Float(currentDecay)
    let alpha = 1 - beta
    for (index, parameter) in parameters.enumerated() {
      precondition(parameter.value.count == averages[index].count, "parameter \(index) changed size")
      parameter.value.scalars.withUnsafeBufferPointer { value in
        averages[index].scalars.withUnsafeMutableBufferPointer { average in
          for element in 0..<average.count { average[element] = beta * average[element] + alpha * value[element] }
        }
      }
    }
    updates += 1
  }

  /// The average θ̄, one tensor per parameter (or the last iterate while `swap` holds the average
  /// in the parameters): what a checkpoint saves, with `updates`.
  public var savedAverages: [Tensor] { averages }

  /// Puts back the averages and update count of a checkpoint (`savedAverages`, `updates`).
  public func restore(averages saved: [Tensor], updates savedUpdates: Int) {
    precondition(
      saved.map(\.shape) == averages.map(\.shape), "saved averages \(saved.map(\.shape)), expected \(averages.map(\.shape))")
    averages = saved
    updates = savedUpdates
  }

  /// Exchanges the parameters' values with the average: call once to evaluate the average, again
  /// to continue training from the last iterate.
  public func swap(with parameters: [Parameter]) {
    precondition(parameters.count == averages.count, "\(parameters.count) parameters, \(averages.count) averages")
    for (index, parameter) in parameters.enumerated() {
      let current = parameter.value
      parameter.value = averages[index]
      averages[index] = current
    }
  }
}
