import RealModule

/// A radix-2 complex fast Fourier transform of one power-of-two size (Cooley & Tukey 1965).
///
/// The forward transform of `x[0..<N]` is `X[k] = Σ_n x[n]·e^{−2πi·kn/N}`; the inverse is
/// `x[n] = (1/N)·Σ_k X[k]·e^{+2πi·kn/N}`, so `inverse(forward(x)) = x` up to rounding.
///
/// Algorithm: iterative decimation in time: a bit-reversal permutation, then log₂N stages of
/// butterflies `(a, b) ↦ (a + w·b, a − w·b)` with span 1, 2, 4, …, N/2.
///
/// Storage: split complex, `real[n]` and `imaginary[n]`, both of length `size`.
///
/// Numerical properties: the twiddle factors `e^{−2πik/N}` are computed directly with `cos`/`sin`
/// (not by recurrence), so each is correctly rounded to within an ulp or two; the transform's
/// error is then `O(ε_machine·log₂N)` relative to the input's Euclidean norm (Higham 2002,
/// §24.1). Entries much smaller than that bound relative to the largest entry are noise.
///
/// Complexity: `O(N log N)` time, `O(N)` memory for the twiddles. Size 1 is the identity.
public struct FFT: Sendable {
  /// The transform length N, a power of two ≥ 1.
  public let size: Int
  /// `log₂N`.
  let stageCount: Int
  /// `cos(2πk/N)` for `k < N/2`.
  private let twiddleCosines: [Double]
  /// `sin(2πk/N)` for `k < N/2` (the forward transform uses `−sin`).
  private let twiddleSines: [Double]

  /// A transform of length `size` (a power of two ≥ 1).
  public init(size: Int) {
    precondition(size >= 1 && size & (size - 1) == 0, "FFT size \(size) is not a power of two")
    self.size = size
    self.stageCount = size.trailingZeroBitCount
    let half = size / 2
    var cosines = [Double](repeating: 0, count: half)
    var sines = [Double](repeating: 0, count: half)
    for k in 0..<half {
      let angle = 2 * Double.pi * Double(k) / Double(size)
      cosines[k] = Double.cos(angle)
      sines[k] = Double.sin(angle)
    }
    twiddleCosines = cosines
    twiddleSines = sines
  }

  /// The smallest power of two ≥ `length` (and ≥ 1).
  public static func powerOfTwo(atLeast length: Int) -> Int {
    precondition(length >= 0 && length <= 1 << 60, "FFT length \(length) out of range")
    var size = 1
    while size < length { size <<= 1 }
    return size
  }

  /// In place: `(real, imaginary) ← DFT(real + i·imaginary)`.
  public func forward(real: inout [Double], imaginary: inout [Double]) {
    transform(real: &real, imaginary: &imaginary, sign: -1)
  }

  /// In place: the inverse DFT, including the factor 1/N.
  public func inverse(real: inout [Double], imaginary: inout [Double]) {
    transform(real: &real, imaginary: &imaginary, sign: 1)
    let scale = 1 / Double(size)
    for n in 0..<size {
      real[n] *= scale
      imaginary[n] *= scale
    }
  }

  /// The unscaled transform with kernel `e^{sign·2πi·kn/N}`.
  private func transform(real: inout [Double], imaginary: inout [Double], sign: Double) {
    precondition(
      real.count == size && imaginary.count == size,
      "FFT of size \(size) given arrays of \(real.count) and \(imaginary.count) entries")
    guard size > 1 else { return }
    real.withUnsafeMutableBufferPointer { re in
      imaginary.withUnsafeMutableBufferPointer { im in
        twiddleCosines.withUnsafeBufferPointer { cosines in
          twiddleSines.withUnsafeBufferPointer { sines in
            // Bit-reversal permutation.
            var j = 0
            for i in 1..<size {
              var bit = size >> 1
              while j & bit != 0 {
                j ^= bit
                bit >>= 1
              }
              j |= bit
              if i < j {
                re.swapAt(i, j)
                im.swapAt(i, j)
              }
            }
            // Butterflies: span `half`, twiddle stride N / (2·half).
            var half = 1
            while half < size {
              let stride = size / (2 * half)
              var start = 0
              while start < size {
                for k in 0..<half {
                  let wr = cosines[k * stride]
                  let wi = sign * sines[k * stride]
                  let a = start + k
                  let b = a + half
                  let br = re[b] * wr - im[b] * wi
                  let bi = re[b] * wi + im[b] * wr
                  re[b] = re[a] - br
                  im[b] = im[a] - bi
                  re[a] += br
                  im[a] += bi
                }
                start += 2 * half
              }
              half *= 2
            }
          }
        }
      }
    }
  }
}
