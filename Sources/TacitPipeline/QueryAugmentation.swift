import TacitRecipe
import TacitTensor

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
    let height = imageShape[0], width = imageShape[1], channels = imageShape[2]
    let perRecord = height * width * channels
    precondition(
      features.elementsPerExample == perRecord, "records of \(features.elementsPerExample) values, image \(imageShape)")
    let records = features.batchSize
    // Source pixel (row, column) for output pixel (row, column), or nil for zero fill.
    let (rowShift, columnShift, mirrored): (Int, Int, Bool) =
      switch query {
      case .identity: (0, 0, false)
      case .mirror: (0, 0, true)
      case .shiftRight: (0, -1, false)
      case .shiftLeft: (0, 1, false)
      case .shiftDown: (-1, 0, false)
      case .shiftUp: (1, 0, false)
      }
    return Tensor(
      shape: features.shape,
      initializingWith: { output in
        features.scalars.withUnsafeBufferPointer { input in
          for record in 0..<records {
            let base = record * perRecord
            for row in 0..<height {
              let sourceRow = row + rowShift
              for column in 0..<width {
                let sourceColumn = mirrored ? width - 1 - column : column + columnShift
                let target = base + (row * width + column) * channels
                if sourceRow < 0 || sourceRow >= height || sourceColumn < 0 || sourceColumn >= width {
                  for channel in 0..<channels { output[target + channel] = 0 }
                } else {
                  let source = base + (sourceRow * width + sourceColumn) * channels
                  for channel in 0..<channels { output[target + channel] = input[source + channel] }
                }
              }
            }
          }
        }
      })
  }
}
