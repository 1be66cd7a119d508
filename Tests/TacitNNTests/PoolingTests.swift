import TacitNN
import TacitTensor
import Testing

/// A pooling configuration: input `[H, W, C]`, window `k`, stride `s`.
struct PoolConfiguration: Sendable {
  var height: Int, width: Int, channels: Int, poolSize: Int, stride: Int
  var inputShape: [Int] { [height, width, channels] }
}

@Suite struct PoolingTests {
  static let configurations: [(String, PoolConfiguration)] = [
    ("4×4×2 k2 s2", PoolConfiguration(height: 4, width: 4, channels: 2, poolSize: 2, stride: 2)),
    ("5×4×3 k2 s1 (overlapping)", PoolConfiguration(height: 5, width: 4, channels: 3, poolSize: 2, stride: 1)),
    ("7×6×1 k3 s2 (ragged edge)", PoolConfiguration(height: 7, width: 6, channels: 1, poolSize: 3, stride: 2)),
    ("3×3×2 k3 s1 (global)", PoolConfiguration(height: 3, width: 3, channels: 2, poolSize: 3, stride: 1)),
  ]
  static var labelledConfigurations: [Labelled<PoolConfiguration>] {
    configurations.map { Labelled(label: $0.0, value: $0.1) }
  }

  /// Max or mean over each window, in Float64, by the definition.
  static func directPool(_ input: Tensor, poolSize k: Int, stride s: Int, maximum: Bool) -> (shape: [Int], values: [Double]) {
    let (batch, H, W, C) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let outH = (H - k) / s + 1, outW = (W - k) / s + 1
    var values: [Double] = []
    for b in 0..<batch {
      for oy in 0..<outH {
        for ox in 0..<outW {
          for c in 0..<C {
            var window: [Double] = []
            for ky in 0..<k {
              for kx in 0..<k { window.append(Double(input.scalars[((b * H + oy * s + ky) * W + ox * s + kx) * C + c])) }
            }
            values.append(maximum ? window.max()! : window.reduce(0, +) / Double(k * k))
          }
        }
      }
    }
    return ([batch, outH, outW, C], values)
  }

  @Test(arguments: labelledConfigurations)
  func maxPoolForwardMatchesDefinition(_ sweepCase: Labelled<PoolConfiguration>) throws {
    let configuration = sweepCase.value
    let layer = MaxPool2D(poolSize: configuration.poolSize, stride: configuration.stride)
    let input = randomTensor([2] + configuration.inputShape, seed: 31)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    let expected = Self.directPool(input, poolSize: configuration.poolSize, stride: configuration.stride, maximum: true)
    #expect(output.shape == expected.shape, "\(sweepCase.label)")
    #expect(try layer.outputShape(forInput: configuration.inputShape) == Array(expected.shape.dropFirst()))
    expectClose(output.scalars.map(Double.init), expected.values, relative: 0, sweepCase.label)
  }

  @Test(arguments: labelledConfigurations)
  func avgPoolForwardMatchesDefinition(_ sweepCase: Labelled<PoolConfiguration>) throws {
    let configuration = sweepCase.value
    let layer = AvgPool2D(poolSize: configuration.poolSize, stride: configuration.stride)
    let input = randomTensor([2] + configuration.inputShape, seed: 32)
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    let expected = Self.directPool(input, poolSize: configuration.poolSize, stride: configuration.stride, maximum: false)
    #expect(output.shape == expected.shape, "\(sweepCase.label)")
    #expect(try layer.outputShape(forInput: configuration.inputShape) == Array(expected.shape.dropFirst()))
    expectClose(output.scalars.map(Double.init), expected.values, relative: 1e-6, absolute: 1e-6, sweepCase.label)
  }

  /// Inputs spaced 0.05 apart and a step of 0.01 keep every window's maximum in place.
  @Test(arguments: labelledConfigurations)
  func maxPoolGradientMatchesFiniteDifferences(_ sweepCase: Labelled<PoolConfiguration>) {
    let configuration = sweepCase.value
    let layer = MaxPool2D(poolSize: configuration.poolSize, stride: configuration.stride)
    checkFiniteDifferences(
      layer, input: wellSeparatedTensor([2] + configuration.inputShape, seed: 33), maxCoordinates: 200, sweepCase.label)
  }

  @Test(arguments: labelledConfigurations)
  func avgPoolGradientMatchesFiniteDifferences(_ sweepCase: Labelled<PoolConfiguration>) {
    let configuration = sweepCase.value
    let layer = AvgPool2D(poolSize: configuration.poolSize, stride: configuration.stride)
    checkFiniteDifferences(
      layer, input: randomTensor([2] + configuration.inputShape, seed: 34), maxCoordinates: 200, sweepCase.label)
  }

  @Test func maxPoolTiesSendTheGradientToTheFirstMaximum() {
    // One 2×3 image, one channel, window 2 stride 1: windows over columns (0,1) and (1,2).
    // Row-major values: [1, 3, 3]
    //                   [3, 0, 2]
    // Window 0 holds 3 at (0,1) and (1,0): the first in scan order, (0,1), gets the gradient.
    // Window 1 holds 3 at (0,1) and (0,2): (0,1) again.
    let layer = MaxPool2D(poolSize: 2, stride: 1)
    let input = Tensor(shape: [1, 2, 3, 1], scalars: [1, 3, 3, 3, 0, 2])
    var generator = SeededGenerator(seed: 0)
    let output = layer.forward(input, mode: .training, generator: &generator)
    #expect(output.scalars == [3, 3])
    let gradient = layer.backward(Tensor(shape: [1, 1, 2, 1], scalars: [10, 100]), needsInputGradient: true)
    #expect(gradient?.scalars == [0, 110, 0, 0, 0, 0])
  }

  @Test func parameterFreeLayersAddNoNorms() {
    for layer: Layer in [MaxPool2D(poolSize: 2), AvgPool2D(poolSize: 2, stride: 1)] {
      #expect(layer.parameters.isEmpty)
      checkPerExampleBookkeeping(layer, input: randomTensor([3, 4, 4, 2], seed: 35), layer.kind)
      checkPerExampleBookkeeping(layer, input: randomTensor([0, 4, 4, 2], seed: 35), "\(layer.kind), batch 0")
    }
  }

  @Test func windowLargerThanInputIsAShapeError() {
    for layer: Layer in [MaxPool2D(poolSize: 3, stride: 1), AvgPool2D(poolSize: 3)] {
      do {
        _ = try layer.outputShape(forInput: [2, 5, 4])
        Issue.record("\(layer.kind) accepted a 3×3 window on a 2×5 image")
      } catch {
        #expect(error.description.contains("3×3") && error.description.contains("2×5"), "message: \(error.description)")
      }
      #expect(throws: ShapeError.self) { try layer.outputShape(forInput: [16]) }
    }
  }
}
