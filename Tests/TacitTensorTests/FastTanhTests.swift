import Foundation
import TacitTensor
import Testing

@Suite struct FastTanhTests {
  /// The vectorised tanh against Double-precision `tanh` on a dense grid and at the edges.
  @Test func matchesDoublePrecisionTanh() {
    var inputs = stride(from: -10.0, through: 10.0, by: 1e-4).map { Float($0) }
    inputs += [0, -0, 1e-30, -1e-30, 1e-8, 7.9, -7.9, 7.91, 20, -20, 1e30, -1e30, .infinity, -.infinity]
    var outputs = [Float](repeating: .nan, count: inputs.count)
    inputs.withUnsafeBufferPointer { x in
      outputs.withUnsafeMutableBufferPointer { y in Kernels.tanh(x.baseAddress!, y.baseAddress!, count: x.count) }
    }
    var worstAbsolute = 0.0
    var worstRelative = 0.0
    for (x, y) in zip(inputs, outputs) {
      let exact = Foundation.tanh(Double(x))
      let error = abs(Double(y) - exact)
      worstAbsolute = max(worstAbsolute, error)
      if abs(exact) > 1e-30 { worstRelative = max(worstRelative, error / abs(exact)) }
      #expect(abs(y) <= 1, "tanh(\(x)) = \(y) outside [−1, 1]")
    }
    #expect(worstAbsolute < 4e-7, "max absolute error \(worstAbsolute)")
    #expect(worstRelative < 1e-6, "max relative error \(worstRelative)")
  }

  @Test func isOddAndWorksInPlace() {
    var values: [Float] = [-3, -0.5, 0, 0.5, 3]
    values.withUnsafeMutableBufferPointer { Kernels.tanh($0.baseAddress!, $0.baseAddress!, count: $0.count) }
    #expect(values[0] == -values[4] && values[1] == -values[3] && values[2] == 0)
    #expect(abs(Double(values[3]) - Foundation.tanh(0.5)) < 1e-7)
  }

  /// The in-place and scalar forms give the out-of-place kernel's values, bit for bit.
  @Test func inPlaceAndScalarFormsMatch() {
    let inputs = stride(from: -9.0, through: 9.0, by: 0.0137).map { Float($0) }
    var outOfPlace = [Float](repeating: .nan, count: inputs.count)
    inputs.withUnsafeBufferPointer { x in
      outOfPlace.withUnsafeMutableBufferPointer { y in Kernels.tanh(x.baseAddress!, y.baseAddress!, count: x.count) }
    }
    var inPlace = inputs
    inPlace.withUnsafeMutableBufferPointer { Kernels.tanh(inPlace: $0.baseAddress!, count: $0.count) }
    #expect(inPlace == outOfPlace)
    #expect(inputs.map { Kernels.tanh($0) } == outOfPlace)
  }
}
