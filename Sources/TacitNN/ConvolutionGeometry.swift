/// The geometry of a square-kernel 2-D convolution or pooling window over channels-last images,
/// and the im2col / col2im kernels that turn a convolution into one GEMM.
///
/// Dimension letters (used throughout this file): `B` examples, `H`×`W` input pixels, `C` input
/// channels, `k` kernel side, `s` stride, `p` zero padding on every side,
/// `outH = ⌊(H + 2p − k)/s⌋ + 1`, `outW` likewise, `T = outH·outW` output pixels,
/// `K = k·k·C` unfolded features per output pixel.
///
/// Storage (row-major): images `[B, H, W, C]`; unfolded columns `[B, T, K]` with the row index
/// `t = oy·outW + ox` and the column index `(ky·k + kx)·C + c`, i.e. column order `(ky, kx, c)`.
/// Column `(ky, kx, c)` of row `(oy, ox)` holds input pixel `(oy·s − p + ky, ox·s − p + kx)`,
/// channel `c`, or 0 where that pixel lies in the padding.
///
/// Because images are channels-last, the `k·C` columns of one kernel row `ky` are one contiguous
/// run of the input (minus the part in the left/right padding), so unfolding is a copy of `k`
/// runs per output pixel; cost `B·T·K` element moves.
struct ConvolutionGeometry: Equatable, Sendable {
  let height: Int
  let width: Int
  let channels: Int
  let kernelSize: Int
  let stride: Int
  let padding: Int

  /// Output rows `⌊(H + 2p − k)/s⌋ + 1`.
  var outputHeight: Int { (height + 2 * padding - kernelSize) / stride + 1 }
  /// Output columns `⌊(W + 2p − k)/s⌋ + 1`.
  var outputWidth: Int { (width + 2 * padding - kernelSize) / stride + 1 }
  /// Output pixels per example, `T`.
  var positions: Int { outputHeight * outputWidth }
  /// Unfolded features per output pixel, `K = k·k·C`.
  var features: Int { kernelSize * kernelSize * channels }
  /// Input scalars per example, `H·W·C`.
  var inputCount: Int { height * width * channels }
  /// Whether the window fits the padded input at least once.
  var fits: Bool { height + 2 * padding >= kernelSize && width + 2 * padding >= kernelSize }
  /// Whether unfolding is the identity (1×1 kernel, stride 1, no padding): columns = input.
  var isIdentity: Bool { kernelSize == 1 && stride == 1 && padding == 0 }

  /// Calls `body(imageOffset, pixel, oy, x0, kxStart, kxEnd)` for every output pixel `(b, oy,
  /// ox)`, in that order: `imageOffset = b·H·W·C` is where example `b`'s image starts, `pixel =
  /// (b·outH + oy)·outW + ox` the output pixel's index over the batch, `x0 = ox·s − p` the
  /// window's first input column, and `kxStart..<kxEnd` the kernel columns that fall inside the
  /// image (all of them without padding).
  @inline(__always)
  func forEachOutputPixel(
    batch: Int, _ body: (_ imageOffset: Int, _ pixel: Int, _ oy: Int, _ x0: Int, _ kxStart: Int, _ kxEnd: Int) -> Void
  ) {
    let H = height, W = width, C = channels, k = kernelSize, s = stride, p = padding
    let outH = outputHeight, outW = outputWidth
    for b in 0..<batch {
      for oy in 0..<outH {
        for ox in 0..<outW {
          let x0 = ox * s - p
          body(b * H * W * C, (b * outH + oy) * outW + ox, oy, x0, max(0, -x0), min(k, W - x0))
        }
      }
    }
  }

  /// Writes the unfolded `[B, T, K]` columns of `batch` images at `input` to `columns` (every
  /// element is written, so `columns` may be uninitialised).
  func unfold(_ input: UnsafePointer<Float>, batch: Int, into columns: UnsafeMutablePointer<Float>) {
    let H = height, W = width, C = channels, k = kernelSize, s = stride, p = padding
    let K = features, run = k * C
    forEachOutputPixel(batch: batch) { imageOffset, pixel, oy, x0, kxStart, kxEnd in
      let image = input + imageOffset, row = columns + pixel * K
      for ky in 0..<k {
        let destination = row + ky * run
        let iy = oy * s - p + ky
        if iy < 0 || iy >= H || kxEnd <= kxStart {
          destination.update(repeating: 0, count: run)
          continue
        }
        if kxStart > 0 { destination.update(repeating: 0, count: kxStart * C) }
        (destination + kxStart * C).update(
          from: image + (iy * W + x0 + kxStart) * C, count: (kxEnd - kxStart) * C)
        if kxEnd < k { (destination + kxEnd * C).update(repeating: 0, count: (k - kxEnd) * C) }
      }
    }
  }

  /// Adds the `[B, T, K]` column gradients at `columns` back onto the image gradients at
  /// `inputGradient` (`[B, H, W, C]`, which must be initialised, usually to zero); padding
  /// columns are dropped. The adjoint of `unfold`.
  func fold(_ columns: UnsafePointer<Float>, batch: Int, into inputGradient: UnsafeMutablePointer<Float>) {
    let H = height, W = width, C = channels, k = kernelSize, s = stride, p = padding
    let K = features, run = k * C
    forEachOutputPixel(batch: batch) { imageOffset, pixel, oy, x0, kxStart, kxEnd in
      if kxEnd <= kxStart { return }
      let image = inputGradient + imageOffset, row = columns + pixel * K
      let count = (kxEnd - kxStart) * C
      for ky in 0..<k {
        let iy = oy * s - p + ky
        if iy < 0 || iy >= H { continue }
        let source = row + ky * run + kxStart * C
        let target = image + (iy * W + x0 + kxStart) * C
        for i in 0..<count { target[i] += source[i] }
      }
    }
  }
}
