import TacitTensor

/// Random data augmentation of image batches, applied to each training batch before the step.
///
/// Each example is transformed independently, in this order, with draws from the generator the
/// trainer passes (split "augmentation" of the run seed, so runs are deterministic):
/// 1. **Random crop with padding** (`cropPadding` p): pad the image with p zero pixels on every
///    side and crop back to H × W at a uniformly random offset, i.e. shift it by (dy, dx) ∈
///    [−p, p]² with zeros filling the uncovered edge (the CIFAR/ResNet recipe of He et al. 2016).
/// 2. **Horizontal flip** (`flip`) with probability ½.
/// 3. **Cutout** (`cutoutSize` c; DeVries & Taylor 2017): zero a c × c square whose centre is
///    uniform over the image (the square is clipped at the border).
/// 4. **Gaussian pixel noise** (`noiseStandardDeviation` s): add N(0, s²) to every value.
///
/// Under DP-SGD the transform is part of each record's gradient computation: the record's clipped
/// gradient is computed on its augmented copy, so the sensitivity and the accounting are
/// unchanged (De et al. 2022). Shapes: a batch `[B, H, W, C]` (channels last) or, for flattened
/// images, `[B, H·W·C]` with `imageShape = [H, W, C]`; the output has the input's shape. Cost:
/// O(B·H·W·C).
public struct Augmentation: Sendable, Equatable {
  /// `[H, W, C]` of one image.
  public var imageShape: [Int]
  public var cropPadding: Int
  public var flip: Bool
  public var cutoutSize: Int
  public var noiseStandardDeviation: Float

  public init(imageShape: [Int], cropPadding: Int = 0, flip: Bool = false, cutoutSize: Int = 0, noiseStandardDeviation: Float = 0)
  {
    precondition(imageShape.count == 3 && imageShape.allSatisfy { $0 >= 1 }, "image shape must be [H, W, C], got \(imageShape)")
    precondition(cropPadding >= 0 && cutoutSize >= 0 && noiseStandardDeviation >= 0, "augmentation sizes must be ≥ 0")
    self.imageShape = imageShape
    self.cropPadding = cropPadding
    self.flip = flip
    self.cutoutSize = cutoutSize
    self.noiseStandardDeviation = noiseStandardDeviation
  }

  /// Whether the transform changes anything.
  public var isIdentity: Bool { cropPadding == 0 && !flip && cutoutSize == 0 && noiseStandardDeviation == 0 }

  /// The augmented batch (same shape as `batch`).
  public func apply(_ batch: Tensor, generator: inout SeededGenerator) -> Tensor {
    let height = imageShape[0], width = imageShape[1], channels = imageShape[2]
    let perImage = height * width * channels
    precondition(batch.elementsPerExample == perImage, "examples of \(batch.elementsPerExample) values, images \(imageShape)")
    if isIdentity { return batch }
    var output = batch
    output.scalars.withUnsafeMutableBufferPointer { values in
      batch.scalars.withUnsafeBufferPointer { source in
        for example in 0..<batch.batchSize {
          let base = example * perImage
          let dy = cropPadding > 0 ? Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding : 0
          let dx = cropPadding > 0 ? Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding : 0
          let mirrored = flip && generator.next() & 1 == 1
          if dy != 0 || dx != 0 || mirrored {
            Self.shift(
              source.baseAddress! + base, into: values.baseAddress! + base, imageShape: imageShape, down: dy, right: dx,
              mirrored: mirrored)
          }
          if cutoutSize > 0 {
            let centreRow = Int(generator.next() % UInt64(height)), centreColumn = Int(generator.next() % UInt64(width))
            let top = max(0, centreRow - cutoutSize / 2), left = max(0, centreColumn - cutoutSize / 2)
            let bottom = min(height, centreRow - cutoutSize / 2 + cutoutSize)
            let right = min(width, centreColumn - cutoutSize / 2 + cutoutSize)
            for row in top..<max(top, bottom) {
              for column in left..<max(left, right) {
                for channel in 0..<channels { values[base + (row * width + column) * channels + channel] = 0 }
              }
            }
          }
        }
      }
    }
    if noiseStandardDeviation > 0 {
      output.scalars.withUnsafeMutableBufferPointer { values in
        GaussianNoise.addGaussianNoise(to: values, standardDeviation: noiseStandardDeviation, using: &generator)
      }
    }
    return output
  }

  /// Writes one `[H, W, C]` image shifted `down` rows and `right` columns (zero-filling the
  /// uncovered edge) and then, when `mirrored`, flipped left–right: output pixel (r, c) is input
  /// pixel (r − down, c' − right) with c' = W − 1 − c when mirrored, else c. `source` and
  /// `destination` must not overlap. Used by the training augmentation and by the audit's LiRA
  /// queries, so both see the same transforms.
  public static func shift(
    _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, imageShape: [Int], down: Int,
    right: Int, mirrored: Bool
  ) {
    let height = imageShape[0], width = imageShape[1], channels = imageShape[2]
    for row in 0..<height {
      let sourceRow = row - down
      for column in 0..<width {
        let sourceColumn = (mirrored ? width - 1 - column : column) - right
        let target = (row * width + column) * channels
        if sourceRow < 0 || sourceRow >= height || sourceColumn < 0 || sourceColumn >= width {
          for channel in 0..<channels { destination[target + channel] = 0 }
        } else {
          let from = (sourceRow * width + sourceColumn) * channels
          for channel in 0..<channels { destination[target + channel] = source[from + channel] }
        }
      }
    }
  }
}
