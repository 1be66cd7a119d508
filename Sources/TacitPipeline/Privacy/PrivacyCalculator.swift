import Foundation
import TacitPrivacy
import TacitRecipe
import TacitReport

/// `tacit epsilon` and `tacit calibrate`: the accountants on the command line, for a
/// Poisson-subsampled Gaussian mechanism run `steps` times, after a private feature
/// normalisation when `featureNormNoise` σ_n is given (`data.features.private_norm`: two
/// Gaussian releases with multiplier σ_n on every record, then DP-SGD; the event
/// `composed([selfComposed(gaussian(σ_n), 2), dpsgd(σ, q, T)])`, as a run's ledger has it).
public enum PrivacyCalculator {
  /// `--accountant`: one accountant by name, or `all` of them (in `AccountantKind.allCases`
  /// order: pld, rdp, gdp).
  public enum AccountantChoice: String, CaseIterable, Sendable {
    case pld
    case rdp
    case gdp
    case all

    /// The accountants this choice runs, in output order.
    var kinds: [AccountantKind] {
      switch self {
      case .pld: return [.pld]
      case .rdp: return [.rdp]
      case .gdp: return [.gdp]
      case .all: return AccountantKind.allCases
      }
    }
  }

  /// The first problem with the mechanism's numbers, in words, or `nil`.
  public static func problem(
    noiseMultiplier: Double?, sampleRate: Double, steps: Int, delta: Double, featureNormNoise: Double? = nil
  ) -> String? {
    if let noiseMultiplier, !(noiseMultiplier > 0 && noiseMultiplier.isFinite) {
      return "--noise-multiplier must be a positive number, got \(noiseMultiplier)"
    }
    if let featureNormNoise, !(featureNormNoise > 0 && featureNormNoise.isFinite) {
      return "--feature-norm-noise must be a positive number, got \(featureNormNoise)"
    }
    if !(sampleRate > 0 && sampleRate <= 1) { return "--sample-rate must be in (0, 1], got \(sampleRate)" }
    if steps < 1 { return "--steps must be at least 1, got \(steps)" }
    if !(delta > 0 && delta < 1) { return "--delta must be in (0, 1), got \(delta)" }
    return nil
  }

  /// ε for each requested accountant: JSON (`{"accountant", "epsilon"}`, or a list for `all`) or
  /// text lines.
  public static func epsilon(
    noiseMultiplier: Double, sampleRate: Double, steps: Int, delta: Double, accountant choice: AccountantChoice, json: Bool,
    featureNormNoise: Double? = nil
  ) throws -> String {
    let dpsgd = DPEvent.dpsgd(noiseMultiplier: noiseMultiplier, sampleRate: sampleRate, steps: steps)
    let mechanism = normalization(featureNormNoise).map { DPEvent.composed([$0, dpsgd]) } ?? dpsgd
    var objects: [[String: Any]] = []
    var lines: [String] = []
    for accountant in choice.kinds.map(\.accountant) {
      let epsilon: Double
      do {
        epsilon = try accountant.epsilon(for: mechanism, delta: delta)
      } catch {
        throw PipelineError(error.description)
      }
      objects.append(["accountant": accountant.name, "epsilon": epsilon])
      // An infinite ε (GDP's μ overflowing at a tiny σ) is no guarantee at all: said in words;
      // JSON has no ∞, so it is `null` there.
      let value = epsilon.isFinite ? String(format: "%.6g", epsilon) : "∞ (no finite guarantee)"
      lines.append(accountant.name + "  ε = " + value + (accountant.isApproximation ? "  (approximation)" : ""))
    }
    if json { return JSONText.encode(objects.count == 1 ? objects[0] as Any : objects as Any) }
    let header = String(format: "σ = %g, q = %g, T = %ld, δ = %g", noiseMultiplier, sampleRate, steps, delta)
    return ([header + normalizationNote(featureNormNoise)] + lines).joined(separator: "\n")
  }

  /// The noise multiplier reaching at most `targetEpsilon` for each requested accountant.
  public static func calibrate(
    targetEpsilon: Double, sampleRate: Double, steps: Int, delta: Double, accountant choice: AccountantChoice, json: Bool,
    featureNormNoise: Double? = nil
  ) throws -> String {
    guard targetEpsilon > 0 && targetEpsilon.isFinite else {
      throw PipelineError("--epsilon must be a positive number, got \(targetEpsilon)")
    }
    var objects: [[String: Any]] = []
    var lines: [String] = []
    for accountant in choice.kinds.map(\.accountant) {
      let result: (noiseMultiplier: Double, epsilon: Double)
      do {
        result = try NoiseCalibration.noiseMultiplier(
          targetEpsilon: targetEpsilon, delta: delta, sampleRate: sampleRate, steps: steps, accountant: accountant,
          composedWith: normalization(featureNormNoise))
      } catch {
        throw PipelineError(error.description)
      }
      objects.append(["accountant": accountant.name, "noise_multiplier": result.noiseMultiplier, "epsilon": result.epsilon])
      lines.append(
        accountant.name + String(format: "  σ = %.6g  (ε reached %.6g)", result.noiseMultiplier, result.epsilon)
          + (accountant.isApproximation ? "  (approximation)" : ""))
    }
    if json { return JSONText.encode(objects.count == 1 ? objects[0] as Any : objects as Any) }
    let header = String(format: "target ε = %g, q = %g, T = %ld, δ = %g", targetEpsilon, sampleRate, steps, delta)
    return ([header + normalizationNote(featureNormNoise)] + lines).joined(separator: "\n")
  }

  /// The feature normalisation's releases for σ_n (`PrivacyPlan.normalizationEvent`), `nil`
  /// without one.
  static func normalization(_ featureNormNoise: Double?) -> DPEvent? {
    featureNormNoise.map(PrivacyPlan.normalizationEvent(noiseMultiplier:))
  }

  /// The text header's account of the feature normalisation, empty without one.
  static func normalizationNote(_ featureNormNoise: Double?) -> String {
    guard let featureNormNoise else { return "" }
    return String(
      format: ", after a private feature normalisation (%ld Gaussian releases, σ_n = %g)", FeaturePrivateNorm.releaseCount,
      featureNormNoise)
  }
}
