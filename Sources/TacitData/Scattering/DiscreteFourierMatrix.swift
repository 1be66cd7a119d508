import Foundation

/// The `n × n` discrete Fourier matrix `W[m, k] = e^{sign·2πi·mk/n}` (sign −1: forward, +1:
/// inverse without the 1/n), in Double.
///
/// Used where the transform length is not a power of two (the scattering transform's padded
/// 36, 18, 9 for 28×28 images), so `FFT` (radix 2) does not apply; as matrices the transforms
/// become GEMMs (see `ScatteringTransform2D`).
///
/// Numerical properties: the exponent is reduced to `(m·k mod n)/n` before `cos`/`sin`, so every
/// entry is correctly rounded to an ulp or two whatever `m·k`. Storage: `n²` (real, imaginary)
/// pairs, row-major; `W` is symmetric.
struct DiscreteFourierMatrix {
  /// The size `n`.
  let size: Int
  private let real: [Double]
  private let imaginary: [Double]

  /// The matrix of size `size ≥ 1` with exponent sign `sign` (±1).
  init(size: Int, sign: Double) {
    precondition(size >= 1 && abs(sign) == 1, "DFT matrix of size \(size), sign \(sign)")
    self.size = size
    var real = [Double](repeating: 0, count: size * size)
    var imaginary = [Double](repeating: 0, count: size * size)
    for m in 0..<size {
      for k in 0..<size {
        let angle = 2 * Double.pi * Double((m * k) % size) / Double(size)
        real[m * size + k] = cos(angle)
        imaginary[m * size + k] = sign * sin(angle)
      }
    }
    self.real = real
    self.imaginary = imaginary
  }

  /// `W[m, k]` as (real, imaginary).
  subscript(m: Int, k: Int) -> (Double, Double) {
    (real[m * size + k], imaginary[m * size + k])
  }
}
