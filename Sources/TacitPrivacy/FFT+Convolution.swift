/// Linear convolution of real sequences through the FFT.
extension FFT {
  /// Below this many terms in the shorter input the direct sum is used (it is then both faster
  /// and exact up to ordinary summation rounding).
  static let directConvolutionLimit = 32

  /// The linear (not cyclic) convolution `c[n] = Σ_m a[m]·b[n − m]`, of length
  /// `a.count + b.count − 1` (empty if either input is empty).
  ///
  /// Wrap-around cannot occur: the transform length N is the smallest power of two
  /// ≥ `a.count + b.count − 1`, the length of the full result, so the cyclic convolution of the
  /// zero-padded inputs equals the linear one.
  ///
  /// Both real inputs share one complex transform (`z = a + i·b`; `A[k] = (Z[k] + Z̄[N−k])/2`,
  /// `B[k] = (Z[k] − Z̄[N−k])/2i`), so a convolution costs two transforms of length N; when
  /// `squaring` is set (`b` is ignored and `a` is convolved with itself) the packing is unneeded.
  ///
  /// Numerical properties: absolute error per entry `O(ε_machine·log₂N·‖a‖₂·‖b‖₂)`; entries of
  /// the exact result below that level come out as noise of either sign (callers that need
  /// probabilities clamp them).
  ///
  /// Complexity: `O(N log N)`; direct `O(|a|·|b|)` when the shorter input has at most
  /// `directConvolutionLimit` terms.
  public static func linearConvolution(_ a: [Double], _ b: [Double]) -> [Double] {
    convolve(a, b, squaring: false)
  }

  /// `linearConvolution(a, a)` with one packing step fewer.
  public static func linearSelfConvolution(_ a: [Double]) -> [Double] {
    convolve(a, a, squaring: true)
  }

  private static func convolve(_ a: [Double], _ b: [Double], squaring: Bool) -> [Double] {
    guard !a.isEmpty, !b.isEmpty else { return [] }
    let resultCount = a.count + b.count - 1
    if min(a.count, b.count) <= directConvolutionLimit {
      var result = [Double](repeating: 0, count: resultCount)
      for (m, aValue) in a.enumerated() {
        for (n, bValue) in b.enumerated() {
          result[m + n] += aValue * bValue
        }
      }
      return result
    }
    let size = powerOfTwo(atLeast: resultCount)
    let fft = FFT(size: size)
    var real = [Double](repeating: 0, count: size)
    var imaginary = [Double](repeating: 0, count: size)
    for (m, value) in a.enumerated() { real[m] = value }
    if !squaring {
      for (m, value) in b.enumerated() { imaginary[m] = value }
    }
    fft.forward(real: &real, imaginary: &imaginary)
    if squaring {
      for k in 0..<size {
        let zr = real[k]
        let zi = imaginary[k]
        real[k] = zr * zr - zi * zi
        imaginary[k] = 2 * zr * zi
      }
    } else {
      // Unpack A and B from Z for the pair (k, N − k) together, then store C = A·B at both.
      for k in 0...(size / 2) {
        let mirror = (size - k) & (size - 1)
        let zr = real[k]
        let zi = imaginary[k]
        let yr = real[mirror]
        let yi = imaginary[mirror]
        // A[k] = (Z[k] + conj Z[N−k]) / 2, B[k] = (Z[k] − conj Z[N−k]) / 2i.
        let ar = (zr + yr) / 2
        let ai = (zi - yi) / 2
        let br = (zi + yi) / 2
        let bi = (yr - zr) / 2
        // C[k] = A[k]·B[k]; C[N−k] = conj(C[k]) because c is real.
        let cr = ar * br - ai * bi
        let ci = ar * bi + ai * br
        real[k] = cr
        imaginary[k] = ci
        real[mirror] = cr
        imaginary[mirror] = -ci
      }
    }
    fft.inverse(real: &real, imaginary: &imaginary)
    return Array(real[0..<resultCount])
  }
}
