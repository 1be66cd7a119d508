import TacitTensor

/// A 2-D convolution over channels-last images with a square kernel, stride and zero padding
/// (cross-correlation, as PyTorch's `Conv2d`).
///
/// Dimension letters: `B` examples, `H`×`W` input pixels, `C` input channels, `O` output
/// channels, `k` kernel side, `T = outH·outW` output pixels, `K = k·k·C` (see
/// `ConvolutionGeometry`, with `outH = ⌊(H + 2p − k)/s⌋ + 1`).
///
/// Shapes: input `[B, H, W, C]`, output `[B, outH, outW, O]`; weight `[O, k, k, C]` row-major,
/// i.e. `[O, K]` with the column order `(ky, kx, c)` of the im2col unfolding (the checkpoint name
/// is `weight` with shape `[O, k, k, C]`; PyTorch's `[O, C, k, k]` is a permutation of it), bias
/// `[O]`.
///
/// Forward: unfold the input to `A = [B·T, K]` (im2col), then `Y = A Wᵀ + β` in one GEMM; the
/// result is already `[B, outH, outW, O]`. Backward: `∂A = G W` (one GEMM), folded back onto the
/// image (col2im), skipped when no input gradient is needed.
///
/// Per-example norms and weighted gradients: the convolution is a linear map applied at `T`
/// positions with activations `A = [B, T, K]` and output gradients `G = [B, T, O]`, so
/// `LinearGradients` applies unchanged (ghost norm `B·T²(K + O)` or materialised `B·T·K·O`,
/// whichever is cheaper, unless `normStrategy` forces one).
///
/// Initialisation: PyTorch's default, weight and bias uniform in `[−1/√K, 1/√K]` (fan-in
/// `K = k·k·C`).
///
/// Memory: training mode keeps the unfolded input, `B·T·K` floats.
public final class Conv2D: Layer {
  public let kind = "conv2d"
  /// Input channels `C`.
  public let inputChannels: Int
  /// Output channels `O`.
  public let outputChannels: Int
  /// The kernel side `k` (the kernel is `k × k`).
  public let kernelSize: Int
  /// The step between neighbouring windows, in pixels.
  public let stride: Int
  /// Zero padding added on every side, in pixels.
  public let padding: Int
  /// `[O, k, k, C]`, decayed.
  public let weight: Parameter
  /// `[O]`, not decayed.
  public let bias: Parameter?
  /// Forces a per-example norm algorithm (tests compare them); `nil` picks the cheaper by cost.
  public var normStrategy: LinearGradients.NormStrategy?

  private var cachedColumns: Tensor?
  private var cachedGeometry: ConvolutionGeometry?
  private var cachedOutputGradient: Tensor?

  /// A convolution from `inputChannels` to `outputChannels` with a `kernelSize × kernelSize`
  /// kernel, initialised from `generator`.
  public init(
    inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    hasBias: Bool = true, generator: inout SeededGenerator
  ) {
    precondition(
      inputChannels > 0 && outputChannels > 0, "Conv2D needs positive channel counts, got \(inputChannels) → \(outputChannels)")
    precondition(
      kernelSize > 0 && stride > 0 && padding >= 0,
      "Conv2D needs kernel > 0, stride > 0, padding ≥ 0; got kernel \(kernelSize), stride \(stride), padding \(padding)")
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    let fanIn = kernelSize * kernelSize * inputChannels
    let bound = 1 / Float(fanIn).squareRoot()
    let weights = (0..<(outputChannels * fanIn)).map { _ in (2 * Random.uniform(using: &generator) - 1) * bound }
    weight = Parameter(
      name: "weight", value: Tensor(shape: [outputChannels, kernelSize, kernelSize, inputChannels], scalars: weights),
      isDecayed: true)
    if hasBias {
      let biases = (0..<outputChannels).map { _ in (2 * Random.uniform(using: &generator) - 1) * bound }
      bias = Parameter(name: "bias", value: Tensor(shape: [outputChannels], scalars: biases), isDecayed: false)
    } else {
      bias = nil
    }
  }

  public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

  /// Unfolded features per output pixel, `K = k·k·C`.
  private var features: Int { kernelSize * kernelSize * inputChannels }

  private func geometry(height: Int, width: Int) -> ConvolutionGeometry {
    ConvolutionGeometry(
      height: height, width: width, channels: inputChannels, kernelSize: kernelSize, stride: stride, padding: padding)
  }

  public func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int] {
    guard inputShape.count == 3, inputShape[2] == inputChannels else {
      throw ShapeError("conv2d expects channels-last images [height, width, \(inputChannels)], got shape \(inputShape)")
    }
    let shape = geometry(height: inputShape[0], width: inputShape[1])
    guard shape.fits else {
      throw ShapeError(
        "conv2d kernel \(kernelSize)×\(kernelSize) does not fit the padded input "
          + "\(inputShape[0] + 2 * padding)×\(inputShape[1] + 2 * padding) "
          + "(input \(inputShape[0])×\(inputShape[1]) with padding \(padding))")
    }
    return [shape.outputHeight, shape.outputWidth, outputChannels]
  }

  public func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor {
    precondition(
      input.rank == 4 && input.shape[3] == inputChannels,
      "Conv2D(\(inputChannels)→\(outputChannels)) expects [B, H, W, \(inputChannels)], got \(input.shape)")
    let batch = input.shape[0]
    let shape = geometry(height: input.shape[1], width: input.shape[2])
    precondition(shape.fits, "Conv2D kernel \(kernelSize) with padding \(padding) does not fit input \(input.shape)")
    let T = shape.positions, K = features, O = outputChannels
    let rows = batch * T
    let columns: Tensor
    if shape.isIdentity {
      columns = input.reshaped([batch, T, K])
    } else {
      let scalars = [Float](unsafeUninitializedCapacity: rows * K) { buffer, initialized in
        input.scalars.withUnsafeBufferPointer { x in
          if rows > 0 { shape.unfold(x.baseAddress!, batch: batch, into: buffer.baseAddress!) }
        }
        initialized = rows * K
      }
      columns = Tensor(shape: [batch, T, K], scalars: scalars)
    }
    var output = Tensor(shape: [batch, shape.outputHeight, shape.outputWidth, O])
    LinearGradients.forward(activations: columns, rows: rows, inputs: K, outputs: O, weight: weight, bias: bias, into: &output)
    if mode == .training {
      cachedColumns = columns
      cachedGeometry = shape
    }
    return output
  }

  public func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
    guard let columns = cachedColumns, let shape = cachedGeometry else {
      preconditionFailure("Conv2D.backward before a training forward pass")
    }
    let batch = columns.shape[0]
    let T = shape.positions, K = features, O = outputChannels
    precondition(
      outputGradient.count == batch * T * O,
      "Conv2D.backward: gradient \(outputGradient.shape) does not match output [\(batch), \(shape.outputHeight), \(shape.outputWidth), \(O)]"
    )
    cachedOutputGradient = outputGradient
    guard needsInputGradient else { return nil }
    let rows = batch * T
    var inputGradient = Tensor(shape: [batch, shape.height, shape.width, inputChannels])
    guard rows > 0 else { return inputGradient }
    outputGradient.scalars.withUnsafeBufferPointer { g in
      weight.value.scalars.withUnsafeBufferPointer { w in
        inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
          if shape.isIdentity {
            BLAS.gemm(m: rows, n: K, k: O, a: g.baseAddress!, lda: O, b: w.baseAddress!, ldb: K, c: dx.baseAddress!, ldc: K)
            return
          }
          let columnGradient = UnsafeMutablePointer<Float>.allocate(capacity: rows * K)
          defer { columnGradient.deallocate() }
          BLAS.gemm(m: rows, n: K, k: O, a: g.baseAddress!, lda: O, b: w.baseAddress!, ldb: K, c: columnGradient, ldc: K)
          shape.fold(columnGradient, batch: batch, into: dx.baseAddress!)
        }
      }
    }
    return inputGradient
  }

  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    guard let columns = cachedColumns, let gradient = cachedOutputGradient, let shape = cachedGeometry else {
      preconditionFailure("Conv2D norms requested before backward")
    }
    precondition(
      groupSize >= 1 && columns.shape[0] % groupSize == 0, "a batch of \(columns.shape[0]) in groups of \(groupSize)")
    // A group's K examples are K·T consecutive column rows: one "example" with K·T positions.
    LinearGradients.addSquaredNorms(
      activations: columns, outputGradients: gradient, batch: columns.shape[0] / groupSize,
      positions: shape.positions * groupSize, inputs: features, outputs: outputChannels,
      hasBias: bias != nil, into: &norms, strategy: normStrategy)
  }

  public func accumulateGradients(weights: ExampleWeights) {
    guard let columns = cachedColumns, let gradient = cachedOutputGradient, let shape = cachedGeometry else {
      preconditionFailure("Conv2D gradients requested before backward")
    }
    LinearGradients.accumulate(
      activations: columns, outputGradients: gradient, batch: columns.shape[0],
      positions: shape.positions, inputs: features, outputs: outputChannels,
      weights: weights, weight: weight, bias: bias)
  }

  public func releaseCaches() {
    cachedColumns = nil
    cachedGeometry = nil
    cachedOutputGradient = nil
  }
}
