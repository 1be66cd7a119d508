import TacitNN
import TacitTensor
import Testing

/// A convolution configuration: input `[H, W, C]`, `O` output channels, kernel `k`, stride `s`,
/// padding `p`.
struct ConvConfiguration: Sendable {
  var height: Int, width: Int, channels: Int, outputs: Int, kernel: Int, stride: Int, padding: Int
  var hasBias = true

  func makeLayer(seed: UInt64 = 21) -> Conv2D {
    var generator = SeededGenerator(seed: seed)
    return Conv2D(
      inputChannels: channels, outputChannels: outputs, kernelSize: kernel, stride: stride, padding: padding,
      hasBias: hasBias, generator: &generator)
  }

  var inputShape: [Int] { [height, width, channels] }
}

@Suite struct Conv2DTests {
  static let configurations: [(String, ConvConfiguration)] = [
    ("5×5×2 k3 s1 p0", ConvConfiguration(height: 5, width: 5, channels: 2, outputs: 3, kernel: 3, stride: 1, padding: 0)),
    ("6×5×1 k3 s2 p1", ConvConfiguration(height: 6, width: 5, channels: 1, outputs: 2, kernel: 3, stride: 2, padding: 1)),
    (
      "4×4×3 k2 s2 p0 no bias",
      ConvConfiguration(height: 4, width: 4, channels: 3, outputs: 2, kernel: 2, stride: 2, padding: 0, hasBias: false)
    ),
    ("3×3×2 k4 s1 p2", ConvConfiguration(height: 3, width: 3, channels: 2, outputs: 2, kernel: 4, stride: 1, padding: 2)),
    (
      "4×3×3 k1 s1 p0 (identity unfold)",
      ConvConfiguration(height: 4, width: 3, channels: 3, outputs: 2, kernel: 1, stride: 1, padding: 0)
    ),
    (
      "3×3×2 k3 s1 p0 (one position)",
      ConvConfiguration(height: 3, width: 3, channels: 2, outputs: 4, kernel: 3, stride: 1, padding: 0)
    ),
    ("7×7×1 k3 s3 p1", ConvConfiguration(height: 7, width: 7, channels: 1, outputs: 2, kernel: 3, stride: 3, padding: 1)),
  ]
  static let batches: [(String, Int)] = [("batch 0", 0), ("batch 1", 1), ("batch 3", 3)]
  static let strategies: [(String, LinearGradients.NormStrategy?)] = [
    ("by cost", nil), ("ghost", .ghost), ("materialize", .materialize),
  ]

  /// The direct definition, in Float64: `y[b, oy, ox, o] = β_o + Σ_{ky,kx,c} W[o, ky, kx, c] ·
  /// x[b, oy·s − p + ky, ox·s − p + kx, c]` with zeros outside the image.
  static func directConvolution(_ input: Tensor, _ layer: Conv2D) -> (shape: [Int], values: [Double]) {
    let (batch, H, W, C) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (k, s, p, O) = (layer.kernelSize, layer.stride, layer.padding, layer.outputChannels)
    let outH = (H + 2 * p - k) / s + 1, outW = (W + 2 * p - k) / s + 1
    var values: [Double] = []
    for b in 0..<batch {
      for oy in 0..<outH {
        for ox in 0..<outW {
          for o in 0..<O {
            var total = Double(layer.bias?.value.scalars[o] ?? 0)
            for ky in 0..<k {
              for kx in 0..<k {
                let iy = oy * s - p + ky, ix = ox * s - p + kx
                guard iy >= 0, iy < H, ix >= 0, ix < W else { continue }
                for c in 0..<C {
                  let w = layer.weight.value.scalars[((o * k + ky) * k + kx) * C + c]
                  total += Double(w) * Double(input.scalars[((b * H + iy) * W + ix) * C + c])
                }
              }
            }
            values.append(total)
          }
        }
      }
    }
    return ([batch, outH, outW, O], values)
  }

  @Test(arguments: configurations.map { Labelled(label: $0.0, value: $0.1) })
  func forwardMatchesDirectConvolution(_ sweepCase: Labelled<ConvConfiguration>) throws {
    let configuration = sweepCase.value
    let layer = configuration.makeLayer()
    let input = randomTensor([2] + configuration.inputShape, seed: 22)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    let expected = Self.directConvolution(input, layer)
    #expect(output.shape == expected.shape, "\(sweepCase.label)")
    #expect(try layer.outputShape(forInput: configuration.inputShape) == Array(expected.shape.dropFirst()), "\(sweepCase.label)")
    expectClose(output.scalars.map(Double.init), expected.values, relative: 1e-5, absolute: 1e-5, sweepCase.label)
  }

  @Test(arguments: configurations.map { Labelled(label: $0.0, value: $0.1) })
  func gradientsMatchFiniteDifferences(_ sweepCase: Labelled<ConvConfiguration>) {
    let configuration = sweepCase.value
    checkFiniteDifferences(
      configuration.makeLayer(), input: randomTensor([2] + configuration.inputShape, seed: 23), sweepCase.label)
  }

  @Test(arguments: sweep(configurations, batches, strategies))
  func perExampleNormsAndWeightedSumMatchBatchOfOne(
    _ sweepCase: Labelled<(ConvConfiguration, Int, LinearGradients.NormStrategy?)>
  ) {
    let (configuration, batch, strategy) = sweepCase.value
    let layer = configuration.makeLayer()
    layer.normStrategy = strategy
    checkPerExampleBookkeeping(layer, input: randomTensor([batch] + configuration.inputShape, seed: 24), sweepCase.label)
  }

  @Test func ghostAndMaterializedNormsAgree() {
    let configuration = ConvConfiguration(height: 6, width: 6, channels: 2, outputs: 3, kernel: 3, stride: 1, padding: 1)
    let layer = configuration.makeLayer()
    let input = randomTensor([4] + configuration.inputShape, seed: 25)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .training, generator: &generator)
    _ = layer.backward(randomTensor(output.shape, seed: 26), needsInputGradient: false)
    var results: [[Double]] = []
    for strategy in [LinearGradients.NormStrategy.ghost, .materialize] {
      layer.normStrategy = strategy
      var norms = [Double](repeating: 0, count: 4)
      layer.addPerExampleSquaredNorms(into: &norms)
      results.append(norms)
    }
    #expect(results[0].allSatisfy { $0 > 0 })
    expectClose(results[0], results[1], relative: 1e-4, "ghost vs materialize")
  }

  @Test func weightHasCheckpointShapeAndPyTorchInitialisation() {
    let layer = ConvConfiguration(height: 8, width: 8, channels: 4, outputs: 5, kernel: 2, stride: 1, padding: 0).makeLayer()
    #expect(layer.weight.value.shape == [5, 2, 2, 4])
    #expect(layer.weight.isDecayed && !(layer.bias?.isDecayed ?? true))
    #expect(layer.parameters.map(\.name) == ["weight", "bias"])
    let bound: Float = 1 / 4  // 1/√(2·2·4)
    #expect(layer.weight.value.scalars.allSatisfy { abs($0) <= bound })
    #expect(layer.weight.value.scalars.contains { abs($0) > bound / 2 })
    #expect(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
  }

  @Test func backwardWithoutInputGradientStillKeepsTheOutputGradient() {
    let configuration = ConvConfiguration(height: 4, width: 4, channels: 1, outputs: 2, kernel: 2, stride: 1, padding: 0)
    let layer = configuration.makeLayer()
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(randomTensor([2, 4, 4, 1], seed: 27), mode: .training, generator: &generator)
    #expect(layer.backward(randomTensor(output.shape, seed: 28), needsInputGradient: false) == nil)
    var norms = [0.0, 0.0]
    layer.addPerExampleSquaredNorms(into: &norms)
    #expect(norms.allSatisfy { $0 > 0 })
  }

  @Test func kernelLargerThanPaddedInputIsAShapeError() {
    let layer = ConvConfiguration(height: 3, width: 3, channels: 1, outputs: 2, kernel: 8, stride: 2, padding: 2).makeLayer()
    do {
      _ = try layer.outputShape(forInput: [3, 3, 1])
      Issue.record("an 8×8 kernel on a 3×3 input padded to 7×7 was accepted")
    } catch {
      #expect(error.description.contains("8×8"), "message: \(error.description)")
      #expect(error.description.contains("7×7"), "message: \(error.description)")
    }
    // Exactly fitting is fine: 4 + 2·2 = 8.
    #expect((try? layer.outputShape(forInput: [4, 4, 1])) == [1, 1, 2])
  }

  @Test func wrongChannelCountOrRankIsAShapeError() {
    let layer = ConvConfiguration(height: 5, width: 5, channels: 3, outputs: 2, kernel: 3, stride: 1, padding: 0).makeLayer()
    for shape in [[5, 5, 1], [75], [5, 5]] {
      do {
        _ = try layer.outputShape(forInput: shape)
        Issue.record("conv2d accepted \(shape)")
      } catch {
        #expect(error.description.contains("\(shape)") && error.description.contains("3]"), "message: \(error.description)")
      }
    }
  }
}
