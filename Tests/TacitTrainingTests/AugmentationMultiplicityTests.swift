import Foundation
import TacitNN
import TacitTensor
import TacitTraining
import Testing

/// Augmentation multiplicity (De et al. 2022): a record's gradient is the mean over its K
/// augmented copies, clipped as one.
@Suite struct AugmentationMultiplicityTests {
  /// Each record's applied update is clip_C(mean of its copies' batch-of-one gradients) / E, for
  /// records whose copies differ (different random inputs), and its norm is at most C.
  @Test(arguments: [DPSGDSettings.Clipping.flat, .perLayer])
  func recordUpdateIsTheClippedMeanOfItsCopies(clipping: DPSGDSettings.Clipping) throws {
    let copies = 3
    let (inputs, _) = randomBatch(2 * copies, seed: 31)
    let labels: [Int32] = [1, 1, 1, 3, 3, 3]  // two records, three augmented copies each
    let maxGradNorm: Float = 0.05
    for record in 0..<2 {
      let rows = (record * copies)..<(record * copies + copies)
      let settings = DPSGDSettings(
        maxGradNorm: maxGradNorm, noiseMultiplier: 0, expectedBatchSize: 1, clipping: clipping,
        augmentationMultiplicity: copies)
      let update = appliedUpdate(
        try makeModel(), inputs: inputs.rows(rows), labels: Array(labels[rows]), mode: .privateSum(settings),
        noise: .seeded(SeededGenerator(seed: 2)))
      // The oracle: each copy alone, averaged, then clipped (flat: to C; per layer: C/√2 each).
      var mean = [Double](repeating: 0, count: update.count)
      for row in rows {
        let gradient = exampleGradient(try makeModel(), inputs, labels, index: row)
        for j in mean.indices { mean[j] += gradient[j] / Double(copies) }
      }
      var expected = mean
      if clipping == .flat {
        let factor = min(1, Double(maxGradNorm) / norm(mean[...]))
        expected = mean.map { $0 * factor }
        #expect(norm(update[...]) <= Double(maxGradNorm) * (1 + 1e-5))
      } else {
        let share = Double(maxGradNorm) / 2.0.squareRoot()
        for range in [0..<56, 56..<92] {
          let factor = min(1, share / norm(mean[range]))
          for j in range { expected[j] = mean[j] * factor }
          #expect(norm(update[range]) <= share * (1 + 1e-5))
        }
      }
      #expect(norm(mean[...]) > Double(maxGradNorm), "clipping is active for record \(record)")
      let error = zip(update, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(error < 1e-6, "record \(record), \(clipping): max error \(error)")
    }
  }

  /// K identical copies of each record give exactly the update of plain DP-SGD (K = 1) on the
  /// records, up to rounding: the mean of K equal gradients is the gradient.
  @Test func identicalCopiesEqualPlainDPSGD() throws {
    let (inputs, labels) = randomBatch(4, seed: 32)
    let settings = DPSGDSettings(maxGradNorm: 0.05, noiseMultiplier: 0, expectedBatchSize: 4)
    let plain = appliedUpdate(
      try makeModel(), inputs: inputs, labels: labels, mode: .privateSum(settings), noise: .seeded(SeededGenerator(seed: 3)))
    let repeated = (0..<4).flatMap { Array(repeating: $0, count: 4) }
    var withCopies = settings
    withCopies.augmentationMultiplicity = 4
    let multiplied = appliedUpdate(
      try makeModel(), inputs: inputs.gathering(rows: repeated), labels: repeated.map { labels[$0] },
      mode: .privateSum(withCopies), noise: .seeded(SeededGenerator(seed: 3)))
    let error = zip(plain, multiplied).map { abs($0 - $1) }.max() ?? 0
    #expect(error < 1e-7, "max difference \(error)")
  }
}
