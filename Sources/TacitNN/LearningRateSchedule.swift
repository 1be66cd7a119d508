import Foundation

/// The learning rate as a function of the optimizer step: a linear warm-up followed by a constant,
/// step-decayed or cosine-annealed rate.
///
/// Steps are counted from 0 over the whole run; `stepsPerEpoch` is the (expected) number of
/// optimizer steps per epoch, so a run has `S = totalEpochs · stepsPerEpoch` steps and the
/// warm-up `W = round(warmUpEpochs · stepsPerEpoch)` of them. With base rate `η`:
///
/// - warm-up, step `s < W`: `η · (s + 1) / W` (rises linearly from `η / W` to `η` at `s = W − 1`);
/// - `.constant`: `η`;
/// - `.step(everyEpochs: k, gamma: γ)`: `η · γ^⌊e / k⌋` where `e = ⌊s / stepsPerEpoch⌋` is the
///   epoch (counted from the start of the run, warm-up included, as PyTorch's `StepLR`);
/// - `.cosine(minimum: η_min)`: `η_min + (η − η_min) · (1 + cos(π u)) / 2` with
///   `u = (s − W) / (S − W − 1)`, so the first step after warm-up gets `η` and the last step of
///   the run `η_min` (SGDR, Loshchilov & Hutter 2017, one cycle without restarts). Steps past the
///   end stay at `η_min`; with a single step after warm-up that step gets `η_min`.
///
/// Under DP the schedule depends only on the step count, never on data, so it costs no privacy.
public struct LearningRateSchedule: Sendable, Equatable {
  /// How the rate evolves after warm-up.
  public enum Kind: Sendable, Equatable {
    /// The base rate throughout.
    case constant
    /// Multiply by `gamma` every `everyEpochs` epochs.
    case step(everyEpochs: Int, gamma: Float)
    /// Cosine annealing from the base rate to `minimum` at the last step of the run.
    case cosine(minimum: Float)
  }

  /// The rate `η` after warm-up (and the peak of the cosine).
  public var baseRate: Float
  /// The shape after warm-up.
  public var kind: Kind
  /// Epochs of linear warm-up (0 for none).
  public var warmUpEpochs: Double

  /// - Precondition: `baseRate > 0`, `warmUpEpochs ≥ 0`; for `.step`, `everyEpochs ≥ 1` and
  ///   `gamma > 0`; for `.cosine`, `0 ≤ minimum ≤ baseRate`.
  public init(baseRate: Float, kind: Kind = .constant, warmUpEpochs: Double = 0) {
    precondition(baseRate > 0 && baseRate.isFinite, "learning rate must be positive and finite, got \(baseRate)")
    precondition(warmUpEpochs >= 0 && warmUpEpochs.isFinite, "warm-up epochs must be non-negative, got \(warmUpEpochs)")
    switch kind {
    case .constant:
      break
    case .step(let everyEpochs, let gamma):
      precondition(everyEpochs >= 1, "step schedule needs everyEpochs ≥ 1, got \(everyEpochs)")
      precondition(gamma > 0 && gamma.isFinite, "step schedule needs a positive gamma, got \(gamma)")
    case .cosine(let minimum):
      precondition(
        minimum >= 0 && minimum <= baseRate,
        "cosine schedule needs 0 ≤ minimum ≤ base rate, got minimum \(minimum) and base \(baseRate)")
    }
    self.baseRate = baseRate
    self.kind = kind
    self.warmUpEpochs = warmUpEpochs
  }

  /// The rate for optimizer step `step` (0-based) of a run of `totalEpochs` epochs of
  /// `stepsPerEpoch` steps.
  ///
  /// - Precondition: `step ≥ 0`, `stepsPerEpoch ≥ 1`, `totalEpochs ≥ 1`. A cosine run whose
  ///   warm-up covers every step never decays.
  public func learningRate(step: Int, stepsPerEpoch: Int, totalEpochs: Int) -> Float {
    precondition(step >= 0, "learning rate asked for negative step \(step)")
    precondition(stepsPerEpoch >= 1, "stepsPerEpoch must be at least 1, got \(stepsPerEpoch)")
    precondition(totalEpochs >= 1, "totalEpochs must be at least 1, got \(totalEpochs)")
    let warmUpSteps = Int((warmUpEpochs * Double(stepsPerEpoch)).rounded())
    if step < warmUpSteps {
      return Float(Double(baseRate) * Double(step + 1) / Double(warmUpSteps))
    }
    switch kind {
    case .constant:
      return baseRate
    case .step(let everyEpochs, let gamma):
      let epoch = step / stepsPerEpoch
      return Float(Double(baseRate) * Foundation.pow(Double(gamma), Double(epoch / everyEpochs)))
    case .cosine(let minimum):
      // A warm-up as long as the run leaves no steps to decay over: the rate stays at the base.
      let decaySteps = totalEpochs * stepsPerEpoch - warmUpSteps
      let progress = decaySteps > 1 ? min(1, Double(step - warmUpSteps) / Double(decaySteps - 1)) : 1
      let cosine = (1 + Foundation.cos(Double.pi * progress)) / 2
      return Float(Double(minimum) + (Double(baseRate) - Double(minimum)) * cosine)
    }
  }
}
