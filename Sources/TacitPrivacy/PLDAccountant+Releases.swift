/// The PLD accountant's view of an event: which Gaussian releases it runs, and how often.
extension PLDAccountant {
  /// One (Poisson-subsampled) Gaussian release and how many times the event runs it.
  ///
  /// `sampleRate` is 1 for a plain Gaussian. Releases with the same (q, σ) are merged, so an
  /// event becomes a short list whatever its nesting, e.g. DP-SGD's
  /// `selfComposed(poissonSampled(q, gaussian(σ)), T)` is one release with count T.
  struct Release: Sendable, Equatable {
    let sampleRate: Double
    let noiseMultiplier: Double
    var count: Int
  }

  /// The releases of `event` with positive counts, merged by (q, σ), in order of first appearance.
  ///
  /// - Throws: `invalidParameter` for σ ≤ 0 or not finite, q ∉ (0, 1], a negative count or a total
  ///   count beyond `Int.max`; `unsupported` for Poisson sampling of anything but one Gaussian.
  static func releases(of event: DPEvent) throws(AccountingError) -> [Release] {
    var releases: [Release] = []
    try collect(event, count: 1, into: &releases)
    return releases.filter { $0.count > 0 }
  }

  private static func collect(_ event: DPEvent, count: Int, into releases: inout [Release]) throws(AccountingError) {
    switch event {
    case .gaussian(let noiseMultiplier):
      try add(Release(sampleRate: 1, noiseMultiplier: noiseMultiplier, count: count), to: &releases)
    case .poissonSampled(let sampleRate, .gaussian(let noiseMultiplier)):
      guard sampleRate > 0 && sampleRate <= 1 else {
        throw .invalidParameter(name: "sample_rate", value: sampleRate, requirement: "must be in (0, 1]")
      }
      try add(Release(sampleRate: sampleRate, noiseMultiplier: noiseMultiplier, count: count), to: &releases)
    case .poissonSampled(_, let inner):
      throw .unsupported(
        event: "\(event)", accountant: "pld",
        reason: "Poisson sampling is analysed only for a Gaussian mechanism, not for \(inner)")
    case .selfComposed(let inner, let innerCount):
      guard innerCount >= 0 else {
        throw .invalidParameter(name: "steps", value: Double(innerCount), requirement: "must be ≥ 0")
      }
      let (product, overflow) = count.multipliedReportingOverflow(by: innerCount)
      guard !overflow else {
        throw .invalidParameter(name: "steps", value: Double(count) * Double(innerCount), requirement: "too large")
      }
      try collect(inner, count: product, into: &releases)
    case .composed(let events):
      for inner in events { try collect(inner, count: count, into: &releases) }
    }
  }

  private static func add(_ release: Release, to releases: inout [Release]) throws(AccountingError) {
    guard release.noiseMultiplier > 0 && release.noiseMultiplier.isFinite else {
      throw .invalidParameter(
        name: "noise_multiplier", value: release.noiseMultiplier, requirement: "must be finite and > 0")
    }
    guard
      let index = releases.firstIndex(where: {
        $0.sampleRate == release.sampleRate && $0.noiseMultiplier == release.noiseMultiplier
      })
    else {
      releases.append(release)
      return
    }
    let (sum, overflow) = releases[index].count.addingReportingOverflow(release.count)
    guard !overflow else {
      throw .invalidParameter(
        name: "steps", value: Double(releases[index].count) + Double(release.count), requirement: "too large")
    }
    releases[index].count = sum
  }
}
