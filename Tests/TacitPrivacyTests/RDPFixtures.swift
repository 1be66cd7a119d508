import Foundation

/// The dp_accounting fixture (`Fixtures/accounting.json`, Scripts/make_accounting_fixtures.py)
/// and the independent high-precision RDP fixture (`Fixtures/rdp_exact.json`,
/// Scripts/make_rdp_exact_fixture.py), decoded for the RDP and calibration tests.
enum RDPFixtures {
  struct AccountingDocument: Decodable {
    let rows: [AccountingRow]
  }

  struct AccountingRow: Decodable {
    let sample_rate: Double
    let noise_multiplier: Double
    let steps: Int
    let delta: Double
    let rdp_orders: [Double]
    let rdp: [Double?]
    let rdp_epsilon: Double
    let rdp_epsilon_classical: Double
    let epsilon_for_delta_query: Double
    let rdp_delta_at_epsilon: Double
    let flags: [String]

    var label: String { "q=\(sample_rate) σ=\(noise_multiplier) T=\(steps) δ=\(delta)" }
    var flaggedDroppedOrders: Bool { flags.contains("dropped_small_orders") }
  }

  struct ExactDocument: Decodable {
    let rdp_orders: [Double]
    let pairs: [ExactPair]
    let rows: [ExactRow]
  }

  struct ExactPair: Decodable {
    let sample_rate: Double
    let noise_multiplier: Double
    let rdp_one_step: [Double]
  }

  struct ExactRow: Decodable {
    let sample_rate: Double
    let noise_multiplier: Double
    let steps: Int
    let delta: Double
    let epsilon: Double
    let epsilon_classical: Double
    let epsilon_for_delta_query: Double
    let delta_at_epsilon: Double

    var label: String { "q=\(sample_rate) σ=\(noise_multiplier) T=\(steps) δ=\(delta)" }
  }

  static func url(_ name: String) throws -> URL {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
      throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/\(name).json"])
    }
    return url
  }

  static func accounting() throws -> [AccountingRow] {
    try JSONDecoder().decode(AccountingDocument.self, from: Data(contentsOf: url("accounting"))).rows
  }

  static func exact() throws -> ExactDocument {
    try JSONDecoder().decode(ExactDocument.self, from: Data(contentsOf: url("rdp_exact")))
  }

  static func relativeError(_ value: Double, _ reference: Double) -> Double {
    value == reference ? 0 : abs(value - reference) / max(abs(reference), .leastNormalMagnitude)
  }
}
