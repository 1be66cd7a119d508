import TacitTensor

/// The output head tied to the token embedding (Press & Wolf 2017, "Using the Output Embedding to
/// Improve Language Models"; GPT-2): logits `z_t = W h_t` with the same `W` (`[V, D]`) as the
/// lookup.
///
/// Dimension letters as in `TokenEmbedding.swift`. Shapes: head input `h` `[B, T, D]`, logits
/// `[B, T, V]`.
///
/// The matrix has two uses, so a record's gradient is the sum `E_b + H_b` of the lookup's
/// `E_b = Σ_s e_{x_s} δ_sᵀ` and the head's `H_b = Σ_t g_t h_tᵀ` (`g_t` the logit gradient), and
/// its squared norm is the norm of the sum, not the sum of the norms:
///
///     ‖E_b + H_b‖² = ‖E_b‖² + ‖H_b‖² + 2⟨E_b, H_b⟩,
///     ⟨E_b, H_b⟩  = Σ_s Σ_t g_t[x_s]·⟨δ_s, h_t⟩ = Σ_u Σ_t g_t[u]·⟨S_u, h_t⟩,
///
/// with `S_u` the lookup's per-token sums. `‖H_b‖²` is `LinearGradients`' ghost or materialised
/// norm (chosen by cost); the cross term is one `[U, D]·[D, T]` product per record (`U ≤ T`
/// distinct tokens), cost `U·T·D`. The embedding leaf owns both uses: `addGroupSquaredNorms` and
/// `accumulateGradients` cover the sum.
extension TokenEmbedding {
  /// The tied head's logits `h Wᵀ` for `h` `[B, T, D]` (or `[R, D]`); in training mode keeps `h`.
  ///
  /// Call after the lookup's `forward` of the same batch (which clears the head's caches).
  public func forwardHead(_ hidden: Tensor, mode: ForwardMode) -> Tensor {
    precondition(hidden.rank >= 2 && hidden.shape.last == width, "tied head expects [B, T, \(width)], got \(hidden.shape)")
    let rows = hidden.count / width
    var output = Tensor(shape: Array(hidden.shape.dropLast()) + [vocabularySize])
    LinearGradients.forward(
      activations: hidden, rows: rows, inputs: width, outputs: vocabularySize, weight: weight, bias: nil, into: &output)
    if mode == .training {
      cachedHeadInput = hidden
      cachedHeadGradient = nil
    }
    return output
  }

  /// Keeps the logit gradient `g` (`[B, T, V]`) and returns `∂h = g W` (`[B, T, D]`).
  public func backwardHead(_ outputGradient: Tensor) -> Tensor {
    guard let hidden = cachedHeadInput else { preconditionFailure("tied head backward before a training forward pass") }
    let rows = hidden.count / width
    precondition(
      outputGradient.count == rows * vocabularySize,
      "tied head backward: gradient \(outputGradient.shape) vs input \(hidden.shape)")
    cachedHeadGradient = outputGradient
    var inputGradient = Tensor(shape: hidden.shape)
    if rows > 0 {
      outputGradient.scalars.withUnsafeBufferPointer { g in
        weight.value.scalars.withUnsafeBufferPointer { w in
          inputGradient.scalars.withUnsafeMutableBufferPointer { dh in
            BLAS.gemm(
              m: rows, n: width, k: vocabularySize, a: g.baseAddress!, lda: vocabularySize, b: w.baseAddress!, ldb: width,
              c: dh.baseAddress!, ldc: width)
          }
        }
      }
    }
    return inputGradient
  }

  /// Adds `Σ_b c_b H_b` (one GEMM) when the head was used in the last backward pass.
  func accumulateHeadGradients(weights: ExampleWeights) {
    guard let gradient = cachedHeadGradient, let hidden = cachedHeadInput else { return }
    let batch = hidden.batchSize
    LinearGradients.accumulate(
      activations: hidden, outputGradients: gradient, batch: batch,
      positions: batch == 0 ? 0 : hidden.count / (batch * width), inputs: width, outputs: vocabularySize,
      weights: weights, weight: weight, bias: nil)
  }
}

extension TokenEmbeddingScratch {
  /// `⟨E, H⟩ = Σ_u Σ_p g_p[u]·⟨S_u, h_p⟩` over the `positions` head rows from `start` (one record or
  /// group), after `gather` of the same rows.
  mutating func crossTerm(head: (input: Tensor, gradient: Tensor), start: Int, positions: Int) -> Double {
    let U = distinct.count, D = width
    guard U > 0 else { return 0 }
    let V = head.gradient.shape.last!
    let distinct = distinct
    return sums.withUnsafeBufferPointer { s in
      products.withUnsafeMutableBufferPointer { m in
        head.input.scalars.withUnsafeBufferPointer { h in
          head.gradient.scalars.withUnsafeBufferPointer { gBuffer in
            BLAS.gemm(
              transposeB: true, m: U, n: positions, k: D, a: s.baseAddress!, lda: D, b: h.baseAddress! + start * D, ldb: D,
              c: m.baseAddress!, ldc: positions)
            var total: Double = 0
            for (u, token) in distinct.enumerated() {
              let row = m.baseAddress! + u * positions
              let g = gBuffer.baseAddress! + start * V + Int(token)
              var partial: Float = 0
              for p in 0..<positions { partial += row[p] * g[p * V] }
              total += Double(partial)
            }
            return total
          }
        }
      }
    }
  }
}
