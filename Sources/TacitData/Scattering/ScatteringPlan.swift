/// The single-precision operands of `ScatteringTransform2D`: DFT matrices laid out for GEMM, the
/// filters transposed, and the scattering paths with their output channels.
///
/// Dimension letters as in `ScatteringTransform2D`; `M_r × N_r = M/2^r × N/2^r` the grid at
/// resolution `r`.
///
/// Layouts. A complex `R × C` matrix is stored as `R` rows of `[real(C) | imaginary(C)]`. Every
/// transform step right-multiplies such rows by a matrix `G` (`[C, P]`), batched over images
/// as one GEMM, in one of three forms:
/// - complex rows: the real block `[[Gr, Gi], [−Gi, Gr]]`, `[2C, 2P]`;
/// - real rows: `[Gr | Gi]`, `[C, 2P]`;
/// - complex rows, real part of the product only: `[[Gr], [−Gi]]`, `[2C, P]`.
/// Spectra are held transposed (`[N_r, M_r]`), spatial images upright (`[M_r, N_r]`); one
/// transpose per 2-D transform turns one into the other.
struct ScatteringPlan: Sendable {
  /// The DFT operands at one resolution `r < J`.
  struct Resolution: Sendable {
    /// `M_r` and `N_r`.
    let height: Int
    let width: Int
    /// Forward DFT along the width of real rows, `[N_r, 2N_r]`.
    let widthForward: [Float]
    /// Forward DFT along the height of complex rows (of a transposed image), `[2M_r, 2M_r]`.
    let heightForward: [Float]
    /// For each resolution `r' ∈ r..<J` (index `r' − r`): the aliases of the height frequencies
    /// summed (`k ↦ k mod M_r'`, the subsampling to `r'`) then the inverse DFT (with 1/M_r')
    /// along the height, for a transposed spectrum: `G[k, m] = e^{+2πi·(k mod M_r')·m/M_r'}/M_r'`,
    /// `[2M_r, 2M_r']`. Folding the sum into the GEMM spares a pass over the spectrum.
    let foldedHeightInverses: [[Float]]
    /// The same fold to resolution J then the inverse DFT keeping rows `1…h`:
    /// `G[k, m] = e^{+2πi·(k mod M_J)(m + 1)/M_J}/M_J`, `[2M_r, 2h]`.
    let foldedOutputInverse: [Float]
    /// Inverse DFT (with 1/N_r) along the width of complex rows, `[2N_r, 2N_r]`.
    let widthInverse: [Float]
  }

  /// One order-2 path: the wavelet applied to `U₁` and the output channel.
  struct SecondOrderPath: Sendable {
    let wavelet: Int
    let channel: Int
  }

  let inputHeight: Int
  let inputWidth: Int
  let scales: Int
  /// Resolutions `0..<J`.
  let resolutions: [Resolution]
  /// `M_J`, `N_J`: the grid of the low-pass outputs before cropping.
  let coarsestHeight: Int
  let coarsestWidth: Int
  /// Padding by reflection then forward DFT along the width, real rows: `[W, 2N]`.
  let inputWidthForward: [Float]
  /// Padding by reflection then forward DFT along the height, complex rows: `[2H, 2M]`.
  let inputHeightForward: [Float]
  /// Inverse DFT at resolution J along the width, columns `1…w`, real part: `[2N_J, w]`.
  let outputWidthInverse: [Float]
  /// `ψ̂_n` at its resolutions `r`, transposed, each value twice (`[N_r, 2M_r]`, the layout of a
  /// complex spectrum, so the product is one elementwise pass) and divided by `4^(j − r)` for the
  /// mean over the aliases of the subsampling to the wavelet's scale `j`; indexed `[n][r]`.
  let waveletFilters: [[[Float]]]
  /// The scale `j` of wavelet `n`.
  let waveletScales: [Int]
  /// `φ̂` at resolutions `r < J`, laid out as the wavelets and divided by `4^(J − r)`.
  let lowPassFilters: [[Float]]
  /// For each first-order wavelet `n1`, its order-2 paths in Kymatio's order.
  let secondOrderPaths: [[SecondOrderPath]]
  /// `K`, the number of paths (channels per input channel).
  let pathCount: Int

  var outputHeight: Int { coarsestHeight - 2 }
  var outputWidth: Int { coarsestWidth - 2 }

  init(inputHeight: Int, inputWidth: Int, paddedHeight: Int, paddedWidth: Int, filterBank: MorletFilterBank) {
    self.inputHeight = inputHeight
    self.inputWidth = inputWidth
    scales = filterBank.scales
    resolutions = (0..<filterBank.scales).map { resolution in
      Self.resolution(
        height: paddedHeight >> resolution, width: paddedWidth >> resolution,
        foldedHeights: (resolution..<filterBank.scales).map { paddedHeight >> $0 },
        coarsestHeight: paddedHeight >> filterBank.scales)
    }
    coarsestHeight = paddedHeight >> scales
    coarsestWidth = paddedWidth >> scales
    inputWidthForward = Self.paddedForward(input: inputWidth, padded: paddedWidth, realRows: true)
    inputHeightForward = Self.paddedForward(input: inputHeight, padded: paddedHeight, realRows: false)
    outputWidthInverse = Self.croppedInverse(size: coarsestWidth, realPartOnly: true)
    waveletFilters = filterBank.wavelets.map { wavelet in
      wavelet.levels.enumerated().map { resolution, filter in
        Self.expanded(
          filter, height: paddedHeight >> resolution, width: paddedWidth >> resolution,
          scale: 1 / Double(1 << (2 * (wavelet.scale - resolution))))
      }
    }
    waveletScales = filterBank.wavelets.map(\.scale)
    let scales = filterBank.scales
    lowPassFilters = filterBank.lowPassLevels.enumerated().map { resolution, filter in
      Self.expanded(
        filter, height: paddedHeight >> resolution, width: paddedWidth >> resolution,
        scale: 1 / Double(1 << (2 * (scales - resolution))))
    }
    var channel = 1 + filterBank.wavelets.count
    var paths: [[SecondOrderPath]] = []
    for first in filterBank.wavelets {
      var firstPaths: [SecondOrderPath] = []
      for (second, wavelet) in filterBank.wavelets.enumerated() where wavelet.scale > first.scale {
        firstPaths.append(SecondOrderPath(wavelet: second, channel: channel))
        channel += 1
      }
      paths.append(firstPaths)
    }
    secondOrderPaths = paths
    pathCount = channel
  }

  /// The DFT operands of an `height × width` grid; `foldedHeights` are `M_r'` for `r ≤ r' < J`.
  private static func resolution(height: Int, width: Int, foldedHeights: [Int], coarsestHeight: Int) -> Resolution {
    let forwardWidth = DiscreteFourierMatrix(size: width, sign: -1)
    let forwardHeight = DiscreteFourierMatrix(size: height, sign: -1)
    let inverseWidth = DiscreteFourierMatrix(size: width, sign: 1)
    let inverseWidthScale = 1 / Double(width)
    return Resolution(
      height: height, width: width,
      widthForward: realRowsOperand(rows: width, columns: width) { forwardWidth[$0, $1] },
      heightForward: complexRowsOperand(rows: height, columns: height) { forwardHeight[$0, $1] },
      foldedHeightInverses: foldedHeights.map { target in
        let inverse = DiscreteFourierMatrix(size: target, sign: 1)
        return complexRowsOperand(rows: height, columns: target) {
          let (real, imaginary) = inverse[$0 % target, $1]
          return (real / Double(target), imaginary / Double(target))
        }
      },
      foldedOutputInverse: croppedInverse(size: coarsestHeight, rows: height, realPartOnly: false),
      widthInverse: complexRowsOperand(rows: width, columns: width) {
        let (real, imaginary) = inverseWidth[$0, $1]
        return (real * inverseWidthScale, imaginary * inverseWidthScale)
      })
  }

  /// NumPy's `reflect` padding of `input` samples to `padded` (`⌊(padded − input)/2⌋` before)
  /// followed by the forward DFT: `G[c, k] = Σ_{p : source(p) = c} e^{−2πi·pk/padded}`.
  private static func paddedForward(input: Int, padded: Int, realRows: Bool) -> [Float] {
    let before = (padded - input) / 2
    let dft = DiscreteFourierMatrix(size: padded, sign: -1)
    var sums = [(Double, Double)](repeating: (0, 0), count: input * padded)
    for position in 0..<padded {
      var source = position - before
      if source < 0 { source = -source }
      if source >= input { source = 2 * (input - 1) - source }
      precondition(source >= 0 && source < input, "reflection padding of \(input) to \(padded) reaches past the image")
      for k in 0..<padded {
        let (real, imaginary) = dft[position, k]
        sums[source * padded + k].0 += real
        sums[source * padded + k].1 += imaginary
      }
    }
    return realRows
      ? realRowsOperand(rows: input, columns: padded) { sums[$0 * padded + $1] }
      : complexRowsOperand(rows: input, columns: padded) { sums[$0 * padded + $1] }
  }

  /// The inverse DFT of length `size` (with 1/size) keeping outputs `1…size − 2`, applied to the
  /// sum of the aliases of `rows` frequencies (a multiple of `size`; `size` itself for none):
  /// `G[k, m] = e^{+2πi·(k mod size)(m + 1)/size}/size`.
  private static func croppedInverse(size: Int, rows: Int? = nil, realPartOnly: Bool) -> [Float] {
    let dft = DiscreteFourierMatrix(size: size, sign: 1)
    let entry = { (k: Int, m: Int) -> (Double, Double) in
      let (real, imaginary) = dft[k % size, m + 1]
      return (real / Double(size), imaginary / Double(size))
    }
    return realPartOnly
      ? realPartOperand(rows: rows ?? size, columns: size - 2, entry)
      : complexRowsOperand(rows: rows ?? size, columns: size - 2, entry)
  }

  /// `[[Gr, Gi], [−Gi, Gr]]` of a complex `rows × columns` matrix `G`.
  static func complexRowsOperand(rows: Int, columns: Int, _ entry: (Int, Int) -> (Double, Double)) -> [Float] {
    var operand = [Float](repeating: 0, count: 4 * rows * columns)
    let stride = 2 * columns
    for row in 0..<rows {
      for column in 0..<columns {
        let (real, imaginary) = entry(row, column)
        operand[row * stride + column] = Float(real)
        operand[row * stride + columns + column] = Float(imaginary)
        operand[(rows + row) * stride + column] = Float(-imaginary)
        operand[(rows + row) * stride + columns + column] = Float(real)
      }
    }
    return operand
  }

  /// `[Gr | Gi]` of a complex `rows × columns` matrix `G` (for real rows).
  static func realRowsOperand(rows: Int, columns: Int, _ entry: (Int, Int) -> (Double, Double)) -> [Float] {
    var operand = [Float](repeating: 0, count: 2 * rows * columns)
    for row in 0..<rows {
      for column in 0..<columns {
        let (real, imaginary) = entry(row, column)
        operand[row * 2 * columns + column] = Float(real)
        operand[row * 2 * columns + columns + column] = Float(imaginary)
      }
    }
    return operand
  }

  /// `[[Gr], [−Gi]]` of a complex `rows × columns` matrix `G` (real part of complex rows times `G`).
  static func realPartOperand(rows: Int, columns: Int, _ entry: (Int, Int) -> (Double, Double)) -> [Float] {
    var operand = [Float](repeating: 0, count: 2 * rows * columns)
    for row in 0..<rows {
      for column in 0..<columns {
        let (real, imaginary) = entry(row, column)
        operand[row * columns + column] = Float(real)
        operand[(rows + row) * columns + column] = Float(-imaginary)
      }
    }
    return operand
  }

  /// `scale·filterᵀ` in Float with each value twice, `[width, 2·height]` (row `n`: column `n` of
  /// the filter, twice), from row-major `[height, width]`.
  private static func expanded(_ filter: [Double], height: Int, width: Int, scale: Double) -> [Float] {
    var result = [Float](repeating: 0, count: 2 * height * width)
    for row in 0..<height {
      for column in 0..<width {
        let value = Float(filter[row * width + column] * scale)
        result[column * 2 * height + row] = value
        result[column * 2 * height + height + row] = value
      }
    }
    return result
  }
}
