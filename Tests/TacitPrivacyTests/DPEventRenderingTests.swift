import Foundation
import Testing

@testable import TacitPrivacy

struct DPEventRenderingTests {
  /// DP-SGD's event: T steps of a Poisson-sampled Gaussian.
  static let dpSGD = DPEvent.selfComposed(
    event: .poissonSampled(sampleRate: 0.034133, event: .gaussian(noiseMultiplier: 1.8257)), count: 1200)

  @Test func ledgerTextSpellsTheEventOut() {
    #expect(Self.dpSGD.ledgerText == "1200 × Poisson-sampled (q = 0.034133) Gaussian (σ = 1.8257)")
    // σ to 4 decimals, q to 6; composition lists its parts in order.
    let composed = DPEvent.composed([
      .gaussian(noiseMultiplier: 2), .poissonSampled(sampleRate: 0.5, event: .gaussian(noiseMultiplier: 0.123456)),
    ])
    #expect(composed.ledgerText == "composed of [Gaussian (σ = 2.0000); Poisson-sampled (q = 0.500000) Gaussian (σ = 0.1235)]")
  }

  @Test func jsonObjectUsesDPAccountingVocabulary() throws {
    let event = DPEvent.composed([Self.dpSGD, .gaussian(noiseMultiplier: 3)])
    let data = try JSONSerialization.data(withJSONObject: event.jsonObject, options: [.sortedKeys])
    #expect(
      String(decoding: data, as: UTF8.self)
        == #"{"event":"composed","events":[{"count":1200,"event":"self_composed","inner":{"event":"poisson_sampled","#
        + #""inner":{"event":"gaussian","noise_multiplier":1.8257},"sample_rate":0.034133}},"#
        + #"{"event":"gaussian","noise_multiplier":3}]}"#)
  }
}
