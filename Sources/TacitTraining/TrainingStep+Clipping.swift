import TacitNN
import TacitTensor

extension TrainingStep {
  /// Adds `Σ_r c_r ḡ_r / E` to the parameter gradients with DP-SGD's clip factors, where record
  /// r's gradient ḡ_r is the mean over its K copies (consecutive rows; K = 1 without augmentation
  /// multiplicity) and c_r = min(1, C/‖ḡ_r‖) (flat), or per trainable leaf l,
  /// c_rl = min(1, C_l/‖ḡ_rl‖) with C_l = C/√L. Each copy's row weight is c_r / (K·E). Returns the
  /// fraction of records clipped (in at least one leaf, for per-layer clipping) and the number
  /// unclipped, `Σ_r 1[‖ḡ_r‖ ≤ C]` (the count adaptive clipping releases).
  ///
  /// Test-only faults read here (`DPSGDFault`): `.clippingSkipped`, `.clippingLoosened`,
  /// `.perLayerBoundUndivided` change the bound; `.batchGradientClipped` clips the whole batch's
  /// gradient as one group (every record then counts as clipped when it is).
  func accumulateClipped(settings: DPSGDSettings, batch: Int) -> (clippedFraction: Double, unclipped: Int) {
    let multiplicity = settings.augmentationMultiplicity
    precondition(batch % multiplicity == 0, "a batch of \(batch) rows is not whole records of \(multiplicity) copies")
    let records = batch / multiplicity
    let groupSize = settings.faults.contains(.batchGradientClipped) ? batch : multiplicity
    let weights = ClipWeights(
      multiplicity: multiplicity, groupSize: groupSize, copyScale: 1 / Float(settings.expectedBatchSize) / Float(multiplicity))
    var clipped = [Bool](repeating: false, count: batch / groupSize)
    switch settings.clipping {
    case .flat:
      let norms = model.groupSquaredNorms(batchSize: batch, groupSize: groupSize)
      model.accumulateGradients(weights: weights.factors(norms, bound: clipBound(settings), clipped: &clipped))
    case .perLayer:
      let leaves = model.trainableLeaves
      let bound = clipBound(settings, leafCount: leaves.count)
      for leaf in leaves {
        var norms = [Double](repeating: 0, count: batch / groupSize)
        leaf.addGroupSquaredNorms(into: &norms, groupSize: groupSize)
        leaf.accumulateGradients(weights: weights.factors(norms, bound: bound, clipped: &clipped))
      }
    }
    let clippedCount = clipped.filter { $0 }.count * (groupSize / multiplicity)
    return (Double(clippedCount) / Double(max(records, 1)), records - clippedCount)
  }

  /// The bound a group's gradient is clipped to: C (flat), or `perLayerBound` C/√L for
  /// `leafCount` leaves (per layer), as the faults change it.
  private func clipBound(_ settings: DPSGDSettings, leafCount: Int? = nil) -> Double {
    let faults = settings.faults
    if faults.contains(.clippingSkipped) { return .infinity }
    var bound = Double(settings.maxGradNorm)
    if let leafCount, !faults.contains(.perLayerBoundUndivided) { bound = settings.perLayerBound(leafCount: leafCount) }
    return faults.contains(.clippingLoosened) ? 10 * bound : bound
  }
}

/// The row weights of a clipped sum: groups of `groupSize` consecutive rows (a record's K copies,
/// or the whole batch under `.batchGradientClipped`), each clipped as one.
private struct ClipWeights {
  let multiplicity: Int
  let groupSize: Int
  /// `1/(K·E)`: an unclipped copy's weight.
  let copyScale: Float

  /// Each row's weight `c_g/(K·E)`, `c_g = min(1, bound/‖ḡ_g‖)` for its group g, with ‖ḡ_g‖ the
  /// group's summed-gradient norm over K (`squaredNorms[g]` = ‖Σ_{b ∈ g} g_b‖²). Marks the groups
  /// clipped.
  func factors(_ squaredNorms: [Double], bound: Double, clipped: inout [Bool]) -> ExampleWeights {
    var any = false
    let groupWeights = squaredNorms.enumerated().map { index, squaredNorm -> Float in
      // ‖ḡ_r‖ = ‖Σ_k g_{r,k}‖ / K.
      let norm = squaredNorm.squareRoot() / Double(multiplicity)
      guard norm > bound else { return copyScale }
      any = true
      clipped[index] = true
      return Float(bound / norm) * copyScale
    }
    // Nothing clipped: the uniform path, bit for bit the plain mean gradient when E = B, K = 1.
    guard any else { return .uniform(copyScale) }
    if groupSize == 1 { return .perExample(groupWeights) }
    return .perExample(groupWeights.flatMap { Array(repeating: $0, count: groupSize) })
  }
}
