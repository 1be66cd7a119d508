import Foundation
import TacitTensor
import Testing

@Suite struct FastExpTests {
  /// The vectorised exp against Double-precision `exp` on a dense grid over its normal range.
  @Test func matchesDoublePrecisionExp() {
    var inputs = stride(from: -87.0, through: 88.0, by: 1e-3).map { Float($0) }
    inputs += [0, -0, 1e-30, -1e-30, 1e-8, -1e-8, 0.5, -0.5, 0.34657359, -0.34657359, 1, -1]
    var values = inputs
    values.withUnsafeMutableBufferPointer { Kernels.exp(inPlace: $0.baseAddress!, count: $0.count) }
    var worstRelative = 0.0
    for (x, y) in zip(inputs, values) {
      let exact = Foundation.exp(Double(x))
      worstRelative = max(worstRelative, abs(Double(y) - exact) / exact)
    }
    #expect(worstRelative < 3e-7, "max relative error \(worstRelative)")
    #expect(inputs.map { Kernels.exp($0) } == values)
  }

  /// Below the normal range 0, above it saturation at e⁸⁸, NaN kept.
  @Test func edges() {
    #expect(Kernels.exp(-88) == 0 && Kernels.exp(-1000) == 0 && Kernels.exp(-.infinity) == 0)
    #expect(Kernels.exp(0) == 1)
    #expect(Kernels.exp(.infinity) == Kernels.exp(88) && Kernels.exp(88).isFinite)
    #expect(Kernels.exp(.nan).isNaN)
  }

  /// Eight-lane maximum and sum over counts with every remainder modulo 8.
  @Test func maximumAndSum() {
    var generator = SeededGenerator(seed: 9)
    for count in [0, 1, 5, 8, 13, 128, 300] {
      let x = (0..<count).map { _ in 2 * Random.uniform(using: &generator) - 1 }
      #expect(Kernels.maximum(x, count: count) == (x.max() ?? -.infinity))
      let exact = x.reduce(0.0) { $0 + Double($1) }
      #expect(abs(Kernels.sum(x, count: count) - exact) <= 1e-6 * Double(max(count, 1)))
    }
    #expect(Kernels.maximum([1, .nan, 3, 2], count: 4) == 3)
  }
}
