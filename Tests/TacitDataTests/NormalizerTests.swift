import Foundation
import TacitTensor
import Testing

@testable import TacitData

@Suite struct NormalizerTests {
  @Test func standardFitGivesZeroMeanUnitDeviation() {
    var generator = SeededGenerator(seed: 5)
    // Features with means 10, −3, 0 and deviations 4, 0.5, 1 (column 2 constant-free).
    let rows = 500
    let noise = Random.normal(count: rows * 3, using: &generator)
    var scalars = [Float](repeating: 0, count: rows * 3)
    for row in 0..<rows {
      scalars[row * 3] = 10 + 4 * noise[row * 3]
      scalars[row * 3 + 1] = -3 + 0.5 * noise[row * 3 + 1]
      scalars[row * 3 + 2] = noise[row * 3 + 2]
    }
    let data = LabeledDataset(
      features: Tensor(shape: [rows, 3], scalars: scalars),
      labels: [Int32](repeating: 0, count: rows), classCount: 1, name: "n")
    let normalizer = Normalizer.fitStandard(to: data)
    let normalized = normalizer.apply(to: data)
    for feature in 0..<3 {
      let column = (0..<rows).map { Double(normalized.features.scalars[$0 * 3 + feature]) }
      let mean = column.reduce(0, +) / Double(rows)
      let deviation = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(rows)).squareRoot()
      #expect(abs(mean) < 1e-5, "feature \(feature) mean \(mean)")
      #expect(abs(deviation - 1) < 1e-5, "feature \(feature) deviation \(deviation)")
    }
    // The stored statistics are close to the generating parameters.
    guard case .standard(let means, let deviations) = normalizer else { Issue.record("not standard"); return }
    #expect(abs(means[0] - 10) < 0.5 && abs(means[1] + 3) < 0.1)
    #expect(abs(deviations[0] - 4) < 0.4 && abs(deviations[1] - 0.5) < 0.05)
  }

  @Test func handComputedStatisticsAndConstantFeature() {
    // Column 0: 1, 3 → mean 2, population deviation 1. Column 1: constant 7 → deviation floored to 1.
    let data = LabeledDataset(
      features: Tensor(shape: [2, 2], scalars: [1, 7, 3, 7]), labels: [0, 1], classCount: 2,
      name: "h")
    let normalizer = Normalizer.fitStandard(to: data)
    #expect(normalizer == .standard(mean: [2, 7], standardDeviation: [1, 1]))
    #expect(normalizer.apply(to: data).features.scalars == [-1, 0, 1, 0])
    // An unseen value in the constant feature stays finite and on the raw scale.
    #expect(normalizer.apply(to: Tensor(shape: [1, 2], scalars: [5, 9])).scalars == [3, 2])
  }

  @Test func unitRangeAndNoneAndStorage() throws {
    let images = Tensor(shape: [1, 2, 2, 1], scalars: [0, 51, 255, 127.5])
    let scaled = Normalizer.pixels.apply(to: images).scalars
    #expect(zip(scaled, [0, 0.2, 1, 0.5] as [Float]).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(scaled)")
    #expect(Normalizer.none.apply(to: images) == images)
    // Fitted statistics survive a JSON round trip, for the run folder.
    let fitted = Normalizer.standard(mean: [1.5, -2], standardDeviation: [0.25, 3])
    let decoded = try JSONDecoder().decode(Normalizer.self, from: JSONEncoder().encode(fitted))
    #expect(decoded == fitted)
  }
}
