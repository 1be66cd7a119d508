import TacitTensor

/// Per-example gradient book-keeping for a linear map applied at every position.
///
/// Dimension letters (used throughout this file): `B` examples, `T` positions per example (1 for
/// a dense layer on vectors; output pixels for a convolution after im2col), `I` inputs, `O`
/// outputs. Storage is row-major:
/// - activations `A`: `[B, T, I]` (the layer input, unfolded for convolutions),
/// - output gradients `G`: `[B, T, O]` (gradients of the per-example losses),
/// - weight gradient: `[O, I]`, bias gradient `[O]`.
///
/// Example `b`'s weight gradient is `∇W_b = G_bᵀ A_b` (`[O, I]`) and its bias gradient
/// `∇β_b = Σ_t G_b,t`.
///
/// Squared norms (DESIGN.md §3, Li et al. 2022 "ghost clipping", Bu et al. 2023 "book-keeping"):
/// - `T = 1`: ‖∇W_b‖² = ‖g_b‖²·‖a_b‖² (Goodfellow 2015), cost `B(I + O)`.
/// - `T > 1`, ghost norm: ‖G_bᵀA_b‖² = ⟨A_b A_bᵀ, G_b G_bᵀ⟩_F, cost `B·T²(I + O)`.
/// - `T > 1`, materialised: form `G_bᵀA_b` and sum its squares, cost `B·T·I·O`.
/// The cheaper of the two is chosen per call.
///
/// The weighted sum `Σ_b c_b ∇W_b = Gᵀ diag(c) A` is one GEMM over `B·T` rows.
public enum LinearGradients {
  /// The forward map `Y = A Wᵀ + β` over `rows = B·T` rows: `output` (`[rows, O]`) is set to
  /// the bias on every row, then one GEMM adds `A Wᵀ` (`A` is `[rows, I]`, `W` is `[O, I]`).
  public static func forward(
    activations: Tensor, rows: Int, inputs: Int, outputs: Int, weight: Parameter, bias: Parameter?,
    into output: inout Tensor
  ) {
    guard rows > 0 else { return }
    output.scalars.withUnsafeMutableBufferPointer { y in
      if let bias {
        bias.value.scalars.withUnsafeBufferPointer { beta in
          Parallel.forEachChunk(rows, minimumChunk: 512) { chunk in
            for r in chunk {
              for o in 0..<outputs { y[r * outputs + o] = beta[o] }
            }
          }
        }
      }
      activations.scalars.withUnsafeBufferPointer { a in
        weight.value.scalars.withUnsafeBufferPointer { w in
          BLAS.gemm(
            transposeB: true, m: rows, n: outputs, k: inputs,
            a: a.baseAddress!, lda: inputs, b: w.baseAddress!, ldb: inputs,
            beta: bias == nil ? 0 : 1, c: y.baseAddress!, ldc: outputs)
        }
      }
    }
  }

  /// Which per-example norm algorithm a shape uses.
  public enum NormStrategy: Sendable, Equatable {
    case outerProduct
    case ghost
    case materialize
  }

  /// The algorithm chosen for `T` positions, `I` inputs and `O` outputs.
  public static func strategy(positions: Int, inputs: Int, outputs: Int) -> NormStrategy {
    if positions == 1 { return .outerProduct }
    let ghostCost = positions * positions * (inputs + outputs)
    let materializeCost = positions * inputs * outputs
    return ghostCost < materializeCost ? .ghost : .materialize
  }

  /// Adds ‖∇W_b‖² (+ ‖∇β_b‖² when `hasBias`) to `norms[b]` for `b` in `0..<B`.
  ///
  /// - Parameter strategy: force an algorithm (tests compare them); `nil` picks by cost.
  public static func addSquaredNorms(
    activations: Tensor, outputGradients: Tensor,
    batch: Int, positions: Int, inputs: Int, outputs: Int, hasBias: Bool,
    into norms: inout [Double], strategy forced: NormStrategy? = nil
  ) {
    precondition(
      activations.count == batch * positions * inputs, "activations \(activations.shape) ≠ [\(batch), \(positions), \(inputs)]")
    precondition(
      outputGradients.count == batch * positions * outputs,
      "gradients \(outputGradients.shape) ≠ [\(batch), \(positions), \(outputs)]")
    precondition(norms.count == batch, "norms has \(norms.count) entries for a batch of \(batch)")
    if batch == 0 { return }
    let strategy = forced ?? self.strategy(positions: positions, inputs: inputs, outputs: outputs)
    let T = positions, I = inputs, O = outputs
    // Examples on the compute threads, in contiguous chunks with one scratch buffer each; every
    // example's norm lands in its own slot, added to `norms` afterwards in example order.
    var perExample = [Double](repeating: 0, count: batch)
    activations.scalars.withUnsafeBufferPointer { aBuffer in
      outputGradients.scalars.withUnsafeBufferPointer { gBuffer in
        perExample.withUnsafeMutableBufferPointer { squaredNorms in
          let a = aBuffer.baseAddress!, g = gBuffer.baseAddress!
          Parallel.forEachChunk(batch) { examples in
            switch strategy {
            case .outerProduct:
              precondition(T == 1, "outer-product norms need one position, got \(T)")
              for b in examples {
                let gNorm = Kernels.squaredNorm(g + b * O, count: O)
                let aNorm = Kernels.squaredNorm(a + b * I, count: I)
                squaredNorms[b] = gNorm * (aNorm + (hasBias ? 1 : 0))
              }
            case .ghost:
              ghostNorms(
                a: a, g: g, examples: examples, positions: T, inputs: I, outputs: O, hasBias: hasBias, into: squaredNorms)
            case .materialize:
              materializedNorms(
                a: a, g: g, examples: examples, positions: T, inputs: I, outputs: O, hasBias: hasBias, into: squaredNorms)
            }
          }
        }
      }
    }
    for b in 0..<batch { norms[b] += perExample[b] }
  }

  /// ‖G_bᵀA_b‖² (+ bias) = ⟨A_b A_bᵀ, G_b G_bᵀ⟩_F for the examples in `examples`.
  static func ghostNorms(
    a: UnsafePointer<Float>, g: UnsafePointer<Float>, examples: Range<Int>, positions T: Int, inputs I: Int, outputs O: Int,
    hasBias: Bool, into squaredNorms: UnsafeMutableBufferPointer<Double>
  ) {
    let aGram = UnsafeMutablePointer<Float>.allocate(capacity: T * T)
    let gGram = UnsafeMutablePointer<Float>.allocate(capacity: T * T)
    defer {
      aGram.deallocate()
      gGram.deallocate()
    }
    for b in examples {
      let ab = a + b * T * I
      let gb = g + b * T * O
      BLAS.gemm(transposeB: true, m: T, n: T, k: I, a: ab, lda: I, b: ab, ldb: I, c: aGram, ldc: T)
      BLAS.gemm(transposeB: true, m: T, n: T, k: O, a: gb, lda: O, b: gb, ldb: O, c: gGram, ldc: T)
      var total = Kernels.dot(aGram, gGram, count: T * T)
      if hasBias { total += biasSquaredNorm(gb, positions: T, outputs: O) }
      squaredNorms[b] = total
    }
  }

  /// ‖G_bᵀA_b‖² (+ bias) by forming each example's `[O, I]` gradient.
  static func materializedNorms(
    a: UnsafePointer<Float>, g: UnsafePointer<Float>, examples: Range<Int>, positions T: Int, inputs I: Int, outputs O: Int,
    hasBias: Bool, into squaredNorms: UnsafeMutableBufferPointer<Double>
  ) {
    let gradient = UnsafeMutableBufferPointer<Float>.allocate(capacity: O * I)
    defer { gradient.deallocate() }
    for b in examples {
      let ab = a + b * T * I
      let gb = g + b * T * O
      BLAS.gemm(transposeA: true, m: O, n: I, k: T, a: gb, lda: O, b: ab, ldb: I, c: gradient.baseAddress!, ldc: I)
      var total = Kernels.squaredNorm(UnsafeBufferPointer(gradient))
      if hasBias { total += biasSquaredNorm(gb, positions: T, outputs: O) }
      squaredNorms[b] = total
    }
  }

  /// ‖Σ_t g_t‖² for one example's `[T, O]` output gradients.
  static func biasSquaredNorm(_ g: UnsafePointer<Float>, positions: Int, outputs: Int) -> Double {
    var sums = [Double](repeating: 0, count: outputs)
    for t in 0..<positions {
      let row = g + t * outputs
      for o in 0..<outputs { sums[o] += Double(row[o]) }
    }
    var total: Double = 0
    for value in sums { total += value * value }
    return total
  }

  /// Adds `Σ_b c_b G_bᵀ A_b` to `weight.gradient` (`[O, I]`) and `Σ_b c_b Σ_t G_b,t` to
  /// `bias.gradient` (`[O]`) when given.
  ///
  /// Uniform weights scale the GEMM's α; per-example weights scale a copy of `G` row-block by
  /// row-block (cost `B·T·O`, small next to the GEMM's `B·T·I·O`).
  public static func accumulate(
    activations: Tensor, outputGradients: Tensor,
    batch: Int, positions: Int, inputs: Int, outputs: Int,
    weights: ExampleWeights,
    weight: Parameter, bias: Parameter?
  ) {
    if batch == 0 { return }
    let rows = batch * positions
    let O = outputs, I = inputs, T = positions
    var scaled: Tensor
    let alpha: Float
    switch weights {
    case .uniform(let value):
      scaled = outputGradients
      alpha = value
    case .perExample(let values):
      precondition(values.count == batch, "\(values.count) weights for a batch of \(batch)")
      alpha = 1
      // Written straight from G into fresh storage (formerly a copy of G, then scaled in place).
      scaled = outputGradients.scalars.withUnsafeBufferPointer { g in
        Tensor(shape: outputGradients.shape) { s in
          Parallel.forEachChunk(batch) { examples in
            for b in examples {
              let c = values[b]
              let start = b * T * O
              for i in start..<(start + T * O) { s[i] = g[i] * c }
            }
          }
        }
      }
    }
    activations.scalars.withUnsafeBufferPointer { a in
      scaled.scalars.withUnsafeBufferPointer { g in
        weight.gradient.scalars.withUnsafeMutableBufferPointer { w in
          BLAS.gemm(
            transposeA: true, m: O, n: I, k: rows, alpha: alpha,
            a: g.baseAddress!, lda: O, b: a.baseAddress!, ldb: I, beta: 1, c: w.baseAddress!, ldc: I)
        }
      }
    }
    if let bias {
      scaled.scalars.withUnsafeBufferPointer { g in
        bias.gradient.scalars.withUnsafeMutableBufferPointer { biasGradient in
          // Output columns on the compute threads; each column is summed over the rows in
          // order, whatever the thread count.
          Parallel.forEachChunk(O, minimumChunk: rows * O >= 1 << 16 ? 16 : O + 1) { columns in
            for r in 0..<rows {
              let row = g.baseAddress! + r * O
              for o in columns { biasGradient[o] += alpha * row[o] }
            }
          }
        }
      }
    }
  }
}
