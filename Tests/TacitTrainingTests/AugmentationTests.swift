import TacitTensor
import TacitTraining
import Testing

@Suite struct AugmentationTests {
  /// A batch of `count` 5×4 two-channel images with distinct non-zero values.
  static func images(_ count: Int) -> Tensor {
    Tensor(shape: [count, 5, 4, 2], scalars: (0..<(count * 40)).map { Float($0 + 1) })
  }

  static func pixel(_ batch: Tensor, _ example: Int, _ row: Int, _ column: Int, _ channel: Int) -> Float {
    batch.scalars[example * 40 + (row * 4 + column) * 2 + channel]
  }

  @Test func identityWhenEverythingIsOff() {
    var generator = SeededGenerator(seed: 1)
    let batch = Self.images(3)
    #expect(Augmentation(imageShape: [5, 4, 2]).apply(batch, generator: &generator) == batch)
  }

  /// Every output image is its input shifted by some (dy, dx) with |dy|, |dx| ≤ p, zero-filled,
  /// and possibly mirrored: find the transform and check every pixel.
  @Test func cropAndFlipAreShiftsAndMirrorsWithZeroFill() {
    var generator = SeededGenerator(seed: 2)
    let batch = Self.images(40)
    let augmentation = Augmentation(imageShape: [5, 4, 2], cropPadding: 2, flip: true)
    let output = augmentation.apply(batch, generator: &generator)
    #expect(output.shape == batch.shape)
    var mirroredCount = 0, shiftedCount = 0
    for example in 0..<40 {
      var matches: [(Int, Int, Bool)] = []
      for dy in -2...2 {
        for dx in -2...2 {
          for mirrored in [false, true] {
            var all = true
            for row in 0..<5 {
              for column in 0..<4 {
                let shiftedColumn = mirrored ? 3 - column : column
                let sourceRow = row - dy, sourceColumn = shiftedColumn - dx
                for channel in 0..<2 {
                  let expected: Float =
                    (0..<5).contains(sourceRow) && (0..<4).contains(sourceColumn)
                    ? Self.pixel(batch, example, sourceRow, sourceColumn, channel) : 0
                  if Self.pixel(output, example, row, column, channel) != expected { all = false }
                }
              }
            }
            if all { matches.append((dy, dx, mirrored)) }
          }
        }
      }
      #expect(matches.count == 1, "example \(example): \(matches.count) transforms match")
      if let match = matches.first {
        if match.2 { mirroredCount += 1 }
        if match.0 != 0 || match.1 != 0 { shiftedCount += 1 }
      }
    }
    // Flips with probability ½, shifts with probability 24/25: both happen, not always.
    #expect(mirroredCount > 5 && mirroredCount < 35, "\(mirroredCount) of 40 mirrored")
    #expect(shiftedCount > 30, "\(shiftedCount) of 40 shifted")
  }

  @Test func flippingTwiceIsTheIdentity() {
    var generator = SeededGenerator(seed: 3)
    let batch = Self.images(1)
    // A flip-only augmentation applied until one mirrors, then mirrored back by hand.
    let flip = Augmentation(imageShape: [5, 4, 2], flip: true)
    var output = batch
    while output == batch { output = flip.apply(batch, generator: &generator) }
    for row in 0..<5 {
      for column in 0..<4 {
        for channel in 0..<2 {
          #expect(Self.pixel(output, 0, row, 3 - column, channel) == Self.pixel(batch, 0, row, column, channel))
        }
      }
    }
  }

  /// Cutout zeroes one square of at most c × c pixels (clipped at the border) and nothing else.
  @Test func cutoutZeroesOneClippedSquare() {
    var generator = SeededGenerator(seed: 4)
    let batch = Self.images(30)
    let output = Augmentation(imageShape: [5, 4, 2], cutoutSize: 2).apply(batch, generator: &generator)
    for example in 0..<30 {
      var zeroed: [(Int, Int)] = []
      for row in 0..<5 {
        for column in 0..<4 {
          let values = (0..<2).map { Self.pixel(output, example, row, column, $0) }
          if values == [0, 0] {
            zeroed.append((row, column))
          } else {
            #expect(values == (0..<2).map { Self.pixel(batch, example, row, column, $0) })
          }
        }
      }
      #expect(zeroed.count >= 1 && zeroed.count <= 4, "example \(example): \(zeroed.count) pixels zeroed")
      let rows = Set(zeroed.map(\.0)), columns = Set(zeroed.map(\.1))
      #expect(rows.count * columns.count == zeroed.count, "example \(example): not a rectangle")
    }
  }

  @Test func pixelNoiseHasTheRequestedSpreadAndRunsAreDeterministic() {
    let batch = Tensor(shape: [200, 10, 10, 1], repeating: 0.5)
    let augmentation = Augmentation(imageShape: [10, 10, 1], noiseStandardDeviation: 0.2)
    var first = SeededGenerator(seed: 5), second = SeededGenerator(seed: 5)
    let output = augmentation.apply(batch, generator: &first)
    #expect(output == augmentation.apply(batch, generator: &second))
    let deviations = output.scalars.map { Double($0) - 0.5 }
    let mean = deviations.reduce(0, +) / Double(deviations.count)
    let variance = deviations.reduce(0) { $0 + $1 * $1 } / Double(deviations.count)
    // 20,000 samples: the mean's standard error is 0.0014, the variance's relative one 1%.
    #expect(abs(mean) < 0.006, "mean \(mean)")
    #expect(abs(variance / 0.04 - 1) < 0.05, "variance \(variance)")
  }
}
