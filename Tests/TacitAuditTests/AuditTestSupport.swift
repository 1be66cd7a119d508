import Foundation
import RealModule

@testable import TacitAudit

// SplitMix64, the seeded test generator, is in TestGenerator.swift.

/// A standard normal draw by Box–Muller (exact in distribution).
func standardNormal(using generator: inout some RandomNumberGenerator) -> Double {
  let uniform = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &generator)
  let angle = Double.random(in: 0..<(2 * Double.pi), using: &generator)
  return (-2 * Double.log(uniform)).squareRoot() * Double.cos(angle)
}

/// Members N(shift, 1), non-members N(0, 1): the Gaussian attack model, where AUC = Φ(shift/√2)
/// and TPR at FPR f = Φ(Φ⁻¹(f) + shift).
func gaussianScores(members: Int, nonMembers: Int, shift: Double, using generator: inout some RandomNumberGenerator)
  -> MembershipScores
{
  var scores: [Double] = []
  for _ in 0..<members { scores.append(standardNormal(using: &generator) + shift) }
  for _ in 0..<nonMembers { scores.append(standardNormal(using: &generator)) }
  let labels = Array(repeating: true, count: members) + Array(repeating: false, count: nonMembers)
  return try! MembershipScores(scores: scores, isMember: labels)
}

/// A fixture decoded from Tests/TacitAuditTests/Fixtures (written by Scripts/make_audit_fixtures.py).
func loadFixture<T: Decodable>(_ name: String, as type: T.Type) -> T {
  let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")!
  return try! JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// |actual − expected| / |expected| (absolute when expected is 0).
func relativeError(_ actual: Double, _ expected: Double) -> Double {
  expected == 0 ? abs(actual) : abs(actual - expected) / abs(expected)
}
