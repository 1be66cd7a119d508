import TacitNN
import TacitTensor
import Testing

/// A group-norm configuration: per-example input shape (last dimension = channels) and groups.
struct GroupNormConfiguration: Sendable {
  var inputShape: [Int]
  var groups: Int
  var channels: Int { inputShape.last! }

  /// A layer with non-trivial scale and offset, so their gradients are exercised.
  func makeLayer(seed: UInt64 = 71) -> GroupNorm {
    let layer = GroupNorm(groups: groups, channels: channels)
    layer.weight.value = randomTensor([channels], seed: seed, scale: 0.5)
    layer.weight.value.scalars = layer.weight.value.scalars.map { $0 + 1 }
    layer.bias.value = randomTensor([channels], seed: seed &+ 1, scale: 0.5)
    return layer
  }
}

@Suite struct GroupNormTests {
  static let configurations: [(String, GroupNormConfiguration)] = [
    ("[3, 3, 4] G=2", GroupNormConfiguration(inputShape: [3, 3, 4], groups: 2)),
    ("[2, 2, 6] G=6", GroupNormConfiguration(inputShape: [2, 2, 6], groups: 6)),
    ("[2, 3, 3] G=1", GroupNormConfiguration(inputShape: [2, 3, 3], groups: 1)),
    ("[8] G=2", GroupNormConfiguration(inputShape: [8], groups: 2)),
  ]
  static let batches: [(String, Int)] = [("batch 0", 0), ("batch 1", 1), ("batch 3", 3)]

  /// The definition in Float64.
  static func reference(_ input: Tensor, _ layer: GroupNorm) -> [Double] {
    let batch = input.shape[0], C = layer.channels, G = layer.groups, width = C / G
    let S = input.count / max(1, batch * C)
    var output = [Double](repeating: 0, count: input.count)
    for b in 0..<batch {
      for g in 0..<G {
        var indices: [Int] = []
        for s in 0..<S {
          for c in (g * width)..<((g + 1) * width) { indices.append((b * S + s) * C + c) }
        }
        let values = indices.map { Double(input.scalars[$0]) }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        for i in indices {
          let c = i % C
          let normalized = (Double(input.scalars[i]) - mean) / (variance + Double(layer.epsilon)).squareRoot()
          output[i] = Double(layer.weight.value.scalars[c]) * normalized + Double(layer.bias.value.scalars[c])
        }
      }
    }
    return output
  }

  @Test(arguments: configurations.map { Labelled(label: $0.0, value: $0.1) })
  func forwardMatchesDefinition(_ sweepCase: Labelled<GroupNormConfiguration>) {
    let layer = sweepCase.value.makeLayer()
    let input = randomTensor([2] + sweepCase.value.inputShape, seed: 72, scale: 3)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    #expect(output.shape == input.shape)
    expectClose(output.scalars.map(Double.init), Self.reference(input, layer), relative: 1e-4, absolute: 1e-5, sweepCase.label)
  }

  @Test func initialisationIsIdentityScaleAndZeroOffset() {
    let layer = GroupNorm(groups: 2, channels: 4)
    #expect(layer.parameters.map(\.name) == ["weight", "bias"])
    #expect(layer.weight.value.scalars == [1, 1, 1, 1] && layer.bias.value.scalars == [0, 0, 0, 0])
    #expect(!layer.weight.isDecayed && !layer.bias.isDecayed)
    // With identity scale, each example's group has mean 0 and variance 1 − ε/(σ² + ε) ≈ 1.
    let input = randomTensor([1, 5, 4], seed: 73, scale: 2)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator).scalars.map(Double.init)
    for g in 0..<2 {
      var values: [Double] = []
      for s in 0..<5 { values += [output[s * 4 + 2 * g], output[s * 4 + 2 * g + 1]] }
      let mean: Double = values.reduce(0, +) / 10
      var variance: Double = 0
      for value in values { variance += (value - mean) * (value - mean) / 10 }
      #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-3, "group \(g): mean \(mean), variance \(variance)")
    }
  }

  @Test(arguments: configurations.map { Labelled(label: $0.0, value: $0.1) })
  func gradientsMatchFiniteDifferences(_ sweepCase: Labelled<GroupNormConfiguration>) {
    checkFiniteDifferences(
      sweepCase.value.makeLayer(), input: randomTensor([2] + sweepCase.value.inputShape, seed: 74), step: 1e-2,
      maxCoordinates: 60, sweepCase.label)
  }

  @Test(arguments: sweep(configurations, batches))
  func perExampleNormsAndWeightedSumMatchBatchOfOne(_ sweepCase: Labelled<(GroupNormConfiguration, Int)>) {
    let (configuration, batch) = sweepCase.value
    checkPerExampleBookkeeping(
      configuration.makeLayer(), input: randomTensor([batch] + configuration.inputShape, seed: 75), sweepCase.label)
  }

  @Test func wrongChannelCountIsAShapeError() {
    let layer = GroupNorm(groups: 2, channels: 4)
    do {
      _ = try layer.outputShape(forInput: [5, 5, 3])
      Issue.record("groupnorm over 4 channels accepted 3")
    } catch {
      #expect(
        error.description.contains("4 channels") && error.description.contains("[5, 5, 3]"), "message: \(error.description)")
    }
    #expect((try? layer.outputShape(forInput: [5, 5, 4])) == [5, 5, 4])
  }
}
