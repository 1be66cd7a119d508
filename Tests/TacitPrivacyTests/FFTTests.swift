import Foundation
import Testing

@testable import TacitPrivacy

/// The radix-2 FFT against the O(n²) definition, round trips, and linear convolution against the
/// direct sum.
struct FFTTests {
  /// Deterministic values in [−1, 1) from a 64-bit linear congruential sequence.
  static func values(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
  }

  /// `X[k] = Σ_n x[n]·e^{−2πi·kn/N}` by definition.
  static func naiveDFT(real: [Double], imaginary: [Double]) -> ([Double], [Double]) {
    let n = real.count
    var outReal = [Double](repeating: 0, count: n)
    var outImaginary = [Double](repeating: 0, count: n)
    for k in 0..<n {
      for m in 0..<n {
        let angle = -2 * Double.pi * Double((k * m) % n) / Double(n)
        outReal[k] += real[m] * cos(angle) - imaginary[m] * sin(angle)
        outImaginary[k] += real[m] * sin(angle) + imaginary[m] * cos(angle)
      }
    }
    return (outReal, outImaginary)
  }

  @Test(arguments: [1, 2, 4, 8, 16, 64, 256, 1024])
  func forwardMatchesTheDefinition(size: Int) {
    let real = Self.values(size, seed: UInt64(size))
    let imaginary = Self.values(size, seed: UInt64(size) + 1000)
    let (expectedReal, expectedImaginary) = Self.naiveDFT(real: real, imaginary: imaginary)
    var actualReal = real
    var actualImaginary = imaginary
    FFT(size: size).forward(real: &actualReal, imaginary: &actualImaginary)
    let tolerance = 1e-13 * Double(size)
    for k in 0..<size {
      #expect(abs(actualReal[k] - expectedReal[k]) <= tolerance, "N=\(size) k=\(k) real")
      #expect(abs(actualImaginary[k] - expectedImaginary[k]) <= tolerance, "N=\(size) k=\(k) imaginary")
    }
  }

  @Test(arguments: [1, 2, 32, 4096, 1 << 16])
  func inverseUndoesForward(size: Int) {
    let real = Self.values(size, seed: 7 * UInt64(size))
    let imaginary = Self.values(size, seed: 7 * UInt64(size) + 1)
    var roundTripReal = real
    var roundTripImaginary = imaginary
    let fft = FFT(size: size)
    fft.forward(real: &roundTripReal, imaginary: &roundTripImaginary)
    fft.inverse(real: &roundTripReal, imaginary: &roundTripImaginary)
    let worst = zip(real + imaginary, roundTripReal + roundTripImaginary).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-14 * Double(size.trailingZeroBitCount + 1), "N=\(size): worst round-trip error \(worst)")
  }

  @Test func impulseAndConstantTransformIntoEachOther() {
    let size = 512
    var real = [Double](repeating: 0, count: size)
    var imaginary = [Double](repeating: 0, count: size)
    real[0] = 1
    FFT(size: size).forward(real: &real, imaginary: &imaginary)
    #expect(real.allSatisfy { abs($0 - 1) < 1e-15 } && imaginary.allSatisfy { abs($0) < 1e-15 })
  }

  @Test(arguments: [(1, 1), (3, 40), (33, 33), (100, 37), (1000, 2500), (4097, 4096)])
  func linearConvolutionMatchesTheDirectSum(lengths: (Int, Int)) {
    let a = Self.values(lengths.0, seed: 11)
    let b = Self.values(lengths.1, seed: 12)
    var expected = [Double](repeating: 0, count: a.count + b.count - 1)
    for m in a.indices { for n in b.indices { expected[m + n] += a[m] * b[n] } }
    let actual = FFT.linearConvolution(a, b)
    #expect(actual.count == expected.count)
    let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-12 * Double(min(a.count, b.count)).squareRoot(), "lengths \(lengths): worst error \(worst)")
    let squared = FFT.linearSelfConvolution(a)
    var expectedSquare = [Double](repeating: 0, count: 2 * a.count - 1)
    for m in a.indices { for n in a.indices { expectedSquare[m + n] += a[m] * a[n] } }
    let worstSquare = zip(squared, expectedSquare).map { abs($0 - $1) }.max() ?? 0
    #expect(worstSquare <= 1e-12 * Double(a.count).squareRoot(), "length \(a.count) squared: worst error \(worstSquare)")
  }

  @Test func convolutionDoesNotWrapAround() {
    // Mass at both ends of both inputs: a cyclic convolution of too short a length would fold
    // the last product onto the first entries.
    var a = [Double](repeating: 0, count: 100)
    a[0] = 1
    a[99] = 1
    let c = FFT.linearConvolution(a, a)
    #expect(c.count == 199)
    #expect(abs(c[0] - 1) < 1e-12 && abs(c[99] - 2) < 1e-12 && abs(c[198] - 1) < 1e-12)
    #expect(c.enumerated().allSatisfy { [0, 99, 198].contains($0.offset) || abs($0.element) < 1e-12 })
  }
}
