import TacitNN
import TacitTensor

extension TrainingStep {
  /// Adds `Σ_r c_r ḡ_r / E` to the parameter gradients with DP-SGD's clip factors, where record
  /// r's gradient ḡ_r is the mean over its K copies (consecutive rows; K = 1 without augmentation
  /// multiplicity) and c_r = min(1, C/‖ḡ_r‖) (flat), or per trainable leaf l,
  /// c_rl = min(1, C_l/‖ḡ_rl‖) with C_l = C/√L. Returns the fraction of records clipped (in at
  /// least one leaf, for per-layer clipping) and the number unclipped, `Σ_r 1[‖ḡ_r‖ ≤ C]` (the
  /// count adaptive clipping releases).
  ///
  /// The drawn gradient canaries `canaries` (indices into `GradientCanaries.coordinates`) are
  /// records of the same sum: each has raw gradient `R·e_j` (R = 10·C, or 10·C_l in its leaf), its
  /// clip factor comes from the same `ClipWeights.factors` with the same bound, and `c·R/E` is
  /// added at its coordinate after the data's sum is recorded (`GradientCanaries.beginStep`).
  /// Canaries are audit instruments: they do not count in the clipped fraction or the unclipped
  /// count. With `canaries: nil` the sum takes no canary step (a part of a step in several
  /// parts, `TrainingStep.run(parts:…)`, before its last).
  ///
  /// Test-only faults read here (`DPSGDFault`): `.clippingSkipped`, `.clippingLoosened`,
  /// `.perLayerBoundUndivided` change the bound; `.batchGradientClipped` clips the whole batch's
  /// gradient, canaries included, as one group (every record then counts as clipped when it is).
  func accumulateClipped(settings: DPSGDSettings, batch: Int, canaries drawnOrNil: [Int]? = []) -> (
    clippedFraction: Double, unclipped: Int
  ) {
    let multiplicity = settings.augmentationMultiplicity
    precondition(batch % multiplicity == 0, "a batch of \(batch) rows is not whole records of \(multiplicity) copies")
    let records = batch / multiplicity
    let drawn = drawnOrNil ?? []
    let canaries = drawnOrNil == nil ? nil : self.canaries
    let jointGroup = settings.faults.contains(.batchGradientClipped)
    let groupSize = jointGroup && batch > 0 ? batch : multiplicity
    let weights = ClipWeights(
      multiplicity: multiplicity, groupSize: groupSize, copyScale: 1 / Float(settings.expectedBatchSize) / Float(multiplicity),
      joint: jointGroup)
    let canaryGeometry = CanaryGeometry(canaries: canaries, drawn: drawn, model: model, settings: settings)
    var canaryFactors = [Double](repeating: 1, count: drawn.count)
    var clipped = [Bool](repeating: false, count: batch / groupSize)
    switch settings.clipping {
    case .flat:
      let norms = batch > 0 ? model.groupSquaredNorms(batchSize: batch, groupSize: groupSize) : []
      let factors = weights.factors(
        norms, canaries: canaryGeometry.squaredNorms(inLeaf: nil), bound: clipBound(settings), clipped: &clipped)
      if batch > 0 { model.accumulateGradients(weights: factors.data) }
      canaryFactors = factors.canaries
    case .perLayer:
      let leaves = model.trainableLeaves
      let bound = clipBound(settings, leafCount: leaves.count)
      for (leafIndex, leaf) in leaves.enumerated() {
        var norms = [Double](repeating: 0, count: batch / groupSize)
        if batch > 0 { leaf.addGroupSquaredNorms(into: &norms, groupSize: groupSize) }
        let factors = weights.factors(
          norms, canaries: canaryGeometry.squaredNorms(inLeaf: leafIndex), bound: bound, clipped: &clipped)
        if batch > 0 { leaf.accumulateGradients(weights: factors.data) }
        for (position, leafOfCanary) in canaryGeometry.leaves.enumerated() where leafOfCanary == leafIndex {
          canaryFactors[position] = factors.canaries[position]
        }
      }
    }
    if let canaries { canaryGeometry.add(canaries, drawn: drawn, factors: canaryFactors, parameters: model.parameters) }
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
/// or the whole batch under `.batchGradientClipped`), each clipped as one, and the clip factors
/// of the gradient canaries drawn into the same sum.
private struct ClipWeights {
  let multiplicity: Int
  let groupSize: Int
  /// `1/(K·E)`: an unclipped copy's weight.
  let copyScale: Float
  /// `.batchGradientClipped`: the canaries join the batch's one group.
  let joint: Bool

  /// Each row's weight `c_g/(K·E)`, `c_g = min(1, bound/‖ḡ_g‖)` for its group g, with ‖ḡ_g‖ the
  /// group's summed-gradient norm over K (`squaredNorms[g]` = ‖Σ_{b ∈ g} g_b‖²), and each
  /// canary's factor `min(1, bound/R)` (`canaries[i]` = R², the canary's raw squared norm). Under
  /// `joint` the batch is one group whose squared norm also holds the canaries' (their
  /// coordinates taken as orthogonal to the data's sum), and every canary shares its factor.
  /// Marks the data groups clipped.
  func factors(_ squaredNorms: [Double], canaries: [Double], bound: Double, clipped: inout [Bool]) -> (
    data: ExampleWeights, canaries: [Double]
  ) {
    var any = false
    var norms = squaredNorms
    if joint {
      let canaryTotal = canaries.reduce(0, +)
      if norms.isEmpty { return (.uniform(copyScale), canaries.map { _ in factor(squaredNorm: canaryTotal, bound: bound) }) }
      norms[0] += canaryTotal
    }
    let groupWeights = norms.enumerated().map { index, squaredNorm -> Float in
      let factor = factor(squaredNorm: squaredNorm, bound: bound)
      guard factor < 1 else { return copyScale }
      any = true
      clipped[index] = true
      return Float(factor) * copyScale
    }
    let canaryFactors =
      joint
      ? canaries.map { _ in factor(squaredNorm: norms[0], bound: bound) }
      : canaries.map { factor(squaredNorm: Double(multiplicity * multiplicity) * $0, bound: bound) }
    // Nothing clipped: the uniform path, bit for bit the plain mean gradient when E = B, K = 1.
    guard any else { return (.uniform(copyScale), canaryFactors) }
    if groupSize == 1 { return (.perExample(groupWeights), canaryFactors) }
    return (.perExample(groupWeights.flatMap { Array(repeating: $0, count: groupSize) }), canaryFactors)
  }

  /// `c = min(1, bound/‖ḡ‖)` with ‖ḡ‖ = √squaredNorm / K (1 when the norm is within the bound).
  private func factor(squaredNorm: Double, bound: Double) -> Double {
    // ‖ḡ_r‖ = ‖Σ_k g_{r,k}‖ / K.
    let norm = squaredNorm.squareRoot() / Double(multiplicity)
    return norm > bound ? bound / norm : 1
  }
}

/// Where the drawn gradient canaries of a step sit and how large their raw gradients are: canary
/// i's gradient is `R_i·e_{j_i}` with `R_i = 10·C` (flat) or `10·C/√L` in the leaf holding j_i
/// (per layer), C the step's accounted bound (C_t under adaptive clipping, never a fault's).
private struct CanaryGeometry {
  /// The leaf (index in `trainableLeaves`) of each drawn canary; `nil` under flat clipping.
  let leaves: [Int?]
  /// Each drawn canary's raw norm R.
  let rawNorm: Double
  /// The canary's unit `u = C/E` (per layer `C/(√L·E)`): what a correctly clipped canary adds.
  let unit: Double
  /// The claimed noise standard deviation σC/E.
  let claimedNoise: Double
  /// E, DP-SGD's divisor.
  let expectedBatchSize: Double

  init(canaries: GradientCanaries?, drawn: [Int], model: Sequential, settings: DPSGDSettings) {
    let expected = settings.expectedBatchSize
    expectedBatchSize = expected
    claimedNoise = Double(settings.noiseMultiplier) * Double(settings.maxGradNorm) / expected
    guard let canaries, settings.clipping == .perLayer else {
      leaves = drawn.map { _ in nil }
      rawNorm = GradientCanaries.rawNormFactor * Double(settings.maxGradNorm)
      unit = Double(settings.maxGradNorm) / expected
      return
    }
    let trainable = model.trainableLeaves
    let bound = settings.perLayerBound(leafCount: trainable.count)
    rawNorm = GradientCanaries.rawNormFactor * bound
    unit = bound / expected
    // Parameter index (in `Sequential.parameters`) → leaf index.
    var leafOfParameter: [ObjectIdentifier: Int] = [:]
    for (leafIndex, leaf) in trainable.enumerated() {
      for parameter in leaf.parameters { leafOfParameter[ObjectIdentifier(parameter)] = leafIndex }
    }
    let parameters = model.parameters
    leaves = drawn.map { canary in
      let parameter = parameters[canaries.coordinates[canary].parameter]
      guard let leaf = leafOfParameter[ObjectIdentifier(parameter)] else {
        preconditionFailure("gradient canary on a parameter outside every trainable leaf")
      }
      return leaf
    }
  }

  /// The drawn canaries' raw squared norms within leaf `leaf` (R² in their own leaf, 0 in the
  /// others; every canary's R² when `leaf` is `nil`, flat clipping).
  func squaredNorms(inLeaf leaf: Int?) -> [Double] {
    leaves.map { own in leaf == nil || own == leaf ? rawNorm * rawNorm : 0 }
  }

  /// Records the data's clipped sum at every canary coordinate, then adds `c_i·R/E` at each drawn
  /// canary's coordinate.
  func add(_ canaries: GradientCanaries, drawn: [Int], factors: [Double], parameters: [Parameter]) {
    canaries.beginStep(drawn: drawn, parameters: parameters, unit: unit, claimedNoise: claimedNoise)
    for (position, canary) in drawn.enumerated() {
      let coordinate = canaries.coordinates[canary]
      let contribution = factors[position] * rawNorm / expectedBatchSize
      parameters[coordinate.parameter].gradient.scalars[coordinate.offset] += Float(contribution)
    }
  }
}
