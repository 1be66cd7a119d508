import TacitNN
import TacitTensor
import Testing

@Suite struct LinearGradientsTests {
  /// `(T, I, O)` shapes: one position, more positions than features, fewer.
  static let shapes: [(String, (Int, Int, Int))] = [
    ("T=1 I=4 O=3", (1, 4, 3)),
    ("T=2 I=5 O=3", (2, 5, 3)),
    ("T=7 I=3 O=2", (7, 3, 2)),
    ("T=4 I=9 O=6", (4, 9, 6)),
  ]
  static let batches: [(String, Int)] = [("batch 0", 0), ("batch 1", 1), ("batch 3", 3)]
  static let strategies: [(String, LinearGradients.NormStrategy?)] = [
    ("by cost", nil), ("ghost", .ghost), ("materialize", .materialize),
  ]

  /// ‖G_bᵀA_b‖² + ‖Σ_t G_b,t‖², formed explicitly in Float64.
  static func bruteForceNorms(_ a: Tensor, _ g: Tensor, batch: Int, positions T: Int, inputs I: Int, outputs O: Int) -> [Double] {
    (0..<batch).map { b in
      var total: Double = 0
      for o in 0..<O {
        var biasSum: Double = 0
        for t in 0..<T { biasSum += Double(g.scalars[(b * T + t) * O + o]) }
        total += biasSum * biasSum
        for i in 0..<I {
          var entry: Double = 0
          for t in 0..<T { entry += Double(g.scalars[(b * T + t) * O + o]) * Double(a.scalars[(b * T + t) * I + i]) }
          total += entry * entry
        }
      }
      return total
    }
  }

  @Test(arguments: sweep(shapes, batches, strategies))
  func squaredNormsMatchExplicitPerExampleGradients(_ sweepCase: Labelled<((Int, Int, Int), Int, LinearGradients.NormStrategy?)>)
  {
    let ((T, I, O), batch, strategy) = sweepCase.value
    let a = randomTensor([batch, T, I], seed: 1)
    let g = randomTensor([batch, T, O], seed: 2)
    var norms = [Double](repeating: 0, count: batch)
    LinearGradients.addSquaredNorms(
      activations: a, outputGradients: g, batch: batch, positions: T, inputs: I, outputs: O, hasBias: true,
      into: &norms, strategy: strategy)
    let expected = Self.bruteForceNorms(a, g, batch: batch, positions: T, inputs: I, outputs: O)
    expectClose(norms, expected, relative: 1e-4, absolute: 1e-9, sweepCase.label)
  }

  @Test func strategyIsChosenByCost() {
    #expect(LinearGradients.strategy(positions: 1, inputs: 784, outputs: 10) == .outerProduct)
    // First Tramèr–Boneh convolution: T = 169, I = 64, O = 16: 169²·80 > 169·64·16.
    #expect(LinearGradients.strategy(positions: 169, inputs: 64, outputs: 16) == .materialize)
    // Few positions, wide layer: 4²·544 < 4·512·32.
    #expect(LinearGradients.strategy(positions: 4, inputs: 512, outputs: 32) == .ghost)
  }

  @Test func weightedAccumulationMatchesExplicitSum() {
    let (batch, T, I, O) = (3, 4, 5, 2)
    let a = randomTensor([batch, T, I], seed: 3)
    let g = randomTensor([batch, T, O], seed: 4)
    let coefficients: [Float] = [0.5, -1.25, 2]
    let weight = Parameter(name: "weight", value: Tensor(shape: [O, I]), isDecayed: true)
    let bias = Parameter(name: "bias", value: Tensor(shape: [O]), isDecayed: false)
    weight.gradient = Tensor(shape: [O, I], repeating: 1)  // accumulation adds to what is there
    LinearGradients.accumulate(
      activations: a, outputGradients: g, batch: batch, positions: T, inputs: I, outputs: O,
      weights: .perExample(coefficients), weight: weight, bias: bias)
    var expectedWeight = [Double](repeating: 1, count: O * I)
    var expectedBias = [Double](repeating: 0, count: O)
    for b in 0..<batch {
      for t in 0..<T {
        for o in 0..<O {
          let gradient = Double(coefficients[b]) * Double(g.scalars[(b * T + t) * O + o])
          expectedBias[o] += gradient
          for i in 0..<I { expectedWeight[o * I + i] += gradient * Double(a.scalars[(b * T + t) * I + i]) }
        }
      }
    }
    expectClose(weight.gradient.scalars.map(Double.init), expectedWeight, relative: 1e-5, absolute: 1e-6, "weight")
    expectClose(bias.gradient.scalars.map(Double.init), expectedBias, relative: 1e-5, absolute: 1e-6, "bias")
  }
}
