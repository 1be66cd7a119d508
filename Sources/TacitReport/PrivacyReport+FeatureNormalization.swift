import Foundation
import TacitPrivacy

extension PrivacyReport {
  /// A private feature normalisation released before training (`data.features.private_norm`,
  /// Tramèr & Boneh 2021, §3): its settings, what it costs alone, what DP-SGD costs alone, and the
  /// released statistics. The run's claimed ε is that of the composition of both.
  public struct FeatureNormalization: Sendable {
    /// σ_n, each release's noise multiplier.
    public var noiseMultiplier: Double
    /// C_μ and C₂, the L2 bounds of a record's channel means and mean squares.
    public var meanClip: Double
    public var squareClip: Double
    public var varianceFloor: Double
    /// `selfComposed(gaussian(σ_n), 2)`.
    public var event: DPEvent
    /// ε of `event` alone by the claiming accountant, at the run's δ.
    public var epsilonAlone: Double?
    /// ε of DP-SGD's steps alone by the claiming accountant, at the run's δ.
    public var dpsgdEpsilonAlone: Double?
    /// N, and the records whose mean (mean-square) vector the clipping scaled down.
    public var recordCount: Int
    public var clippedMeanCount: Int
    public var clippedSquareCount: Int
    /// Channels whose released variance was below the floor and raised to it.
    public var flooredChannels: Int
    /// The released μ and v, `[K]`.
    public var mean: [Double]
    public var variance: [Double]

    public init(
      noiseMultiplier: Double, meanClip: Double, squareClip: Double, varianceFloor: Double, event: DPEvent,
      epsilonAlone: Double?, dpsgdEpsilonAlone: Double?, recordCount: Int, clippedMeanCount: Int,
      clippedSquareCount: Int, flooredChannels: Int, mean: [Double], variance: [Double]
    ) {
      self.noiseMultiplier = noiseMultiplier
      self.meanClip = meanClip
      self.squareClip = squareClip
      self.varianceFloor = varianceFloor
      self.event = event
      self.epsilonAlone = epsilonAlone
      self.dpsgdEpsilonAlone = dpsgdEpsilonAlone
      self.recordCount = recordCount
      self.clippedMeanCount = clippedMeanCount
      self.clippedSquareCount = clippedSquareCount
      self.flooredChannels = flooredChannels
      self.mean = mean
      self.variance = variance
    }

    /// The `feature_normalization` object of summary.json (`released: false`) and privacy.json
    /// (`released: true`: with the statistics).
    func jsonObject(released: Bool) -> [String: Any] {
      var object: [String: Any] = [
        "noise_multiplier": noiseMultiplier, "mean_clip": meanClip, "square_clip": squareClip,
        "variance_floor": varianceFloor, "epsilon_alone": epsilonAlone.map { $0 as Any } ?? NSNull(),
        "dpsgd_epsilon_alone": dpsgdEpsilonAlone.map { $0 as Any } ?? NSNull(),
      ]
      guard released else { return object }
      object["training_records"] = recordCount
      object["clipped_mean_records"] = clippedMeanCount
      object["clipped_square_records"] = clippedSquareCount
      object["floored_channels"] = flooredChannels
      object["mean"] = mean
      object["variance"] = variance
      return object
    }

    /// The ledger entry: the event with the two queries it releases.
    var ledgerObject: [String: Any] {
      var object = event.jsonObject
      object["releases"] = [
        [
          "query": "sum over the training records of each record's channel means, clipped to L2 norm C_μ",
          "sensitivity": meanClip, "noise_standard_deviation": noiseMultiplier * meanClip,
        ],
        [
          "query": "sum over the training records of each record's channel mean squares, clipped to L2 norm C₂",
          "sensitivity": squareClip, "noise_standard_deviation": noiseMultiplier * squareClip,
        ],
      ]
      return object
    }

    /// The log line under the claim.
    var line: String {
      func format(_ epsilon: Double?) -> String { epsilon.map { String(format: "%.3f", $0) } ?? "n/a" }
      return String(
        format: "  feature normalisation: %@ on all %ld records (C_μ = %g, C₂ = %g), ε alone %@; DP-SGD alone ε %@; "
          + "the claim is their composition",
        event.ledgerText as NSString, recordCount, meanClip, squareClip, format(epsilonAlone) as NSString,
        format(dpsgdEpsilonAlone) as NSString)
    }
  }
}

extension PrivacyReport.Plan {
  /// DP-SGD's own event: the last of the composition when a feature normalisation precedes it.
  public var dpsgdEvent: DPEvent {
    if featureNormalization != nil, case .composed(let events) = event, let last = events.last { return last }
    return event
  }
}
