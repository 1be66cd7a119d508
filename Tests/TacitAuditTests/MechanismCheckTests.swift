import TacitAudit
import Testing

/// The mechanism check's rule: a deviation fails only when it is significant (beyond 6 standard
/// errors), material (beyond 5% of the accounted value, 0.05 for a correlation) and in a
/// direction that weakens the guarantee.
@Suite struct MechanismCheckTests {
  func status(_ kind: MechanismCheck.Kind, _ measured: Double, accounted: Double, error: Double = 0.001)
    -> MechanismCheck.Status
  {
    MechanismCheck(kind: kind, measured: measured, accounted: accounted, standardError: error, observations: 1000).status
  }

  @Test func directionsThatWeakenTheGuaranteeFail() {
    // Sampling: more than q fails, less only deviates.
    #expect(status(.sampleRate, 0.068, accounted: 0.017) == .failed)
    #expect(status(.sampleRate, 0.004, accounted: 0.017, error: 0.0001) == .deviates)
    // Clipped contribution: any other value than one unit fails (10·C unclipped; a batch clip).
    #expect(status(.clippedContribution, 10, accounted: 1) == .failed)
    #expect(status(.clippedContribution, 0.1, accounted: 1) == .failed)
    // Noise: less fails, more only deviates.
    #expect(status(.noiseScale, 0.1, accounted: 1) == .failed)
    #expect(status(.noiseScale, 1.5, accounted: 1) == .deviates)
    // Correlated noise fails either way.
    #expect(status(.noiseIndependence, 0.99, accounted: 0) == .failed)
    #expect(status(.noiseIndependence, -0.5, accounted: 0) == .failed)
  }

  @Test func deviationsMustBeSignificantAndMaterial() {
    // 4% off: within the 5% tolerance however precise.
    #expect(status(.noiseScale, 0.96, accounted: 1, error: 1e-6) == .passed)
    // 20% off but only 4 standard errors: not significant.
    #expect(status(.noiseScale, 0.8, accounted: 1, error: 0.05) == .passed)
    // 20% off at 8 standard errors: fails.
    #expect(status(.noiseScale, 0.8, accounted: 1, error: 0.025) == .failed)
    // A correlation of 0.04 is immaterial; 0.06 at 60 standard errors is not.
    #expect(status(.noiseIndependence, 0.04, accounted: 0) == .passed)
    #expect(status(.noiseIndependence, 0.06, accounted: 0) == .failed)
  }

  @Test func notANumberFailsAndNoObservationsPass() {
    // No noise at all leaves no correlation to measure: NaN is never consistent.
    #expect(status(.noiseIndependence, .nan, accounted: 0) == .failed)
    let empty = MechanismCheck(kind: .sampleRate, measured: .nan, accounted: 0.1, standardError: .nan, observations: 0)
    #expect(empty.status == .passed)
    #expect(empty.summary == "sampling rate: not measured (no observations)")
    let failed = MechanismCheck(kind: .noiseScale, measured: 0.1, accounted: 1, standardError: 0.001, observations: 290_000)
    #expect(failed.summary == "noise scale: measured 0.1 (accounted 1, standard error 0.001 over 290000 observations): FAILED")
  }
}
