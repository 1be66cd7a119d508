import TacitTensor
import Testing

@testable import TacitData

/// `ChannelMoments` and `PrivateChannelStatistics`: Tramèr & Boneh's private per-channel mean and
/// variance of channels-last features.
@Suite struct PrivateChannelStatisticsTests {
  /// `[N, S, K]` features with channel-dependent offsets and scales, so that a channel mix-up shows.
  static func features(records: Int, positions: Int, channels: Int, seed: UInt64) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    var scalars = [Float](repeating: 0, count: records * positions * channels)
    for index in scalars.indices {
      let channel = index % channels
      scalars[index] = Float(channel) * 0.3 - 0.5 + Float(channel + 1) * 0.2 * Random.uniform(using: &generator)
    }
    return Tensor(shape: [records, positions, channels], scalars: scalars)
  }

  /// With bounds no record reaches and no noise (σ = 0: the exact, non-private computation),
  /// μ and v are the pooled mean and variance of each channel over every record and position,
  /// computed directly; flattening the records changes nothing.
  @Test func withoutNoiseOrClippingTheStatisticsAreTheDirectOnes() {
    let (records, positions, channels) = (7, 5, 4)
    let input = Self.features(records: records, positions: positions, channels: channels, seed: 11)
    let moments = ChannelMoments.clippedSums(of: input, channels: channels, meanClip: 1e6, squareClip: 1e6)
    #expect(moments.recordCount == records && moments.clippedMeanCount == 0 && moments.clippedSquareCount == 0)
    let statistics = PrivateChannelStatistics.release(
      moments, noiseMultiplier: 0, meanClip: 1e6, squareClip: 1e6, varianceFloor: 1e-9,
      standardNormals: [Double](repeating: 0, count: 2 * channels))
    for channel in 0..<channels {
      let values = stride(from: channel, to: input.count, by: channels).map { Double(input.scalars[$0]) }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
      #expect(abs(statistics.mean[channel] - mean) < 1e-12, "channel \(channel): μ \(statistics.mean[channel]) vs \(mean)")
      #expect(
        abs(statistics.variance[channel] - variance) < 1e-12,
        "channel \(channel): v \(statistics.variance[channel]) vs \(variance)")
    }
    #expect(statistics.flooredChannels == 0)
    let flat = ChannelMoments.clippedSums(
      of: input.reshaped([records, positions * channels]), channels: channels, meanClip: 1e6, squareClip: 1e6)
    #expect(flat == moments)
  }

  /// Clipping is per record and per vector: a record whose channel means have norm 10·C_μ adds
  /// exactly C_μ in their direction, the others add theirs unchanged; the mean squares are
  /// clipped against their own bound.
  @Test func clippingIsAppliedRecordByRecord() {
    // Two records, one position, two channels: (3, 4) has mean norm 5, (0.3, 0.4) norm 0.5.
    let input = Tensor(shape: [2, 1, 2], scalars: [3, 4, 0.3, 0.4])
    let moments = ChannelMoments.clippedSums(of: input, channels: 2, meanClip: 1, squareClip: 100)
    #expect(moments.clippedMeanCount == 1 && moments.clippedSquareCount == 0)
    #expect(abs(moments.meanSum[0] - (0.6 + 0.3)) < 1e-7 && abs(moments.meanSum[1] - (0.8 + 0.4)) < 1e-7, "\(moments.meanSum)")
    #expect(abs(moments.squareSum[0] - (9 + 0.09)) < 1e-6 && abs(moments.squareSum[1] - (16 + 0.16)) < 1e-6)
    // Squares (9, 16) have norm √337 ≈ 18.36; bound 1.
    let squares = ChannelMoments.clippedSums(of: input, channels: 2, meanClip: 100, squareClip: 1)
    let norm = (81.0 + 256).squareRoot()
    #expect(squares.clippedSquareCount == 1 && squares.clippedMeanCount == 0)
    #expect(abs(squares.squareSum[0] - (9 / norm + Double(Float(0.3) * Float(0.3)))) < 1e-6, "\(squares.squareSum)")
  }

  /// The noise enters as σ·C·z/N per channel (means: the first K normals, mean squares: the last
  /// K), the variance is μ₂ − μ², and a variance below the floor is raised to it and counted.
  @Test func noiseScalesWithTheBoundsAndTheFloorIsCounted() {
    let input = Tensor(shape: [4, 1, 2], scalars: [1, 2, 1, 2, 1, 2, 1, 2])
    let moments = ChannelMoments.clippedSums(of: input, channels: 2, meanClip: 10, squareClip: 20)
    let normals = [0.5, -1.0, 2.0, 0.25]
    let statistics = PrivateChannelStatistics.release(
      moments, noiseMultiplier: 3, meanClip: 10, squareClip: 20, varianceFloor: 0.01, standardNormals: normals)
    // μ = (Σ m̄ + σ·C_μ·z)/N and μ₂ = (Σ q̄ + σ·C₂·z′)/N with N = 4, σ = 3, C_μ = 10, C₂ = 20.
    let mean: [Double] = [4.75, -5.5]
    let meanSquare: [Double] = [31, 7.75]
    for channel in 0..<2 {
      #expect(abs(statistics.mean[channel] - mean[channel]) < 1e-12)
      #expect(abs(statistics.meanSquare[channel] - meanSquare[channel]) < 1e-12)
    }
    // Channel 0: 31 − 4.75² = 8.4375; channel 1: 7.75 − (−5.5)² = −22.5 → floored.
    #expect(abs(statistics.variance[0] - 8.4375) < 1e-12)
    #expect(statistics.variance[1] == 0.01 && statistics.flooredChannels == 1)
    #expect(abs(statistics.inverseDeviation[1] - 10) < 1e-12)
  }

  /// Statistical check of the noise scale: over many releases of the same sums with seeded
  /// standard normals, the released means spread with standard deviation σ·C_μ/N (within 5%).
  @Test func releasedMeansSpreadAsTheMechanismSays() {
    let input = Self.features(records: 50, positions: 3, channels: 2, seed: 5)
    let moments = ChannelMoments.clippedSums(of: input, channels: 2, meanClip: 2, squareClip: 4)
    var generator = SeededGenerator(seed: 9)
    var deviations: [Double] = []
    let exact = moments.meanSum[0] / 50
    for _ in 0..<4000 {
      let normals = Random.normal(count: 4, using: &generator).map(Double.init)
      let statistics = PrivateChannelStatistics.release(
        moments, noiseMultiplier: 1.5, meanClip: 2, squareClip: 4, varianceFloor: 1e-5, standardNormals: normals)
      deviations.append(statistics.mean[0] - exact)
    }
    let spread = (deviations.map { $0 * $0 }.reduce(0, +) / Double(deviations.count)).squareRoot()
    let expected = 1.5 * 2 / 50
    #expect(abs(spread / expected - 1) < 0.05, "spread \(spread), expected \(expected)")
  }
}
