import Foundation

/// The Morlet wavelets and Gaussian low-pass filter of a 2-D scattering transform, in the Fourier
/// domain, built exactly as Kymatio 0.3 builds them (`kymatio/scattering2d/filter_bank.py`;
/// Andreux et al. 2020, after Bruna & Mallat 2013 and Oyallon & Mallat 2015).
///
/// Dimension letters: `M × N` the padded image (height × width), `J` scales, `L` orientations,
/// `j ∈ 0..<J` a scale, `θ ∈ 0..<L` an orientation, `r` a resolution (the filter periodised to
/// `M/2^r × N/2^r`).
///
/// Filters in space, on the periodic `M × N` grid (each sums the 5×5 nearest periods of its
/// Gaussian, offsets `−2…2` times `M` and `N`):
/// - Gabor `g(u) = (1/Z)·Σ_periods exp(−uᵀ·Rθ·diag(1, s²)·Rθ⁻¹·u / (2σ²) + i·ξ·(u₁cos θ + u₂sin θ))`,
///   `Z = 2·3.1415·σ²/s` (Kymatio's constant, not π).
/// - Morlet `ψ = g_ξ − K·g_0` with `K = Σg_ξ / Σg_0`, so that `Σψ = 0`.
/// - Wavelet `(j, θ)`: σ = 0.8·2^j, angle `(⌊L/2 − 1⌋ − θ)·π/L` (Python's `int(L − L/2 − 1)`),
///   ξ = 3π/(4·2^j), slant s = 4/L.
/// - Low-pass `φ`: the Gabor with σ = 0.8·2^(J−1), ξ = 0, s = 1.
///
/// Each filter is kept as the real part of its 2-D DFT (`ψ̂`; the imaginary part vanishes), then
/// periodised to resolution `r`: entries in the middle band of rows `[⌊M/2^(r+1)⌋, +⌊M(1 − 2^−r)⌋)`
/// and columns likewise are zeroed, and the `2^r × 2^r` aliases are summed. Wavelet `j` has
/// `min(j + 1, max(J − 1, 1))` resolutions; `φ` has `J`.
///
/// Storage: every filter row-major `[M/2^r, N/2^r]`, in Double (Kymatio computes the spatial
/// filters in complex64, which differs by about 1e-7 relative). Cost `O(J·L·M·N·(M + N))` to build.
public struct MorletFilterBank: Sendable {
  /// One wavelet `ψ_{j,θ}` at its resolutions.
  public struct Wavelet: Sendable {
    /// The scale `j`.
    public var scale: Int
    /// The orientation index `θ`.
    public var orientation: Int
    /// `ψ̂` periodised to resolution `r`, `[M/2^r, N/2^r]` row-major, for `r` in `0..<levels.count`.
    public var levels: [[Double]]
  }

  /// The padded height `M`.
  public let height: Int
  /// The padded width `N`.
  public let width: Int
  /// The number of scales `J`.
  public let scales: Int
  /// The number of orientations `L`.
  public let orientations: Int
  /// The wavelets, scale-major: index `j·L + θ` (Kymatio's `n`).
  public let wavelets: [Wavelet]
  /// `φ̂` at resolutions `0..<J`, `[M/2^r, N/2^r]` row-major.
  public let lowPassLevels: [[Double]]

  /// The filter bank for a padded `height × width` image, `scales` scales and `orientations`
  /// orientations.
  ///
  /// - Precondition: `height` and `width` are divisible by `2^scales`; `scales ≥ 1`, `orientations ≥ 1`.
  public init(height: Int, width: Int, scales: Int, orientations: Int) {
    precondition(scales >= 1 && orientations >= 1, "filter bank needs J ≥ 1 and L ≥ 1, got J \(scales), L \(orientations)")
    precondition(
      height % (1 << scales) == 0 && width % (1 << scales) == 0,
      "padded size \(height)×\(width) must be divisible by 2^J = \(1 << scales)")
    self.height = height
    self.width = width
    self.scales = scales
    self.orientations = orientations
    var wavelets: [Wavelet] = []
    let levelCount = { (scale: Int) in min(scale + 1, max(scales - 1, 1)) }
    for scale in 0..<scales {
      for orientation in 0..<orientations {
        let angle =
          Double(Int(Double(orientations) - Double(orientations) / 2 - 1) - orientation) * Double.pi
          / Double(orientations)
        let spatial = Self.morlet(
          height: height, width: width, sigma: 0.8 * Double(1 << scale), angle: angle,
          frequency: 3.0 / 4.0 * Double.pi / Double(1 << scale), slant: 4.0 / Double(orientations))
        let fourier = Self.realPartOfDFT(spatial, height: height, width: width)
        let levels = (0..<levelCount(scale)).map { Self.periodize(fourier, height: height, width: width, resolution: $0) }
        wavelets.append(Wavelet(scale: scale, orientation: orientation, levels: levels))
      }
    }
    self.wavelets = wavelets
    let lowPass = Self.gabor(
      height: height, width: width, sigma: 0.8 * Double(1 << (scales - 1)), angle: 0, frequency: 0, slant: 1)
    let lowPassFourier = Self.realPartOfDFT(lowPass, height: height, width: width)
    lowPassLevels = (0..<scales).map { Self.periodize(lowPassFourier, height: height, width: width, resolution: $0) }
  }

  /// Kymatio's `gabor_2d` on the periodic grid, row-major complex `[M, N]` as (real, imaginary).
  ///
  /// The rotation's cosine and sine are rounded to Float first, as Kymatio's float32 `R` is.
  static func gabor(
    height: Int, width: Int, sigma: Double, angle: Double, frequency: Double, slant: Double
  ) -> (real: [Double], imaginary: [Double]) {
    let cosine = Double(Float(cos(angle)))
    let sine = Double(Float(sin(angle)))
    // curv = R·diag(1, s²)·R⁻¹ / (2σ²), with R = [[c, −s], [s, c]] and R⁻¹ = [[c, s], [−s, c]].
    let slantSquared = slant * slant
    let scale = 1 / (2 * sigma * sigma)
    let curvature00 = (cosine * cosine + sine * sine * slantSquared) * scale
    let curvature01 = (cosine * sine - sine * cosine * slantSquared) * scale
    let curvature10 = (sine * cosine - cosine * sine * slantSquared) * scale
    let curvature11 = (sine * sine + cosine * cosine * slantSquared) * scale
    let normalisation = 2 * 3.1415 * sigma * sigma / slant
    var real = [Double](repeating: 0, count: height * width)
    var imaginary = [Double](repeating: 0, count: height * width)
    for periodRow in -2...2 {
      for periodColumn in -2...2 {
        for row in 0..<height {
          let x = Double(row + periodRow * height)
          for column in 0..<width {
            let y = Double(column + periodColumn * width)
            let magnitude = exp(-(curvature00 * x * x + (curvature01 + curvature10) * x * y + curvature11 * y * y))
            let phase = x * frequency * cos(angle) + y * frequency * sin(angle)
            real[row * width + column] += magnitude * cos(phase)
            imaginary[row * width + column] += magnitude * sin(phase)
          }
        }
      }
    }
    return (real.map { $0 / normalisation }, imaginary.map { $0 / normalisation })
  }

  /// Kymatio's `morlet_2d`: the Gabor at `frequency` minus `K` times the one at 0, `K` making the sum 0.
  static func morlet(
    height: Int, width: Int, sigma: Double, angle: Double, frequency: Double, slant: Double
  ) -> (real: [Double], imaginary: [Double]) {
    let wave = gabor(height: height, width: width, sigma: sigma, angle: angle, frequency: frequency, slant: slant)
    let envelope = gabor(height: height, width: width, sigma: sigma, angle: angle, frequency: 0, slant: slant)
    let waveSum = (wave.real.reduce(0, +), wave.imaginary.reduce(0, +))
    let envelopeSum = (envelope.real.reduce(0, +), envelope.imaginary.reduce(0, +))
    // K = waveSum / envelopeSum (complex division).
    let denominator = envelopeSum.0 * envelopeSum.0 + envelopeSum.1 * envelopeSum.1
    let ratioReal = (waveSum.0 * envelopeSum.0 + waveSum.1 * envelopeSum.1) / denominator
    let ratioImaginary = (waveSum.1 * envelopeSum.0 - waveSum.0 * envelopeSum.1) / denominator
    var real = wave.real
    var imaginary = wave.imaginary
    for index in real.indices {
      real[index] -= ratioReal * envelope.real[index] - ratioImaginary * envelope.imaginary[index]
      imaginary[index] -= ratioReal * envelope.imaginary[index] + ratioImaginary * envelope.real[index]
    }
    return (real, imaginary)
  }

  /// `Re(DFT₂(z))`, `X[k, l] = Σ_{m,n} z[m, n]·e^{−2πi(km/M + ln/N)}`, by rows then columns.
  static func realPartOfDFT(_ signal: (real: [Double], imaginary: [Double]), height: Int, width: Int) -> [Double] {
    let rows = DiscreteFourierMatrix(size: width, sign: -1)
    let columns = DiscreteFourierMatrix(size: height, sign: -1)
    // Along each row (over n), then along each column (over m).
    var stageReal = [Double](repeating: 0, count: height * width)
    var stageImaginary = [Double](repeating: 0, count: height * width)
    for m in 0..<height {
      for l in 0..<width {
        var sumReal = 0.0
        var sumImaginary = 0.0
        for n in 0..<width {
          let (wr, wi) = rows[n, l]
          let (zr, zi) = (signal.real[m * width + n], signal.imaginary[m * width + n])
          sumReal += zr * wr - zi * wi
          sumImaginary += zr * wi + zi * wr
        }
        stageReal[m * width + l] = sumReal
        stageImaginary[m * width + l] = sumImaginary
      }
    }
    var result = [Double](repeating: 0, count: height * width)
    for k in 0..<height {
      for l in 0..<width {
        var sumReal = 0.0
        for m in 0..<height {
          let (wr, wi) = columns[m, k]
          sumReal += stageReal[m * width + l] * wr - stageImaginary[m * width + l] * wi
        }
        result[k * width + l] = sumReal
      }
    }
    return result
  }

  /// Kymatio's `periodize_filter_fft`: zero the middle band, then sum the `2^r × 2^r` aliases.
  static func periodize(_ filter: [Double], height: Int, width: Int, resolution: Int) -> [Double] {
    let factor = 1 << resolution
    let (outputHeight, outputWidth) = (height / factor, width / factor)
    let fraction = pow(2.0, Double(-resolution))
    let rowBand = Int(Double(height) * fraction / 2)..<(Int(Double(height) * fraction / 2) + Int(Double(height) * (1 - fraction)))
    let columnBand = Int(Double(width) * fraction / 2)..<(Int(Double(width) * fraction / 2) + Int(Double(width) * (1 - fraction)))
    var result = [Double](repeating: 0, count: outputHeight * outputWidth)
    for row in 0..<height where !rowBand.contains(row) {
      for column in 0..<width where !columnBand.contains(column) {
        result[(row % outputHeight) * outputWidth + column % outputWidth] += filter[row * width + column]
      }
    }
    return result
  }
}
