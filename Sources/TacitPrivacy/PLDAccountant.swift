import RealModule

/// The privacy loss distribution accountant: numerically tight (ε, δ) for compositions of
/// (Poisson-subsampled) Gaussian mechanisms under add-or-remove-one adjacency.
///
/// Method: the event becomes a short list of releases with counts (`releases(of:)`: DP-SGD is one
/// release, T times). Each release's PLD pair (`PrivacyLossDistributionPair`) is discretised
/// pessimistically by Connect-the-Dots on a grid of spacing Δ (Doroshenko, Ghazi, Kamath, Kumar &
/// Manurangsi 2022), chosen per event for an ε error of about 10⁻³ relative (`PLDResolution`),
/// unless a fixed `lossInterval` is given. The releases are composed on one cyclic window by
/// powers of their Fourier transforms (`FourierComposition`; Gopi, Lee & Wutschitz 2021), so the
/// cost does not grow with T; the window's edges come from Chernoff bounds
/// (`CompositionWindow`). The result is read out through the hockey-stick divergence
/// `δ(ε) = ω(+∞) + Σ_{ℓ>ε} ω(ℓ)(1 − e^{ε−ℓ})` (Sommer, Meiser & Mohammadi 2019).
///
/// Every approximation moves mass to higher losses or to +∞, so ε(δ) and δ(ε) are upper bounds on
/// the exact values, up to floating-point rounding in the transforms (relative 1e-10 or so on the
/// bulk at T = 10⁶). What is cut is counted, never dropped: each release's P-mass beyond its x
/// range (in all, `tailMassTruncation` over all steps) goes to +∞, the window's upper tail bound
/// (`tailMassTruncation`) is added to +∞, and the final trim moves at most `tailMassTruncation`
/// more: δ grows by at most 3·`tailMassTruncation` = 3·10⁻¹⁵ by default.
///
/// Zero ε: T steps at rate q are distinguishable with probability at most
/// `1 − Π(1 − q·TV(N(0,σ²), N(1,σ²)))^T` (the total variation distance, which is δ(0)), so when
/// that is ≤ δ the answer is exactly 0 without discretising (e.g. q = 10⁻²⁰), and δ(ε) is never
/// reported above it.
///
/// Supported events: `gaussian`, `poissonSampled(q, gaussian)`, and `selfComposed`/`composed`
/// of supported events. Anything else throws `AccountingError.unsupported`. A composition whose
/// loss spans so many nats that it would need a grid coarser than
/// `PLDResolution.largestLossInterval` (ε in the tens of thousands or more, e.g. σ = 0.01 at
/// q = 0.01, T = 1000; σ = 0.02 there still answers, ε ≈ 32,000) is refused
/// with `unreachable`, suggesting the RDP accountant.
///
/// Cost (release build, one core): ≤ 1 s for q ∈ [10⁻⁶, 1], σ ∈ [0.3, 20], T ≤ 10⁶ wherever
/// ε ≤ 100 (measured by `Scripts/pld_grid_benchmark.py`, docs/performance.md); T = 1 needs no
/// transform at all.
public struct PLDAccountant: PrivacyAccountant {
  /// The default mass each tail truncation may move (to +∞ or up to the lowest kept loss).
  public static let defaultTailMassTruncation = 1e-15

  public let name = "pld"
  public let isApproximation = false
  /// Each call can take up to a second, and ε(σ) is smooth: calibrate by interpolation.
  public var calibrationSearch: CalibrationSearch { .interpolation }
  /// The grid spacing Δ of the losses (nats), or `nil` to choose it per event (`PLDResolution`).
  public let lossInterval: Double?
  /// The mass each kind of truncation may move (see the type's documentation).
  public let tailMassTruncation: Double

  /// An accountant with a fixed grid spacing `lossInterval` (> 0), or an adaptive one (`nil`,
  /// the default), and truncation mass `tailMassTruncation` (in (0, 1e-6]).
  public init(lossInterval: Double? = nil, tailMassTruncation: Double = PLDAccountant.defaultTailMassTruncation) {
    if let lossInterval {
      precondition(lossInterval > 0 && lossInterval.isFinite, "PLD loss interval \(lossInterval) must be positive")
    }
    precondition(
      tailMassTruncation > 0 && tailMassTruncation <= 1e-6,
      "PLD tail mass truncation \(tailMassTruncation) outside (0, 1e-6]")
    self.lossInterval = lossInterval
    self.tailMassTruncation = tailMassTruncation
  }

  public func epsilon(for event: DPEvent, delta: Double) throws(AccountingError) -> Double {
    guard delta > 0 && delta < 1 else {
      throw .invalidParameter(name: "delta", value: delta, requirement: "must be in (0, 1)")
    }
    let releases = try Self.releases(of: event)
    if Self.totalVariationBound(releases) <= delta { return 0 }
    let pair = try distributions(of: releases)
    guard let epsilon = pair.epsilon(delta: delta) else {
      let infinite = max(pair.remove.infiniteMass, pair.add.infiniteMass)
      throw .unreachable(
        "the PLD accountant cannot certify δ = \(delta) for \(event): the probability of infinite"
          + " privacy loss (including truncated tails) is \(infinite)")
    }
    return epsilon
  }

  public func delta(for event: DPEvent, epsilon: Double) throws(AccountingError) -> Double {
    guard epsilon >= 0 && epsilon.isFinite else {
      throw .invalidParameter(name: "epsilon", value: epsilon, requirement: "must be finite and ≥ 0")
    }
    let releases = try Self.releases(of: event)
    let bound = Self.totalVariationBound(releases)
    if bound == 0 { return 0 }
    return min(1, bound, try distributions(of: releases).delta(epsilon: epsilon))
  }

  /// The composed, discretised PLD pair of `event`.
  ///
  /// - Throws: `invalidParameter` for σ ≤ 0, q ∉ (0, 1] or a negative count; `unsupported` for
  ///   events other than (Poisson-subsampled) Gaussians and their compositions; `unreachable`
  ///   when the grid would be too large (see the type's documentation).
  public func distributions(for event: DPEvent) throws(AccountingError) -> PrivacyLossDistributionPair {
    try distributions(of: Self.releases(of: event))
  }

  /// δ(0) ≤ the total variation distance ≤ `1 − Π_j (1 − q_j·erf(1/(2√2·σ_j)))^{count_j}`: one
  /// release differs from its neighbour only when the record is sampled (probability q), and
  /// then by TV(N(0, σ²), N(1, σ²)) = erf(1/(2√2σ)); T releases by at most the chance that any
  /// of them does.
  static func totalVariationBound(_ releases: [Release]) -> Double {
    var logUnaffected = 0.0
    for release in releases {
      let distance = release.sampleRate * Double.erf(1 / (2 * 2.0.squareRoot() * release.noiseMultiplier))
      logUnaffected += Double(release.count) * Double.log(onePlus: -distance)
    }
    return -Double.expMinusOne(logUnaffected)
  }

  /// The composition of `releases`: discretised on the chosen grid, then composed by Fourier
  /// powers on a window of at most `PLDResolution.mostWindowPoints` points; with an adaptive grid,
  /// a window too wide for that is retried on a proportionally coarser grid.
  private func distributions(of releases: [Release]) throws(AccountingError) -> PrivacyLossDistributionPair {
    guard !releases.isEmpty else { return .identity(lossInterval: lossInterval ?? 1e-4) }
    let tailMasses = releases.map { tailMassTruncation / (Double($0.count) * Double(releases.count)) }
    var interval = lossInterval ?? PLDResolution.lossInterval(for: releases, tailMasses: tailMasses)
    for _ in 0..<4 {
      try checkGrid(interval, releases: releases, tailMasses: tailMasses)
      let pairs = zip(releases, tailMasses).map { release, tailMass in
        PrivacyLossDistributionPair.subsampledGaussian(
          noiseMultiplier: release.noiseMultiplier, sampleRate: release.sampleRate, lossInterval: interval,
          tailMass: tailMass)
      }
      if releases.count == 1 && releases[0].count == 1 {
        return PrivacyLossDistributionPair(
          remove: pairs[0].remove.truncatingTails(mass: tailMassTruncation),
          add: pairs[0].add.truncatingTails(mass: tailMassTruncation))
      }
      let composition = FourierComposition(
        components: Array(zip(pairs, releases.map(\.count))), tailMass: tailMassTruncation)
      if composition.requiredPoints <= PLDResolution.mostWindowPoints {
        return composition.composed(tailMassTruncation: tailMassTruncation)
      }
      guard lossInterval == nil else { throw tooWide(releases, interval: interval, fixed: true) }
      interval *= 1.05 * composition.requiredPoints / PLDResolution.mostWindowPoints
    }
    throw tooWide(releases, interval: interval, fixed: false)
  }

  /// Throws `unreachable` when the grid is too coarse or a release would need more than
  /// `PLDResolution.mostWindowPoints` points (σ so small that its losses span too wide a range).
  private func checkGrid(_ interval: Double, releases: [Release], tailMasses: [Double]) throws(AccountingError) {
    guard interval.isFinite && (lossInterval != nil || interval <= PLDResolution.largestLossInterval) else {
      throw tooWide(releases, interval: interval, fixed: false)
    }
    for (release, tailMass) in zip(releases, tailMasses) {
      for direction in [PrivacyLossDistribution.NeighbouringDirection.remove, .add] {
        let points = PrivacyLossDistribution.gridPointCount(
          noiseMultiplier: release.noiseMultiplier, sampleRate: release.sampleRate, direction: direction,
          lossInterval: interval, tailMass: tailMass)
        guard points <= PLDResolution.mostWindowPoints * 1.01 else {
          throw tooWide(releases, interval: interval, fixed: lossInterval != nil)
        }
      }
    }
  }

  /// The refusal of a composition whose grid would not fit, naming the releases and suggesting RDP.
  private func tooWide(_ releases: [Release], interval: Double, fixed: Bool) -> AccountingError {
    let described = releases.map { "noise_multiplier \($0.noiseMultiplier), sample_rate \($0.sampleRate), \($0.count) steps" }
    let widest = Int(PLDResolution.largestLossInterval * PLDResolution.mostWindowPoints)
    let span = fixed ? "about \(Int(interval * PLDResolution.mostWindowPoints)) nats or more" : "more than \(widest) nats"
    return .unreachable(
      "the PLD accountant would need more than \(Int(PLDResolution.mostWindowPoints)) grid points for "
        + described.joined(separator: "; ") + ": the privacy loss would span \(span)"
        + (fixed ? " at the fixed loss interval \(interval)" : " (ε in the thousands or more)")
        + "; use the RDP accountant (--accountant rdp) or a larger noise multiplier")
  }
}
