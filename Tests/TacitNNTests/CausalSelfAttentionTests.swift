import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct CausalSelfAttentionTests {
  static func makeLayer(width: Int = 8, heads: Int = 2, seed: UInt64 = 121) -> CausalSelfAttention {
    var generator = SeededGenerator(seed: seed)
    return CausalSelfAttention(width: width, headCount: heads, generator: &generator)
  }

  /// `X Wᵀ + β` for one record `[T, I]` in Float64.
  static func affine(_ x: [[Double]], _ layer: Dense) -> [[Double]] {
    let w = layer.weight.value.scalars, beta = layer.bias!.value.scalars
    return x.map { row in
      (0..<layer.outputCount).map { o in
        (0..<layer.inputCount).reduce(Double(beta[o])) { $0 + Double(w[o * layer.inputCount + $1]) * row[$1] }
      }
    }
  }

  /// The definition for one record `[T, D]` in Float64.
  static func reference(_ x: [[Double]], _ layer: CausalSelfAttention) -> [[Double]] {
    let D = layer.width, E = D / layer.headCount, T = x.count
    let qkv = affine(x, layer.queryKeyValue)
    var context = [[Double]](repeating: [Double](repeating: 0, count: D), count: T)
    for h in 0..<layer.headCount {
      for t in 0..<T {
        let scores = (0...t).map { s in
          (0..<E).reduce(0.0) { $0 + qkv[t][h * E + $1] * qkv[s][D + h * E + $1] } / Double(E).squareRoot()
        }
        let maximum = scores.max()!
        let weights = scores.map { exp($0 - maximum) }
        let total = weights.reduce(0, +)
        for s in 0...t {
          for e in 0..<E { context[t][h * E + e] += weights[s] / total * qkv[s][2 * D + h * E + e] }
        }
      }
    }
    return affine(context, layer.outputProjection)
  }

  @Test func forwardMatchesDefinition() {
    let layer = Self.makeLayer()
    let input = randomTensor([2, 5, 8], seed: 122)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    #expect(output.shape == [2, 5, 8])
    var expected: [Double] = []
    for b in 0..<2 {
      let record = (0..<5).map { t in (0..<8).map { Double(input.scalars[(b * 5 + t) * 8 + $0]) } }
      expected += Self.reference(record, layer).flatMap { $0 }
    }
    expectClose(output.scalars.map(Double.init), expected, relative: 1e-4, absolute: 1e-5, "attention")
  }

  /// Records of at least `causalSplitMinimum` positions run the split causal products (¾ of the
  /// full GEMMs): forward (inference and training) against the definition, with a padded record.
  @Test(arguments: [ForwardMode.inference, .training])
  func longRecordsMatchDefinition(mode: ForwardMode) {
    let layer = Self.makeLayer()
    let (T, lengths) = (41, [41, 33])
    let input = randomTensor([2, T, 8], seed: 127)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, lengths: lengths, mode: mode, generator: &generator)
    for (b, n) in lengths.enumerated() {
      let record = (0..<n).map { t in (0..<8).map { Double(input.scalars[(b * T + t) * 8 + $0]) } }
      expectClose(
        recordPrefix(output, record: b, length: n).scalars.map(Double.init), Self.reference(record, layer).flatMap { $0 },
        relative: 1e-4, absolute: 1e-5, "record \(b), \(mode)")
    }
  }

  /// The split causal products in the backward pass: finite differences on a 36-position record,
  /// and per-record norms against batches of one with lengths above and below the split minimum.
  @Test func longRecordsGradientsAndNorms() {
    checkFiniteDifferences(Self.makeLayer(), input: randomTensor([1, 36, 8], seed: 128), maxCoordinates: 60, "long record")
    let error = checkPaddedBookkeeping(
      Self.makeLayer(), input: randomTensor([3, 40, 8], seed: 129), lengths: [40, 33, 12], groupSize: 1, "long records")
    #expect(error <= 1e-4)
  }

  @Test func laterPositionsDoNotChangeEarlierOutputs() {
    let layer = Self.makeLayer()
    let input = randomTensor([1, 6, 8], seed: 123)
    var changed = input
    for i in (4 * 8)..<(6 * 8) { changed.scalars[i] += 3 }
    var generator = SeededGenerator(seed: 0)
    let before = layer.forward(input, mode: .inference, generator: &generator)
    let after = layer.forward(changed, mode: .inference, generator: &generator)
    #expect(Array(before.scalars[0..<32]) == Array(after.scalars[0..<32]))
    #expect(Array(before.scalars[32...]) != Array(after.scalars[32...]))
  }

  @Test func lengthsMatchUnpaddedRecords() {
    let layer = Self.makeLayer()
    let lengths = [3, 6, 0]
    let input = randomTensor([3, 6, 8], seed: 124)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, lengths: lengths, mode: .inference, generator: &generator)
    for (b, n) in lengths.enumerated() where n > 0 {
      let alone = layer.forward(recordPrefix(input, record: b, length: n), mode: .inference, generator: &generator)
      expectClose(
        recordPrefix(output, record: b, length: n).scalars.map(Double.init), alone.scalars.map(Double.init),
        relative: 1e-5, absolute: 1e-6, "record \(b)")
    }
  }

  @Test(arguments: [("D=8 H=2", (8, 2)), ("D=6 H=3", (6, 3)), ("D=4 H=1", (4, 1))].map { Labelled(label: $0.0, value: $0.1) })
  func gradientsMatchFiniteDifferences(_ shape: Labelled<(Int, Int)>) {
    let (D, H) = shape.value
    checkFiniteDifferences(
      Self.makeLayer(width: D, heads: H), input: randomTensor([2, 5, D], seed: 125), maxCoordinates: 60, shape.label)
  }

  @Test(arguments: [1, 2, 3])
  func groupNormsMatchBatchOfOneWithMixedLengths(groupSize: Int) {
    let lengths = [7, 2, 5, 1, 7, 4]
    let error = checkPaddedBookkeeping(
      Self.makeLayer(), input: randomTensor([6, 7, 8], seed: 126), lengths: lengths, groupSize: groupSize, "attention")
    #expect(error <= 1e-4)
  }

  @Test func leavesAndNames() {
    let layer = Self.makeLayer()
    #expect(layer.trainableLeaves.flatMap(\.parameters).map(ObjectIdentifier.init) == layer.parameters.map(ObjectIdentifier.init))
    #expect(layer.namedParameters.map(\.name) == ["c_attn.weight", "c_attn.bias", "c_proj.weight", "c_proj.bias"])
    #expect(layer.queryKeyValue.weight.value.shape == [24, 8] && layer.outputProjection.weight.value.shape == [8, 8])
  }
}
