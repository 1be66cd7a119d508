/// Materialised per-example gradients of a per-feature affine map `y = γ ⊙ x̂ + β` (the scale and
/// offset of `LayerNorm` and `GroupNorm`): `F` numbers each for γ and β per example, cheap enough
/// to keep (DESIGN.md §3: small parameter sets are materialised).
///
/// Shapes: `scale` and `offset` are `[B, F]` row-major, row b holding ∂ℓ_b/∂γ and ∂ℓ_b/∂β.
struct PerExampleAffineGradients {
  let scale: [Float]
  let offset: [Float]
  let features: Int
  let batch: Int

  /// Adds ‖Σ_{b ∈ g} ∇γ ℓ_b‖² + ‖Σ_{b ∈ g} ∇β ℓ_b‖² to `norms[g]`, for groups of `groupSize`
  /// consecutive examples (summed in Float64 before squaring: the norm of the group's sum).
  func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {
    precondition(
      groupSize >= 1 && norms.count * groupSize == batch,
      "norms has \(norms.count) entries for a batch of \(batch) in groups of \(groupSize)")
    for group in 0..<norms.count {
      var total: Double = 0
      for feature in 0..<features {
        var scaleGradient = 0.0
        var offsetGradient = 0.0
        for b in (group * groupSize)..<(group * groupSize + groupSize) {
          scaleGradient += Double(scale[b * features + feature])
          offsetGradient += Double(offset[b * features + feature])
        }
        total += scaleGradient * scaleGradient + offsetGradient * offsetGradient
      }
      norms[group] += total
    }
  }

  /// Adds `Σ_b weights[b] ∇γ ℓ_b` to `scaleParameter.gradient` and the same for β.
  func accumulate(weights: ExampleWeights, scaleParameter: Parameter, offsetParameter: Parameter) {
    scaleParameter.gradient.scalars.withUnsafeMutableBufferPointer { dGamma in
      offsetParameter.gradient.scalars.withUnsafeMutableBufferPointer { dBeta in
        for b in 0..<batch {
          let coefficient = weights[b]
          for feature in 0..<features {
            dGamma[feature] += coefficient * scale[b * features + feature]
            dBeta[feature] += coefficient * offset[b * features + feature]
          }
        }
      }
    }
  }
}
