import TacitTensor

/// The weighted sum from per-example weight gradients kept by the materialised norm pass.
///
/// DP-SGD needs every example's norm before any clip factor is known, so the norm pass and the
/// weighted sum are separate. With materialised norms the norm pass already forms every
/// `∇W_b = G_bᵀA_b` (`B·T·I·O` multiply-adds); keeping them (`B·O·I` floats) turns the weighted
/// sum `Σ_b c_b ∇W_b` from a second GEMM of the same `B·T·I·O` multiply-adds into one
/// matrix–vector product over the kept gradients (`B·O·I`, memory-bound). For the language-model
/// bench (T = 128) that is the whole `accumulate` GEMM of every block projection saved.
extension LinearGradients {
  /// The per-layer memory limit for kept per-example weight gradients: 64 MiB (`B·O·I` floats).
  /// Larger layers fall back to the GEMM of `accumulate`.
  public static let keptGradientLimit = 16 << 20

  /// Whether `addSquaredNorms` should keep the per-example gradients of `batch` examples for
  /// `accumulateKept`: the materialised strategy and `B·O·I ≤ keptGradientLimit`.
  public static func keepsGradients(batch: Int, positions: Int, inputs: Int, outputs: Int) -> Bool {
    positions > 1 && strategy(positions: positions, inputs: inputs, outputs: outputs) == .materialize
      && batch * inputs * outputs <= keptGradientLimit
  }

  /// Adds `Σ_g w_g K_g` to `weight.gradient` (`[O, I]`), `K_g` the kept gradient of group `g`
  /// (`kept`, `[G, O, I]`), in one `gemv`; and `Σ_g w_g Σ_{t} G_g,t` to `bias.gradient` from the
  /// output gradients (`[G·P, O]`, `P` rows per group), when given.
  public static func accumulateKept(
    _ kept: UnsafePointer<Float>, groupWeights: [Float], rowsPerGroup: Int, outputGradients: Tensor,
    inputs: Int, outputs: Int, weight: Parameter, bias: Parameter?
  ) {
    let groups = groupWeights.count, O = outputs, I = inputs
    precondition(outputGradients.count == groups * rowsPerGroup * O, "gradients \(outputGradients.shape) for \(groups) groups")
    if groups == 0 { return }
    groupWeights.withUnsafeBufferPointer { w in
      weight.gradient.scalars.withUnsafeMutableBufferPointer { gradient in
        BLAS.gemv(
          transpose: true, m: groups, n: O * I, a: kept, lda: O * I, x: w.baseAddress!, beta: 1, y: gradient.baseAddress!)
      }
    }
    guard let bias else { return }
    outputGradients.scalars.withUnsafeBufferPointer { g in
      bias.gradient.scalars.withUnsafeMutableBufferPointer { biasGradient in
        for group in 0..<groups {
          let c = groupWeights[group]
          for r in (group * rowsPerGroup)..<((group + 1) * rowsPerGroup) {
            let row = g.baseAddress! + r * O
            for o in 0..<O { biasGradient[o] += c * row[o] }
          }
        }
      }
    }
  }

  /// One weight per group of `groupSize` consecutive rows, or `nil` when `weights` differ within
  /// a group (then the kept group gradients cannot form the sum).
  public static func groupWeights(_ weights: ExampleWeights, rows: Int, groupSize: Int) -> [Float]? {
    switch weights {
    case .uniform(let value):
      return [Float](repeating: value, count: rows / groupSize)
    case .perExample(let values):
      precondition(values.count == rows, "\(values.count) weights for a batch of \(rows)")
      var result: [Float] = []
      result.reserveCapacity(rows / groupSize)
      for group in 0..<(rows / groupSize) {
        let first = values[group * groupSize]
        for r in (group * groupSize)..<((group + 1) * groupSize) where values[r] != first { return nil }
        result.append(first)
      }
      return result
    }
  }
}
