import Foundation
import TacitPrivacy

/// The running state of adaptive clipping for one training run: the current norm `C_t` and the
/// norms used so far (see `AdaptiveClippingSettings` for the update and its privacy cost).
///
/// A `TrainingStep` in `.privateSum` mode with adaptive settings owns one and calls `update`
/// once per step, after the noise, with the step's unclipped count and one standard-normal draw
/// from the step's `NoiseSource` (so seeded runs repeat bit for bit, and secure runs draw the
/// count noise from the secure stream).
public final class AdaptiveClipping {
  public let settings: AdaptiveClippingSettings
  /// The divisor `E = qN` of the count.
  public let expectedBatchSize: Double
  /// The norm the next step clips at, `C_t`.
  public private(set) var clipNorm: Double
  /// Every norm used so far, in step order: `C_0, C_1, …, C_{t−1}` after t steps.
  public private(set) var history: [Double] = []
  /// The noisy unclipped fraction `b̃_t` of every step so far.
  public private(set) var unclippedFractions: [Double] = []

  public init(settings: AdaptiveClippingSettings, initialClipNorm: Double, expectedBatchSize: Double) {
    precondition(
      initialClipNorm > 0 && initialClipNorm.isFinite, "initial clip norm must be finite and > 0, got \(initialClipNorm)")
    precondition(expectedBatchSize > 0, "expected batch size must be > 0, got \(expectedBatchSize)")
    self.settings = settings
    self.expectedBatchSize = expectedBatchSize
    clipNorm = initialClipNorm
  }

  /// The running state a checkpoint saves: `C_t`, the norms so far and the noisy fractions.
  public struct State: Codable, Sendable, Equatable {
    public var clipNorm: Double
    public var history: [Double]
    public var unclippedFractions: [Double]
  }

  /// The current state, for a checkpoint.
  public var savedState: State { State(clipNorm: clipNorm, history: history, unclippedFractions: unclippedFractions) }

  /// Puts back a checkpoint's state (`savedState`).
  public func restore(_ state: State) {
    clipNorm = state.clipNorm
    history = state.history
    unclippedFractions = state.unclippedFractions
  }

  /// Ends a step that clipped at `clipNorm`: forms `b̃ = (unclippedCount − batchSize/2 + σ_b·z)/E + ½`
  /// clamped to [0, 1] and moves the norm to `C · exp(−η (b̃ − γ))`.
  ///
  /// - Parameters:
  ///   - unclippedCount: `Σ b_i`, the examples whose gradient norm was ≤ `clipNorm`.
  ///   - batchSize: `n_t`, the examples in the batch (only its centring `n_t/2` enters, never
  ///     released on its own).
  ///   - standardNormal: z ~ N(0, 1) from the step's noise source.
  /// - Returns: `b̃`.
  @discardableResult
  public func update(unclippedCount: Int, batchSize: Int, standardNormal: Double) -> Double {
    precondition(
      unclippedCount >= 0 && unclippedCount <= batchSize, "unclipped count \(unclippedCount) out of a batch of \(batchSize)")
    let centred = Double(unclippedCount) - Double(batchSize) / 2 + settings.countNoise * standardNormal
    let fraction = min(1, max(0, centred / expectedBatchSize + 0.5))
    history.append(clipNorm)
    unclippedFractions.append(fraction)
    clipNorm *= exp(-settings.learningRate * (fraction - settings.targetQuantile))
    return fraction
  }
}
