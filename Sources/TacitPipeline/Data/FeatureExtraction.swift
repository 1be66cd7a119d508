import Foundation
import TacitData
import TacitRecipe
import TacitTensor

/// `data.features`: the scattering transform (`ScatteringTransform2D`), then optionally per-record
/// group normalisation (`GroupNormalization`), applied to each prepared dataset once, so the
/// target and every reference model of a run train on the same cached features.
///
/// Shapes: images `[B, H, W, C]` in, features `[B, h, w, C·K]` out (`[B, 7, 7, 81]` for
/// Fashion-MNIST with J = 2, L = 8). The filters are fixed before any record is seen and each
/// record's features depend on that record alone, so no privacy is spent here.
struct FeatureExtraction {
  let section: FeatureSection
  let transform: ScatteringTransform2D
  /// Workers for the transform (the run's BLAS thread count).
  let threads: Int

  /// The extractor for images of `exampleShape` (`[H, W, C]`).
  /// - Throws: `PipelineError` naming `data.features.scattering.scales` when the images are too
  ///   small for `2^J`, or when the records are not images.
  init(_ section: FeatureSection, exampleShape: [Int], threads: Int) throws {
    guard exampleShape.count == 3 else {
      throw PipelineError("data.features: the scattering transform needs images [H, W, C], got records of shape \(exampleShape)")
    }
    let smallerSide = min(exampleShape[0], exampleShape[1])
    guard 1 << section.scattering.scales <= smallerSide else {
      throw PipelineError(
        "data.features.scattering.scales: 2^\(section.scattering.scales) exceeds the images' \(exampleShape[0])×\(exampleShape[1]) pixels; use at most \(smallerSide.bitWidth - smallerSide.leadingZeroBitCount - 1)"
      )
    }
    self.section = section
    transform = ScatteringTransform2D(
      inputHeight: exampleShape[0], inputWidth: exampleShape[1], scales: section.scattering.scales,
      orientations: section.scattering.orientations)
    self.threads = max(1, threads)
  }

  /// The run log's line: what was computed, for how many records, how fast.
  func note(records: Int, seconds: Double) -> String {
    let scattering = section.scattering
    let normalisation = section.groupNorm.map { ", group-normalised in \($0.groups) groups" } ?? ""
    let shape = transform.outputShape(inputChannels: 1)
    return "features: scattering (J = \(scattering.scales), L = \(scattering.orientations)) of \(records) records → \(shape)"
      + "\(normalisation), in \(String(format: "%.1f", seconds)) s on \(threads) thread\(threads == 1 ? "" : "s")"
  }

  /// The features of every record of `dataset`, same labels and name.
  func apply(to dataset: LabeledDataset) -> LabeledDataset {
    var features = transform(dataset.features, threads: threads)
    if let groupNorm = section.groupNorm {
      features = GroupNormalization.normalize(features, groups: groupNorm.groups, epsilon: groupNorm.epsilon)
    }
    var result = dataset
    result.features = features
    return result
  }
}
