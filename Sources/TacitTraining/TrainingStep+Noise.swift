import TacitNN
import TacitTensor

extension TrainingStep {
  /// DP-SGD's release after the clipped sum (the drawn gradient canaries already in it): the
  /// Gaussian noise `N(0, (σC/E)² I)` is added (`addNoise`), adaptive clipping releases its noisy
  /// count and moves C, and the canaries observe the privatised gradient.
  /// `records`: the records (units) the batch drew, the adaptive count's denominator.
  func privatise(settings: DPSGDSettings, unclippedCount: Int, records: Int) {
    guard let noise else { preconditionFailure("a DP-SGD step has a noise source") }
    defer { canaries?.observe(model.parameters) }
    let countNormal = addNoise(settings: settings, source: noise)
    if let adaptiveClipping, let countNormal {
      adaptiveClipping.update(
        unclippedCount: unclippedCount, batchSize: records,
        standardNormal: Double(countNormal))
    }
  }

  /// Adds `σC/E · z` to the parameter gradients, z one standard-normal vector over all
  /// parameters (in `Sequential.parameters` order) from `source`. Under adaptive clipping the
  /// vector has one more entry, last, the count's noise, which is returned (`nil` otherwise).
  /// Nothing is drawn when the standard deviation is 0 and there is no count.
  ///
  /// One vector per step, so the source can draw the next step's in the background while this
  /// one runs; the count's entry comes from the same stream (seeded or secure as the run).
  func addNoise(settings: DPSGDSettings, source: NoiseSource) -> Float? {
    let standardDeviation = noiseStandardDeviation(settings)
    let parameters = model.parameters
    let parameterCount = parameters.reduce(0) { $0 + $1.gradient.count }
    guard standardDeviation > 0 || adaptiveClipping != nil else { return nil }
    let z = standardNormals(count: parameterCount + (adaptiveClipping == nil ? 0 : 1), source: source)
    if standardDeviation > 0 {
      var offset = 0
      z.withUnsafeBufferPointer { normals in
        for parameter in parameters {
          let count = parameter.gradient.count
          parameter.gradient.scalars.withUnsafeMutableBufferPointer { gradient in
            for i in 0..<count { gradient[i] += standardDeviation * normals[offset + i] }
          }
          offset += count
        }
      }
    }
    return adaptiveClipping == nil ? nil : z[parameterCount]
  }

  /// The noise's standard deviation `σC/E` (`C` = `C_t` under adaptive clipping), as the
  /// test-only noise faults change it (`.noiseDisabled`: 0; `.noiseScaledDown`: `0.1 σC/E`;
  /// `.noiseNotScaledByClipNorm`: `σ/E`).
  private func noiseStandardDeviation(_ settings: DPSGDSettings) -> Float {
    let faults = settings.faults
    if faults.contains(.noiseDisabled) { return 0 }
    let multiplier = faults.contains(.noiseScaledDown) ? settings.noiseMultiplier * 0.1 : settings.noiseMultiplier
    let clipNorm = faults.contains(.noiseNotScaledByClipNorm) ? 1 : settings.maxGradNorm
    return multiplier * clipNorm / Float(settings.expectedBatchSize)
  }

  /// The step's standard-normal vector: the next from `source`, or, under `.noiseReused`, the
  /// first step's again.
  private func standardNormals(count: Int, source: NoiseSource) -> [Float] {
    guard let reusedNoise else { return source.standardNormals(count: count) }
    if let vector = reusedNoise.vector, vector.count == count { return vector }
    let vector = source.standardNormals(count: count)
    reusedNoise.vector = vector
    return vector
  }
}

/// The noise vector the `.noiseReused` fault keeps from the first step (test-only).
final class ReusedNoise {
  var vector: [Float]?
}
