import Foundation
import Testing

@testable import TacitAudit

/// The secret sharer's exposure (Carlini et al. 2019): the exact rank formula against brute force,
/// the skew-normal CDF against SciPy, the moment fit recovering its parameters, and the
/// extrapolation within 1 bit of the exact exposure over a space of 10⁶ candidates.
@Suite struct ExposureTests {
  @Test func exactExposureIsTheLogRankAmongAllCandidates() {
    let candidates = (0..<1024).map { Double($0) }
    #expect(Exposure.exact(canary: 0, candidates: candidates) == 10)  // ranked first: log₂ 1024
    #expect(Exposure.exact(canary: 1023, candidates: candidates) == 0)  // ranked last
    #expect(abs(Exposure.exact(canary: 3, candidates: candidates) - (10 - 2)) < 1e-12)  // rank 4
    // Brute force: the rank is one plus the candidates strictly likelier (lower log-perplexity).
    var generator = SplitMix64(seed: 7)
    let scores = (0..<500).map { _ in Double(Int.random(in: 0..<200, using: &generator)) }
    for canary in [0.0, 17, 99, 199] {
      let lower = scores.filter { $0 < canary }.count
      let others = scores.filter { $0 == canary }.count - 1
      let rank = 1 + Double(lower) + Double(max(others, 0)) / 2
      #expect(abs(Exposure.exact(canary: canary, candidates: scores) - (log2(500.0) - log2(rank))) < 1e-12)
    }
  }

  /// SciPy 1.17.1 `skewnorm.cdf(x, a, loc, scale)`, down to 3·10⁻²⁰.
  @Test(arguments: [
    (0.0, 0.0, 1.0, -1.5, 0.06680720126885809), (3, 1, 2, -2.0, 5.435899829038639e-08),
    (3, 1, 2, 0.5, 0.03179330473110442), (3, 1, 2, 4.0, 0.8663856518212821), (-4, 0, 1, -3.0, 0.00269979606326019),
    (-4, 0, 1, -6.0, 1.9731752900753995e-09), (5, 0, 1, -0.5, 0.0002731513884141057),
    (2, 10, 3, 2.0, 7.834404350077164e-11), (-2, 10, 3, -5.0, 5.733031437583886e-07),
    (0.5, 0, 1, -8.0, 3.127526943993492e-20),
  ])
  func skewNormalCDFMatchesSciPy(_ point: (Double, Double, Double, Double, Double)) {
    let (shape, location, scale, x, expected) = point
    let cdf = SkewNormal(location: location, scale: scale, shape: shape).cdf(x)
    #expect(abs(cdf - expected) <= 1e-9 * expected, "cdf(\(x)) = \(cdf), SciPy \(expected)")
  }

  static func skewNormalSample(_ count: Int, location: Double, scale: Double, shape: Double, seed: UInt64) -> [Double] {
    var generator = SplitMix64(seed: seed)
    let delta = shape / (1 + shape * shape).squareRoot()
    return (0..<count).map { _ in
      let half = abs(standardNormal(using: &generator))
      return location + scale * (delta * half + (1 - delta * delta).squareRoot() * standardNormal(using: &generator))
    }
  }

  @Test func theMomentFitRecoversTheParameters() {
    let sample = Self.skewNormalSample(200_000, location: 30, scale: 4, shape: 3, seed: 11)
    let fit = SkewNormal(fittingMomentsOf: sample)
    #expect(abs(fit.location - 30) < 0.1 && abs(fit.scale - 4) < 0.1 && abs(fit.shape - 3) < 0.4, "\(fit)")
    #expect(SkewNormal(fittingMomentsOf: [1, 2, 3, 4, 5]).shape == 0)
  }

  /// 10⁶ candidates whose log-perplexities are skew-normal (as Carlini et al. found them); a
  /// canary at rank 1, 10, 100 or 10,000; a fit on 10,000 of them: within 1 bit of the exact
  /// exposure.
  @Test func theExtrapolationIsWithinOneBitAtAMillionCandidates() {
    let population = Self.skewNormalSample(1_000_000, location: 40, scale: 6, shape: 2.5, seed: 3)
    let sorted = population.sorted()
    let sample = Array(population.prefix(10_000))
    for rank in [1, 10, 100, 10_000] {
      let canary = sorted[rank - 1]
      let exact = Exposure.exact(canary: canary, candidates: population)
      let extrapolated = Exposure.extrapolated(canary: canary, sample: sample).exposure
      #expect(abs(extrapolated - exact) <= 1, "rank \(rank): exact \(exact), extrapolated \(extrapolated)")
    }
  }
}
