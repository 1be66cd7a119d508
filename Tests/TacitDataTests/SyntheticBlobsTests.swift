import TacitTensor
import Testing

@testable import TacitData

@Suite struct SyntheticBlobsTests {
  @Test func sameSeedSameDataDifferentSeedDifferentData() {
    var first = SeededGenerator(seed: 7), second = SeededGenerator(seed: 7), third = SeededGenerator(seed: 8)
    let a = SyntheticBlobs.make(classes: 3, features: 5, samples: 50, separation: 4, generator: &first)
    let b = SyntheticBlobs.make(classes: 3, features: 5, samples: 50, separation: 4, generator: &second)
    let c = SyntheticBlobs.make(classes: 3, features: 5, samples: 50, separation: 4, generator: &third)
    #expect(a == b)
    #expect(a.features != c.features)
    #expect(a.features.shape == [50, 5])
  }

  @Test func classesAreBalanced() {
    var generator = SeededGenerator(seed: 1)
    let data = SyntheticBlobs.make(classes: 4, features: 3, samples: 103, separation: 2, generator: &generator)
    #expect(data.classCounts() == [26, 26, 26, 25])
    #expect(data.classCount == 4)
  }

  @Test func orthogonalMeansAreExactlySeparationApart() {
    var generator = SeededGenerator(seed: 3)
    let means = SyntheticBlobs.classMeans(classes: 4, features: 6, separation: 5, generator: &generator)
    for i in 0..<4 {
      for j in (i + 1)..<4 {
        let distance = (0..<6).map { means[i * 6 + $0] - means[j * 6 + $0] }.reduce(0) { $0 + $1 * $1 }.squareRoot()
        #expect(abs(distance - 5) < 1e-4, "means \(i), \(j) are \(distance) apart")
      }
    }
  }

  /// Nearest-class-mean accuracy on fresh samples, with means estimated from training samples.
  func nearestMeanAccuracy(classes: Int, features: Int, separation: Float, seed: UInt64) -> Double {
    var generator = SeededGenerator(seed: seed)
    // One draw of means and 2000 samples; the first 1000 estimate means, the last 1000 are scored.
    let data = SyntheticBlobs.make(
      classes: classes, features: features, samples: 2000, separation: separation,
      generator: &generator)
    var means = [Float](repeating: 0, count: classes * features)
    var counts = [Float](repeating: 0, count: classes)
    for row in 0..<1000 {
      let label = Int(data.labels[row])
      counts[label] += 1
      for feature in 0..<features { means[label * features + feature] += data.features.scalars[row * features + feature] }
    }
    for index in means.indices { means[index] /= counts[index / features] }
    var correct = 0
    for row in 1000..<2000 {
      var best = (class: -1, distance: Float.infinity)
      for label in 0..<classes {
        var distance: Float = 0
        for feature in 0..<features {
          let difference = data.features.scalars[row * features + feature] - means[label * features + feature]
          distance += difference * difference
        }
        if distance < best.distance { best = (label, distance) }
      }
      if best.class == Int(data.labels[row]) { correct += 1 }
    }
    return Double(correct) / 1000
  }

  @Test func classesAreSeparableAtSeparationFour() {
    // Two classes 4 apart: Bayes accuracy Φ(2) ≈ 0.977. Five classes in 3 dimensions use random means.
    #expect(nearestMeanAccuracy(classes: 2, features: 10, separation: 4, seed: 11) > 0.95)
    #expect(nearestMeanAccuracy(classes: 3, features: 8, separation: 4, seed: 12) > 0.9)
    // At separation 0 the classes coincide: accuracy near chance (1/2), far below 0.9.
    #expect(nearestMeanAccuracy(classes: 2, features: 10, separation: 0, seed: 13) < 0.6)
  }
}
