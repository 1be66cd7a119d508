import Foundation
import RealModule
import Testing

@testable import TacitAudit

/// The regularised incomplete beta, its inverses and Clopper–Pearson bounds against SciPy
/// (Fixtures/beta.json: `betainc`, `betaincc`, `betaincinv`, `betainccinv`, `stats.beta`), and
/// closed forms.
@Suite struct IncompleteBetaTests {
  struct Evaluation: Decodable {
    let a, b, x, value, complement, valueExact, complementExact: Double
    enum CodingKeys: String, CodingKey {
      case a, b, x, value, complement
      case valueExact = "value_exact"
      case complementExact = "complement_exact"
    }
  }
  struct Inverse: Decodable {
    let a, b, p, x: Double
    let xComplement: Double
    enum CodingKeys: String, CodingKey {
      case a, b, p, x
      case xComplement = "x_complement"
    }
  }
  struct Bound: Decodable { let successes, trials: Int; let alpha, upper, lower: Double }
  struct Fixture: Decodable {
    let evaluations: [Evaluation]
    let inverses: [Inverse]
    let clopperPearson: [Bound]
    enum CodingKeys: String, CodingKey {
      case evaluations, inverses
      case clopperPearson = "clopper_pearson"
    }
  }

  static let fixture = loadFixture("beta", as: Fixture.self)

  /// Within 2e-12 relative of the 40-digit values (mpmath), on both sides; within 3e-12 of SciPy,
  /// whose own error reaches 7e-13 at a + b = 10⁵. (Measured worst: 1.4e-12, at a = 101,
  /// b = 99,900 just above the mean, where the continued fraction's first steps cancel.)
  @Test func regularizedMatchesSciPyAndTheExactValues() {
    var worstExact = 0.0
    var worstSciPy = 0.0
    for row in Self.fixture.evaluations {
      let result = IncompleteBeta.regularizedWithComplement(a: row.a, b: row.b, x: row.x)
      let exact = max(relativeError(result.value, row.valueExact), relativeError(result.complement, row.complementExact))
      let sciPy = max(relativeError(result.value, row.value), relativeError(result.complement, row.complement))
      worstExact = max(worstExact, exact)
      worstSciPy = max(worstSciPy, sciPy)
      let label = "I_\(row.x)(\(row.a), \(row.b)) = \(result)"
      #expect(exact < 2e-12, "\(label) vs exact (\(row.valueExact), \(row.complementExact))")
      #expect(sciPy < 3e-12, "\(label) vs SciPy (\(row.value), \(row.complement))")
    }
    print("IncompleteBeta: worst relative error \(worstExact) against mpmath, \(worstSciPy) against SciPy betainc/betaincc")
  }

  @Test func inverseMatchesSciPy() {
    var worst = 0.0
    for row in Self.fixture.inverses {
      let x = IncompleteBeta.inverse(a: row.a, b: row.b, probability: row.p)
      let xComplement = IncompleteBeta.inverse(a: row.a, b: row.b, complement: row.p)
      let error = max(relativeError(x, row.x), relativeError(xComplement, row.xComplement))
      worst = max(worst, error)
      #expect(error < 1e-12, "(\(row.a), \(row.b), p = \(row.p)): \(x), \(xComplement) vs SciPy \(row.x), \(row.xComplement)")
    }
    print("IncompleteBeta: worst relative error against SciPy betaincinv/betainccinv \(worst)")
  }

  @Test func clopperPearsonMatchesSciPy() {
    var worst = 0.0
    for row in Self.fixture.clopperPearson {
      let upper = ClopperPearson.upperBound(successes: row.successes, trials: row.trials, alpha: row.alpha)
      let lower = ClopperPearson.lowerBound(successes: row.successes, trials: row.trials, alpha: row.alpha)
      let error = max(relativeError(upper, row.upper), relativeError(lower, row.lower))
      worst = max(worst, error)
      #expect(
        error < 1e-12,
        "k = \(row.successes), n = \(row.trials), α = \(row.alpha): [\(lower), \(upper)] vs SciPy [\(row.lower), \(row.upper)]")
    }
    print("ClopperPearson: worst relative error against SciPy beta.ppf/isf \(worst)")
  }

  /// I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a; the k = 0 upper bound is 1 − α^{1/n} and the
  /// k = n lower bound α^{1/n}.
  @Test func closedForms() {
    for (b, x) in [(3.0, 0.2), (1e5, 1e-6), (40.0, 0.5)] {
      let expected = -Double.expMinusOne(b * Double.log(onePlus: -x))
      #expect(relativeError(IncompleteBeta.regularized(a: 1, b: b, x: x), expected) < 1e-13)
      #expect(relativeError(IncompleteBeta.regularized(a: b, b: 1, x: x), Double.pow(x, b)) < 1e-13)
    }
    for n in [1, 7, 1000, 100_000] {
      for alpha in [0.05, 1e-9] {
        let upper = ClopperPearson.upperBound(successes: 0, trials: n, alpha: alpha)
        #expect(relativeError(upper, -Double.expMinusOne(Double.log(alpha) / Double(n))) < 1e-13, "n = \(n), α = \(alpha)")
        let lower = ClopperPearson.lowerBound(successes: n, trials: n, alpha: alpha)
        #expect(relativeError(lower, Double.exp(Double.log(alpha) / Double(n))) < 1e-13, "n = \(n), α = \(alpha)")
      }
    }
    let interval = ClopperPearson.interval(successes: 3, trials: 10, confidence: 0.9)
    #expect(interval.lower == ClopperPearson.lowerBound(successes: 3, trials: 10, alpha: (1 - 0.9) / 2))
    #expect(interval.upper == ClopperPearson.upperBound(successes: 3, trials: 10, alpha: (1 - 0.9) / 2))
  }

  /// The defining property: at p_hi, P[Bin(n, p_hi) ≤ k] = α, summed directly from the pmf.
  @Test func upperBoundHasTailProbabilityAlpha() {
    let n = 30
    let k = 4
    let alpha = 0.05
    let p = ClopperPearson.upperBound(successes: k, trials: n, alpha: alpha)
    var tail = 0.0
    for j in 0...k {
      let logChoose = Double.logGamma(Double(n + 1)) - Double.logGamma(Double(j + 1)) - Double.logGamma(Double(n - j + 1))
      tail += Double.exp(logChoose + Double(j) * Double.log(p) + Double(n - j) * Double.log(onePlus: -p))
    }
    #expect(abs(tail - alpha) < 1e-13, "P[Bin(\(n), \(p)) ≤ \(k)] = \(tail)")
  }
}
