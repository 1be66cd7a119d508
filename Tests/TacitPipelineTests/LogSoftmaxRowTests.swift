import Foundation
import TacitTensor
import Testing

@testable import TacitPipeline

/// The audit's row log-softmax and the next-token moments built on it, against the definitions
/// written out directly in Float64 on small rows (large, equal and very negative logits).
@Suite struct LogSoftmaxRowTests {
  static let rows: [[Float]] = [
    [0, 1, 2, 3], [1000, 999, 998, 0], [5, 5, 5, 5], [-200, 0, 10, -1e30],
  ]

  @Test func logProbabilitiesAreTheDefinition() {
    let flat = Self.rows.flatMap { $0 }
    var output = [Double](repeating: .nan, count: 4)
    flat.withUnsafeBufferPointer { z in
      for (index, row) in Self.rows.enumerated() {
        LogSoftmaxRow.logProbabilities(z, start: 4 * index, count: 4, into: &output)
        let values = row.map(Double.init), maximum = values.max()!
        let logTotal = maximum + log(values.reduce(0) { $0 + exp($1 - maximum) })
        for v in 0..<4 { #expect(abs(output[v] - (values[v] - logTotal)) <= 1e-12 * max(1, abs(output[v]))) }
        #expect(abs(output.reduce(0) { $0 + exp($1) } - 1) < 1e-12)
      }
    }
  }

  @Test func momentsAreTheMeanAndSpreadOfLogP() {
    // One record of 5 tokens: positions 0…3 of the logits predict tokens 1…4.
    let logits = Tensor(shape: [1, 5, 4], scalars: Self.rows.flatMap { $0 } + [0, 0, 0, 0])
    let moments = NextTokenMoments.moments(logits: logits, lengths: [5])
    #expect(moments.count == 1 && moments[0].means.count == 4)
    for (t, row) in Self.rows.enumerated() {
      let values = row.map(Double.init), maximum = values.max()!
      let logTotal = maximum + log(values.reduce(0) { $0 + exp($1 - maximum) })
      let logP = values.map { $0 - logTotal }
      let mean = logP.reduce(0) { $0 + ($1 > -700 ? exp($1) * $1 : 0) }
      let variance = logP.reduce(0) { $0 + ($1 > -700 ? exp($1) * ($1 - mean) * ($1 - mean) : 0) }
      #expect(abs(moments[0].means[t] - mean) < 1e-12, "t = \(t)")
      #expect(abs(moments[0].standardDeviations[t] - variance.squareRoot()) < 1e-12, "t = \(t)")
    }
    // Equal logits: log p = −log 4 everywhere, σ = 0.
    #expect(abs(moments[0].means[2] + log(4.0)) < 1e-12 && moments[0].standardDeviations[2] < 1e-12)
  }
}
