import RealModule
import TacitMath

/// The skew-normal distribution (Azzalini 1985): density `(2/ω)·φ(z)·Φ(α·z)`, `z = (x − ξ)/ω`,
/// with location ξ, scale ω > 0 and shape α (α = 0 is the normal). The secret sharer's exposure
/// extrapolation fits it to candidates' log-perplexities (Carlini et al. 2019, "The Secret
/// Sharer", §4.3: the distribution of log-perplexities over the candidate space is close to
/// skew-normal).
///
/// Moments, with δ = α/√(1 + α²): mean ξ + ωδ√(2/π), variance ω²(1 − 2δ²/π), skewness
/// ((4 − π)/2)·(δ√(2/π))³ / (1 − 2δ²/π)^{3/2}, which lies in (−0.9953, 0.9953).
///
/// The CDF is the integral of the density (8-point Gauss–Legendre on 80 panels over the 40
/// standard units below z, or above it for z > 0, then 1 − that): every term is positive, so far
/// tails keep their relative accuracy (exposure reads probabilities down to 2⁻⁴⁰ and below),
/// which `Φ(z) − 2·T(z, α)` (Owen's T) loses to cancellation.
public struct SkewNormal: Sendable, Equatable {
  public let location: Double
  public let scale: Double
  public let shape: Double

  public init(location: Double, scale: Double, shape: Double) {
    precondition(scale > 0 && scale.isFinite, "a skew-normal scale must be positive and finite, got \(scale)")
    precondition(location.isFinite && shape.isFinite, "skew-normal location and shape must be finite")
    self.location = location
    self.scale = scale
    self.shape = shape
  }

  /// The largest |skewness| a skew-normal reaches (α → ±∞); a sample's is clamped just inside.
  public static let skewnessLimit = 0.995_271_746_431_156

  /// The method-of-moments fit to `sample` (mean, standard deviation and skewness; a sample
  /// skewness beyond the family's range is clamped to ±0.995).
  ///
  /// - Precondition: at least 3 values, not all equal.
  public init(fittingMomentsOf sample: [Double]) {
    precondition(sample.count >= 3, "a skew-normal fit needs at least 3 values, got \(sample.count)")
    let n = Double(sample.count)
    let mean = sample.reduce(0, +) / n
    let centered = sample.map { $0 - mean }
    let variance = centered.reduce(0) { $0 + $1 * $1 } / n
    precondition(variance > 0, "a skew-normal fit needs values that are not all equal")
    let deviation = variance.squareRoot()
    let rawSkewness = centered.reduce(0) { $0 + $1 * $1 * $1 } / n / (variance * deviation)
    let skewness = max(-0.995, min(0.995, rawSkewness))
    let power = Double.pow(abs(skewness), 2.0 / 3)
    let delta =
      (skewness < 0 ? -1 : 1) * ((Double.pi / 2) * power / (power + Double.pow((4 - Double.pi) / 2, 2.0 / 3))).squareRoot()
    let scale = deviation / (1 - 2 * delta * delta / Double.pi).squareRoot()
    self.init(
      location: mean - scale * delta * (2 / Double.pi).squareRoot(), scale: scale,
      shape: delta / (1 - delta * delta).squareRoot())
  }

  /// The density at x.
  public func density(_ x: Double) -> Double {
    let z = (x - location) / scale
    return 2 / scale * Self.standardDensity(z) * StandardNormal.cdf(shape * z)
  }

  /// P(X ≤ x).
  public func cdf(_ x: Double) -> Double {
    let z = (x - location) / scale
    if z <= 0 { return integral(from: z - 40, to: z) }
    return max(0, 1 - integral(from: z, to: z + 40))
  }

  /// ∫ 2·φ(t)·Φ(α·t) dt over [a, b] in standard units.
  private func integral(from a: Double, to b: Double) -> Double {
    let panels = 80
    let width = (b - a) / Double(panels)
    var total = 0.0
    for panel in 0..<panels {
      let middle = a + (Double(panel) + 0.5) * width
      for (node, weight) in zip(Self.nodes, Self.weights) {
        let t = middle + 0.5 * width * node
        total += weight * 2 * Self.standardDensity(t) * StandardNormal.cdf(shape * t)
      }
    }
    return total * 0.5 * width
  }

  static func standardDensity(_ z: Double) -> Double { .exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }

  /// 8-point Gauss–Legendre nodes and weights on [−1, 1].
  static let nodes: [Double] = [
    -0.960_289_856_497_536_2, -0.796_666_477_413_626_7, -0.525_532_409_916_329_0, -0.183_434_642_495_649_8,
    0.183_434_642_495_649_8, 0.525_532_409_916_329_0, 0.796_666_477_413_626_7, 0.960_289_856_497_536_2,
  ]
  static let weights: [Double] = [
    0.101_228_536_290_376_3, 0.222_381_034_453_374_5, 0.313_706_645_877_887_3, 0.362_683_783_378_362_0,
    0.362_683_783_378_362_0, 0.313_706_645_877_887_3, 0.222_381_034_453_374_5, 0.101_228_536_290_376_3,
  ]
}
