import TacitNN
import TacitTensor
import Testing

@Suite struct DenseTests {
  static let shapes: [(String, [Int])] = [
    ("vectors [B, 5]", [5]),
    ("sequence [B, 3, 5]", [3, 5]),
  ]
  static let batches: [(String, Int)] = [("batch 0", 0), ("batch 1", 1), ("batch 3", 3)]
  static let biases: [(String, Bool)] = [("bias", true), ("no bias", false)]

  @Test func forwardMatchesClosedForm() {
    var generator = SeededGenerator(seed: 1)
    let layer = Dense(inputCount: 4, outputCount: 3, generator: &generator)
    let input = randomTensor([2, 4], seed: 2)
    let output = layer.forward(input, mode: .inference, generator: &generator)
    #expect(output.shape == [2, 3])
    var expected: [Double] = []
    for b in 0..<2 {
      for o in 0..<3 {
        var total = Double(layer.bias!.value.scalars[o])
        for i in 0..<4 { total += Double(layer.weight.value.scalars[o * 4 + i]) * Double(input.scalars[b * 4 + i]) }
        expected.append(total)
      }
    }
    expectClose(output.scalars.map(Double.init), expected, relative: 1e-5, absolute: 1e-6, "dense forward")
  }

  @Test func initialisationIsBoundedByFanIn() {
    var generator = SeededGenerator(seed: 3)
    let layer = Dense(inputCount: 16, outputCount: 8, generator: &generator)
    let bound: Float = 0.25
    #expect(layer.weight.value.shape == [8, 16])
    #expect(layer.weight.value.scalars.allSatisfy { abs($0) <= bound })
    #expect(layer.weight.value.scalars.contains { abs($0) > bound / 2 }, "the initial weights use the whole range")
    #expect(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
  }

  @Test(arguments: sweep(shapes, biases))
  func gradientsMatchFiniteDifferences(_ sweepCase: Labelled<([Int], Bool)>) {
    let (shape, hasBias) = sweepCase.value
    var generator = SeededGenerator(seed: 4)
    let layer = Dense(inputCount: 5, outputCount: 4, hasBias: hasBias, generator: &generator)
    checkFiniteDifferences(layer, input: randomTensor([2] + shape, seed: 5), sweepCase.label)
  }

  @Test(arguments: sweep(shapes, batches, biases))
  func perExampleNormsAndWeightedSumMatchBatchOfOne(_ sweepCase: Labelled<([Int], Int, Bool)>) {
    let (shape, batch, hasBias) = sweepCase.value
    var generator = SeededGenerator(seed: 6)
    let layer = Dense(inputCount: 5, outputCount: 4, hasBias: hasBias, generator: &generator)
    checkPerExampleBookkeeping(layer, input: randomTensor([batch] + shape, seed: 7), sweepCase.label)
  }

  @Test func imageInputWithoutFlattenIsAShapeError() {
    var generator = SeededGenerator(seed: 8)
    let layer = Dense(inputCount: 16, outputCount: 4, generator: &generator)
    #expect(throws: ShapeError.self) { try layer.outputShape(forInput: [4, 4, 1]) }
    do {
      _ = try layer.outputShape(forInput: [4, 4, 1])
    } catch {
      #expect(error.description.contains("flatten"), "message: \(error.description)")
      #expect(error.description.contains("[4, 4, 1]"), "message: \(error.description)")
    }
    #expect(throws: ShapeError.self) { try layer.outputShape(forInput: [15]) }
    #expect((try? layer.outputShape(forInput: [16])) == [4])
    #expect((try? layer.outputShape(forInput: [7, 16])) == [7, 4])
  }
}
