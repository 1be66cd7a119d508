import TacitTensor
import Testing

@testable import TacitData

@Suite struct GroupNormalizationTests {
  /// Each record's group has mean 0 and variance σ²/(σ² + ε) over its positions and channels;
  /// records and groups never mix.
  @Test func everyGroupOfEveryRecordIsStandardised() {
    var generator = SeededGenerator(seed: 3)
    let (records, positions, channels, groups) = (3, 5, 6, 3)
    var scalars = [Float](repeating: 0, count: records * positions * channels)
    for index in scalars.indices {
      let channel = index % channels
      // Channel-dependent offsets and scales, so a wrong grouping shows.
      scalars[index] = Float(channel * 10 - 7) + Float(channel + 1) * Random.uniform(using: &generator)
    }
    let input = Tensor(shape: [records, positions, channels], scalars: scalars)
    let epsilon = 1e-5
    let output = GroupNormalization.normalize(input, groups: groups, epsilon: epsilon)
    #expect(output.shape == input.shape)
    let width = channels / groups
    for record in 0..<records {
      for group in 0..<groups {
        var inputs: [Double] = []
        var outputs: [Double] = []
        for position in 0..<positions {
          for offset in 0..<width {
            let index = (record * positions + position) * channels + group * width + offset
            inputs.append(Double(input.scalars[index]))
            outputs.append(Double(output.scalars[index]))
          }
        }
        let mean = inputs.reduce(0, +) / Double(inputs.count)
        let variance = inputs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(inputs.count)
        for (x, y) in zip(inputs, outputs) {
          let expected = (x - mean) / (variance + epsilon).squareRoot()
          #expect(abs(y - expected) <= 1e-5 * max(1, abs(expected)), "record \(record) group \(group): \(y) vs \(expected)")
        }
      }
    }
  }

  /// A constant group becomes 0, not NaN.
  @Test func constantGroupBecomesZero() {
    let output = GroupNormalization.normalize(Tensor(shape: [1, 2, 2], repeating: 4), groups: 1, epsilon: 1e-5)
    #expect(output.scalars == [0, 0, 0, 0])
  }
}
