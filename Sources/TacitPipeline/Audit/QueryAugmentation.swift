import TacitRecipe
import TacitTensor
import TacitTraining

/// The views of a record LiRA queries a model with (`audit.queries`; Carlini et al. 2022 §IV-D:
/// querying a record's augmentations, the ones training could have seen, adds attack power).
///
/// Images are `[H, W, C]` row-major (channels last), possibly stored flattened; `imageShape`
/// gives the layout. Shifts move the picture one pixel and fill the uncovered edge with zeros
/// (the normalised background of Fashion-MNIST).
enum QueryAugmentation {
  /// `features` (`[N, …]`, N records of `H·W·C` values) seen through `query`; same shape.
  static func apply(_ query: AuditSection.Query, to features: Tensor, imageShape: [Int]) -> Tensor {
    if query == .identity { return features }
    precondition(imageShape.count == 3, "image queries need an [H, W, C] shape, got \(imageShape)")
    let perRecord = imageShape.reduce(1, *)
    precondition(
      features.elementsPerExample == perRecord, "records of \(features.elementsPerExample) values, image \(imageShape)")
    let (down, right, mirrored): (Int, Int, Bool) =
      switch query {
      case .identity: (0, 0, false)
      case .mirror: (0, 0, true)
      case .shiftRight: (0, 1, false)
      case .shiftLeft: (0, -1, false)
      case .shiftDown: (1, 0, false)
      case .shiftUp: (-1, 0, false)
      }
    return Tensor(
      shape: features.shape,
      initializingWith: { output in
        features.scalars.withUnsafeBufferPointer { input in
          for record in 0..<features.batchSize {
            let base = record * perRecord
            Augmentation.shift(
              input.baseAddress! + base, into: output.baseAddress! + base, imageShape: imageShape, down: down,
              right: right, mirrored: mirrored)
          }
        }
      })
  }
}
