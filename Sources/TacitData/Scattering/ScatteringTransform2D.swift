import Dispatch
import TacitTensor

/// The 2-D scattering transform of images up to order 2 (Bruna & Mallat 2013; Oyallon & Mallat
/// 2015), computed as Kymatio 0.3's `Scattering2D(J, shape, L)` computes it, to float rounding.
///
/// Dimension letters: `H × W` the input image, `M × N` the padded image, `J` scales, `L`
/// orientations, `K = 1 + J·L + L²·J(J−1)/2` channels per input channel, `h × w = (M/2^J − 2) ×
/// (N/2^J − 2)` output positions. For 28×28, J = 2, L = 8: M = N = 36, K = 81, h = w = 7.
///
/// With `ψ_{j,θ}` and `φ` from `MorletFilterBank`, `⋆` circular convolution on the padded grid
/// and `↓k` keeping every k-th sample:
/// - order 0: `S₀x = (x ⋆ φ)↓2^J`
/// - order 1: `U₁ = |x ⋆ ψ_{j1,θ1}|↓2^j1`, `S₁ = (U₁ ⋆ φ)↓2^(J−j1)`
/// - order 2 (j2 > j1): `U₂ = |U₁ ⋆ ψ_{j2,θ2}|↓2^(j2−j1)`, `S₂ = (U₂ ⋆ φ)↓2^(J−j2)`
/// each `S` cropped by one sample on every side. The image is first padded by reflection (NumPy's
/// `reflect`, edge not repeated) to `M = (⌊(H + 2^J)/2^J⌋ + 1)·2^J` rows, `⌊(M − H)/2⌋` on top,
/// and likewise for columns. Convolutions are products in the Fourier domain; subsampling by k is
/// the average of the k × k aliases of the spectrum (Kymatio's `subsample_fourier`).
///
/// Algorithm: the DFTs have lengths 36, 18, 9 (not powers of two), so each 2-D DFT is two matrix
/// products with DFT matrices (`Z ↦ F·Z·F`), batched over images as single-precision GEMMs, with
/// a per-image transpose between them; spectra are held transposed to save one transpose per
/// transform. The padding is folded into the first DFT's matrices, the subsampling's sum over the
/// height frequencies into the next inverse DFT's (the width frequencies are summed in the same
/// pass as the filter product), and the last inverse DFT computes only the `h × w` real samples
/// kept. Cost per 28×28 image about 2.3·10⁷ flops
/// (docs/performance.md).
///
/// Channel order (Kymatio's): 0 the order-0 coefficient; `1 + j1·L + θ1` order 1; then order 2
/// in loop order over `(j1, θ1)` outer and `(j2, θ2)` inner with `j2 > j1`. A multi-channel input
/// gives `C·K` channels, input channel major (Kymatio's output reshaped to `[C·K, h, w]`).
///
/// Shapes: input `[B, H, W, C]` (or `[B, H, W]`, one channel), output `[B, h, w, C·K]`
/// channels-last. Numerical properties: coefficients agree with Kymatio's in double precision
/// to about 1e-6 relative (tested to 1e-4 against a fixture of Kymatio's output).
public struct ScatteringTransform2D: Sendable {
  /// The input height `H` and width `W`.
  public let inputHeight: Int
  public let inputWidth: Int
  /// The number of scales `J`.
  public let scales: Int
  /// The number of orientations `L`.
  public let orientations: Int
  /// The padded size `M × N`.
  public let paddedHeight: Int
  public let paddedWidth: Int
  /// The filters (Double), kept for inspection and tests.
  public let filterBank: MorletFilterBank
  /// The single-precision operands of the batched transform.
  let plan: ScatteringPlan

  /// The transform of `inputHeight × inputWidth` images with `scales` scales and `orientations`
  /// orientations.
  ///
  /// - Precondition: `scales ≥ 1`, `orientations ≥ 1`, and `2^scales ≤ min(inputHeight, inputWidth)`
  ///   (as Kymatio requires).
  public init(inputHeight: Int, inputWidth: Int, scales: Int, orientations: Int) {
    precondition(scales >= 1 && orientations >= 1, "scattering needs J ≥ 1 and L ≥ 1, got J \(scales), L \(orientations)")
    precondition(
      1 << scales <= min(inputHeight, inputWidth),
      "scattering with J = \(scales) needs images of at least 2^J = \(1 << scales) pixels a side, got \(inputHeight)×\(inputWidth)"
    )
    self.inputHeight = inputHeight
    self.inputWidth = inputWidth
    self.scales = scales
    self.orientations = orientations
    paddedHeight = Self.paddedLength(inputHeight, scales: scales)
    paddedWidth = Self.paddedLength(inputWidth, scales: scales)
    filterBank = MorletFilterBank(height: paddedHeight, width: paddedWidth, scales: scales, orientations: orientations)
    plan = ScatteringPlan(
      inputHeight: inputHeight, inputWidth: inputWidth, paddedHeight: paddedHeight, paddedWidth: paddedWidth,
      filterBank: filterBank)
  }

  /// Kymatio's `compute_padding`: `(⌊(length + 2^J)/2^J⌋ + 1)·2^J`.
  static func paddedLength(_ length: Int, scales: Int) -> Int {
    let step = 1 << scales
    return ((length + step) / step + 1) * step
  }

  /// The output length (`h` or `w`) for an input side of `length` pixels and `scales` scales:
  /// `M/2^J − 2` with `M` the padded length (5 + ⌊length/2^J⌋, 7 for 28 and J = 2).
  public static func outputLength(_ length: Int, scales: Int) -> Int {
    paddedLength(length, scales: scales) >> scales - 2
  }

  /// `K`, the channels per input channel: `1 + J·L + L²·J(J−1)/2`.
  public var channelsPerInputChannel: Int { plan.pathCount }
  /// The output height `h = M/2^J − 2`.
  public var outputHeight: Int { plan.outputHeight }
  /// The output width `w = N/2^J − 2`.
  public var outputWidth: Int { plan.outputWidth }

  /// The output shape of one example for `inputChannels` input channels: `[h, w, C·K]`.
  public func outputShape(inputChannels: Int) -> [Int] {
    [outputHeight, outputWidth, inputChannels * channelsPerInputChannel]
  }

  /// The scattering coefficients of every image, computed by `threads` workers (each with its
  /// own buffers, BLAS single-threaded meanwhile), `imagesPerBatch` images per GEMM batch.
  ///
  /// Deterministic: for a given `imagesPerBatch` the result does not depend on `threads` (each
  /// batch's arithmetic is the same); another batch size changes the GEMMs' blocking and so the
  /// rounding (differences of order 1e-7 of the coefficients).
  /// - Precondition: `images` is `[B, H, W]` or `[B, H, W, C]` with this transform's `H × W`.
  public func callAsFunction(_ images: Tensor, threads: Int = 1, imagesPerBatch: Int = 32) -> Tensor {
    precondition(threads >= 1 && imagesPerBatch >= 1, "threads \(threads), imagesPerBatch \(imagesPerBatch)")
    precondition(
      (images.rank == 3 || images.rank == 4) && images.shape[1] == inputHeight && images.shape[2] == inputWidth,
      "scattering of \(inputHeight)×\(inputWidth) images given shape \(images.shape)")
    let count = images.shape[0]
    let inputChannels = images.rank == 4 ? images.shape[3] : 1
    let planes = count * inputChannels
    let outputShape = [count] + outputShape(inputChannels: inputChannels)
    guard planes > 0 else { return Tensor(shape: outputShape) }
    let batchCount = (planes + imagesPerBatch - 1) / imagesPerBatch
    let workers = max(1, min(threads, batchCount))
    let previousThreads = BLAS.threadCount
    BLAS.setThreadCount(1)
    defer { BLAS.setThreadCount(previousThreads) }
    let plan = plan
    return Tensor(shape: outputShape) { buffer in
      let output = ScatteringOutput(pointer: buffer.baseAddress!, inputChannels: inputChannels, plan: plan)
      images.scalars.withUnsafeBufferPointer { inputBuffer in
        let input = ScatteringInput(pointer: inputBuffer.baseAddress!, inputChannels: inputChannels, plan: plan)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
          let workspace = ScatteringWorkspace(plan: plan, capacity: imagesPerBatch)
          for batch in stride(from: worker, to: batchCount, by: workers) {
            let planesInBatch = (batch * imagesPerBatch)..<min(planes, (batch + 1) * imagesPerBatch)
            workspace.transform(planes: planesInBatch, input: input, output: output)
          }
        }
      }
    }
  }
}
