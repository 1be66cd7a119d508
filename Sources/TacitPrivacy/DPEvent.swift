/// A serialisable description of what a private computation did, for an accountant to analyse
/// (the `DpEvent` of Google's dp_accounting).
///
/// - `gaussian(noiseMultiplier:)`: one release of a sensitivity-1 query plus N(0, σ²) noise.
/// - `poissonSampled(sampleRate:event:)`: `event` run on a Poisson subsample where every record
///   is included independently with probability q.
/// - `selfComposed(event:count:)`: `event` repeated `count` times.
/// - `composed([events])`: the events run one after another.
///
/// An accountant that cannot analyse an event says so (`AccountingError.unsupported`); it never
/// guesses.
public indirect enum DPEvent: Sendable, Equatable {
  case gaussian(noiseMultiplier: Double)
  case poissonSampled(sampleRate: Double, event: DPEvent)
  case selfComposed(event: DPEvent, count: Int)
  case composed([DPEvent])
}
