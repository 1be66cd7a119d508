import TacitAudit
import TacitTraining

/// The white-box mechanism checks of a run with gradient canaries: what the canaries measured of
/// the DP-SGD mechanism during training (`CanaryMeasurements`), judged against the accounted one
/// (`MechanismCheck`).
///
/// Standard errors under the accounted mechanism, for n observations:
/// - sampling rate: draws ~ Bin(n, q), so `√(q(1 − q)/n)`;
/// - clipped contribution: the mean of n draws of N(1, s²), so `s/√n` (s the claimed noise in
///   units of C/E);
/// - noise scale: the root mean square of n standard normals, so about `1/√(2n)`;
/// - noise independence: the lag-1 correlation of n pairs of independent normals, about `1/√n`.
enum MechanismChecks {
  /// The four checks from `canaries`' measurements.
  static func make(_ canaries: GradientCanaries) -> [MechanismCheck] {
    let measured = canaries.measurements
    let q = canaries.sampleRate
    func standardError(_ variance: Double, _ count: Int) -> Double {
      count > 0 ? (variance / Double(count)).squareRoot() : .nan
    }
    return [
      MechanismCheck(
        kind: .sampleRate, measured: measured.sampleRate, accounted: q,
        standardError: standardError(q * (1 - q), measured.eligibleDraws), observations: measured.eligibleDraws),
      MechanismCheck(
        kind: .clippedContribution, measured: measured.contribution, accounted: 1,
        standardError: standardError(measured.noiseInUnits * measured.noiseInUnits, measured.contributionCount),
        observations: measured.contributionCount),
      MechanismCheck(
        kind: .noiseScale, measured: measured.noiseScale, accounted: 1,
        standardError: standardError(0.5, measured.noiseCount), observations: measured.noiseCount),
      MechanismCheck(
        kind: .noiseIndependence, measured: measured.noiseCorrelation, accounted: 0,
        standardError: standardError(1, measured.lagCount), observations: measured.lagCount),
    ]
  }
}
