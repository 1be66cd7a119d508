import TacitTensor

/// The buffers and steps of `ScatteringTransform2D` for one worker: a batch of up to `capacity`
/// image planes goes through every scattering path together, each step one GEMM over the batch
/// or one pass over it (see `ScatteringPlan` for the layouts).
///
/// Dimension letters: `b` images in the batch, `M_r × N_r` the grid at resolution `r`, `J`
/// scales, `h × w` the output positions. Buffers hold `capacity·M·N` complex (spectra, scratch) or
/// real (moduli) values at the finest resolution and are reused at coarser ones.
final class ScatteringWorkspace {
  private let plan: ScatteringPlan
  private let capacity: Int
  /// The spectrum of the padded input, of `U₁` and of `U₂` (transposed, `[b, N_r, 2M_r]`).
  private let spectrum0: UnsafeMutablePointer<Float>
  private let spectrum1: UnsafeMutablePointer<Float>
  private let spectrum2: UnsafeMutablePointer<Float>
  private let scratchA: UnsafeMutablePointer<Float>
  private let scratchB: UnsafeMutablePointer<Float>
  /// Real images: the input planes `[b, H, W]`, then each modulus `[b, M_r, N_r]`.
  private let real: UnsafeMutablePointer<Float>
  /// One channel's coefficients `[b, h, w]`.
  private let coefficients: UnsafeMutablePointer<Float>
  private let complexCount: Int

  init(plan: ScatteringPlan, capacity: Int) {
    self.plan = plan
    self.capacity = capacity
    let finest = plan.resolutions[0]
    let realCount = capacity * max(finest.height * finest.width, plan.inputHeight * plan.inputWidth)
    complexCount = 2 * realCount
    spectrum0 = .allocate(capacity: complexCount)
    spectrum1 = .allocate(capacity: complexCount)
    spectrum2 = .allocate(capacity: complexCount)
    scratchA = .allocate(capacity: complexCount)
    scratchB = .allocate(capacity: complexCount)
    real = .allocate(capacity: realCount)
    coefficients = .allocate(capacity: capacity * plan.outputHeight * plan.outputWidth)
  }

  deinit {
    for buffer in [spectrum0, spectrum1, spectrum2, scratchA, scratchB, real, coefficients] { buffer.deallocate() }
  }

  /// Every scattering coefficient of the input planes `planes` (at most `capacity` of them).
  func transform(planes: Range<Int>, input: ScatteringInput, output: ScatteringOutput) {
    let count = planes.count
    precondition(count <= capacity, "batch of \(count) planes exceeds the workspace's \(capacity)")
    for (slot, plane) in planes.enumerated() {
      input.copyPlane(plane, to: real + slot * plan.inputHeight * plan.inputWidth)
    }
    forwardPadded(count: count)
    lowPass(spectrum0, resolution: 0, count: count, channel: 0, planes: planes, output: output)
    for (first, filters) in plan.waveletFilters.enumerated() {
      let firstScale = plan.waveletScales[first]
      foldProduct(spectrum0, resolution: 0, filter: filters[0], factor: 1 << firstScale, count: count)
      inverseModulus(from: 0, to: firstScale, count: count)
      forward(resolution: firstScale, count: count, into: spectrum1)
      lowPass(spectrum1, resolution: firstScale, count: count, channel: 1 + first, planes: planes, output: output)
      for path in plan.secondOrderPaths[first] {
        let secondScale = plan.waveletScales[path.wavelet]
        foldProduct(
          spectrum1, resolution: firstScale, filter: plan.waveletFilters[path.wavelet][firstScale],
          factor: 1 << (secondScale - firstScale), count: count)
        inverseModulus(from: firstScale, to: secondScale, count: count)
        forward(resolution: secondScale, count: count, into: spectrum2)
        lowPass(spectrum2, resolution: secondScale, count: count, channel: path.channel, planes: planes, output: output)
      }
    }
  }

  /// `spectrum0 ← (DFT of the reflection-padded input)ᵀ`, from the planes in `real`.
  private func forwardPadded(count: Int) {
    let (height, width) = (plan.inputHeight, plan.inputWidth)
    let (paddedHeight, paddedWidth) = (plan.resolutions[0].height, plan.resolutions[0].width)
    multiply(real, rows: count * height, by: plan.inputWidthForward, inner: width, outer: 2 * paddedWidth, into: scratchA)
    transpose(scratchA, count: count, rows: height, columns: paddedWidth, into: scratchB)
    multiply(
      scratchB, rows: count * paddedWidth, by: plan.inputHeightForward, inner: 2 * height, outer: 2 * paddedHeight,
      into: spectrum0)
  }

  /// `destination ← (DFT of the real images in `real`)ᵀ` at resolution `r`.
  private func forward(resolution: Int, count: Int, into destination: UnsafeMutablePointer<Float>) {
    let grid = plan.resolutions[resolution]
    multiply(real, rows: count * grid.height, by: grid.widthForward, inner: grid.width, outer: 2 * grid.width, into: scratchA)
    transpose(scratchA, count: count, rows: grid.height, columns: grid.width, into: scratchB)
    multiply(
      scratchB, rows: count * grid.width, by: grid.heightForward, inner: 2 * grid.height, outer: 2 * grid.height,
      into: destination)
  }

  /// `real ← |inverse DFT|` at resolution `r'` of the spectrum in scratchA: transposed, its
  /// width frequencies already folded to `N_r'` (`foldProduct`), its height frequencies still at
  /// resolution `r` (folded by the first GEMM's operand).
  private func inverseModulus(from resolution: Int, to target: Int, count: Int) {
    let (source, grid) = (plan.resolutions[resolution], plan.resolutions[target])
    multiply(
      scratchA, rows: count * grid.width, by: source.foldedHeightInverses[target - resolution], inner: 2 * source.height,
      outer: 2 * grid.height, into: scratchB)
    transpose(scratchB, count: count, rows: grid.width, columns: grid.height, into: scratchA)
    multiply(
      scratchA, rows: count * grid.height, by: grid.widthInverse, inner: 2 * grid.width, outer: 2 * grid.width,
      into: scratchB)
    let (width, values) = (grid.width, count * grid.height)
    for row in 0..<values {
      let source = scratchB + row * 2 * width
      let destination = real + row * width
      for column in 0..<width {
        let (x, y) = (source[column], source[width + column])
        destination[column] = (x * x + y * y).squareRoot()
      }
    }
  }

  /// The low-pass output of a transposed spectrum at resolution `r`: multiplied by `φ̂`,
  /// subsampled to resolution J, inverted, cropped, written as `channel` of each plane.
  private func lowPass(
    _ spectrum: UnsafeMutablePointer<Float>, resolution: Int, count: Int, channel: Int, planes: Range<Int>,
    output: ScatteringOutput
  ) {
    foldProduct(
      spectrum, resolution: resolution, filter: plan.lowPassFilters[resolution], factor: 1 << (plan.scales - resolution),
      count: count)
    let source = plan.resolutions[resolution]
    let (coarseWidth, height, width) = (plan.coarsestWidth, plan.outputHeight, plan.outputWidth)
    multiply(
      scratchA, rows: count * coarseWidth, by: source.foldedOutputInverse, inner: 2 * source.height, outer: 2 * height,
      into: scratchB)
    transpose(scratchB, count: count, rows: coarseWidth, columns: height, into: scratchA)
    multiply(
      scratchA, rows: count * height, by: plan.outputWidthInverse, inner: 2 * coarseWidth, outer: width, into: coefficients)
    for (slot, plane) in planes.enumerated() {
      output.write(coefficients + slot * height * width, plane: plane, channel: channel)
    }
  }

  /// `scratchA ← Σ_aliases spectrum ⊙ filter` over the width frequencies: the transposed spectrum
  /// at resolution `r` (`[N_r, 2M_r]` per image) times a filter laid out alike (and already divided
  /// by `k²`), its rows `l` and `l + N_r/k, l + 2N_r/k, …` summed: `[N_r/k, 2M_r]`. The height
  /// frequencies are folded by the next GEMM. Together, the mean of the `k × k` aliases (Kymatio's
  /// `subsample_fourier`: subsampling by `k` in space).
  private func foldProduct(
    _ spectrum: UnsafeMutablePointer<Float>, resolution: Int, filter: [Float], factor: Int, count: Int
  ) {
    let grid = plan.resolutions[resolution]
    let size = grid.width * 2 * grid.height
    let block = size / factor
    filter.withUnsafeBufferPointer { filter in
      let weights = filter.baseAddress!
      for image in 0..<count {
        let source = spectrum + image * size
        let destination = scratchA + image * block
        for index in 0..<block { destination[index] = source[index] * weights[index] }
        for alias in 1..<max(factor, 1) {
          let aliasSource = source + alias * block
          let aliasWeights = weights + alias * block
          for index in 0..<block { destination[index] += aliasSource[index] * aliasWeights[index] }
        }
      }
    }
  }

  /// `destination ← source·operand`, `source` `[rows, inner]`, `operand` `[inner, outer]` (one GEMM).
  private func multiply(
    _ source: UnsafeMutablePointer<Float>, rows: Int, by operand: [Float], inner: Int, outer: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    operand.withUnsafeBufferPointer { operand in
      BLAS.gemm(
        m: rows, n: outer, k: inner, a: source, lda: inner, b: operand.baseAddress!, ldb: outer, c: destination,
        ldc: outer)
    }
  }

  /// Per image, the complex `rows × columns` matrix (`[rows, 2·columns]`) transposed into
  /// `[columns, 2·rows]`.
  private func transpose(
    _ source: UnsafeMutablePointer<Float>, count: Int, rows: Int, columns: Int, into destination: UnsafeMutablePointer<Float>
  ) {
    let size = 2 * rows * columns
    for image in 0..<count {
      let from = source + image * size
      let to = destination + image * size
      for row in 0..<rows {
        for column in 0..<columns {
          to[column * 2 * rows + row] = from[row * 2 * columns + column]
          to[column * 2 * rows + rows + row] = from[row * 2 * columns + columns + column]
        }
      }
    }
  }
}

/// The input images of a scattering transform, read by plane (`image·C + channel`).
struct ScatteringInput: @unchecked Sendable {
  let pointer: UnsafePointer<Float>
  let inputChannels: Int
  let plan: ScatteringPlan

  /// Copies plane `plane` (`[H, W]`) to `destination`.
  func copyPlane(_ plane: Int, to destination: UnsafeMutablePointer<Float>) {
    let (image, channel) = plane.quotientAndRemainder(dividingBy: inputChannels)
    let pixels = plan.inputHeight * plan.inputWidth
    let source = pointer + image * pixels * inputChannels + channel
    for pixel in 0..<pixels { destination[pixel] = source[pixel * inputChannels] }
  }
}

/// The output `[B, h, w, C·K]` of a scattering transform; workers write disjoint elements
/// (hence `@unchecked Sendable`).
struct ScatteringOutput: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let inputChannels: Int
  let plan: ScatteringPlan

  /// Writes one channel `[h, w]` of plane `plane`.
  func write(_ values: UnsafePointer<Float>, plane: Int, channel: Int) {
    let (image, inputChannel) = plane.quotientAndRemainder(dividingBy: inputChannels)
    let positions = plan.outputHeight * plan.outputWidth
    let stride = inputChannels * plan.pathCount
    let destination = pointer + image * positions * stride + inputChannel * plan.pathCount + channel
    for position in 0..<positions { destination[position * stride] = values[position] }
  }
}
