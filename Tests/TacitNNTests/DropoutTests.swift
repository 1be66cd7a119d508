import TacitNN
import TacitTensor
import Testing

@Suite struct DropoutTests {
  @Test func inferenceIsTheIdentity() {
    let layer = Dropout(rate: 0.5)
    let input = randomTensor([3, 7], seed: 41)
    var generator = SeededGenerator(seed: 1)
    #expect(layer.forward(input, mode: .inference, generator: &generator) == input)
  }

  @Test func trainingKeepsAboutOneMinusRateAndScalesTheKeptElements() {
    let rate: Float = 0.3
    let layer = Dropout(rate: rate)
    let input = Tensor(shape: [100, 100], repeating: 2)
    var generator = SeededGenerator(seed: 2)
    let output = layer.forward(input, mode: .training, generator: &generator)
    let kept = output.scalars.filter { $0 != 0 }
    #expect(kept.allSatisfy { abs($0 - 2 / (1 - rate)) < 1e-6 })
    // Binomial(10000, 0.7): standard deviation ≈ 46; allow 5 of them.
    #expect(abs(kept.count - 7000) < 230, "kept \(kept.count) of 10000")
    // Inverted dropout keeps the mean: E[y] = x.
    #expect(abs(output.sum / 10000 - 2) < 0.05)
  }

  @Test func sameGeneratorStateGivesTheSameMask() {
    let layer = Dropout(rate: 0.5)
    let input = randomTensor([4, 9], seed: 42)
    var first = SeededGenerator(seed: 3)
    var second = SeededGenerator(seed: 3)
    let a = layer.forward(input, mode: .training, generator: &first)
    let b = layer.forward(input, mode: .training, generator: &second)
    #expect(a == b)
    let c = layer.forward(input, mode: .training, generator: &second)
    #expect(a != c, "the generator advanced, so the next mask differs")
  }

  @Test func backwardMultipliesByTheSameMask() {
    let layer = Dropout(rate: 0.25)
    let input = Tensor(shape: [2, 50], repeating: 1)
    var generator = SeededGenerator(seed: 4)
    let output = layer.forward(input, mode: .training, generator: &generator)
    let outputGradient = randomTensor([2, 50], seed: 43)
    let inputGradient = layer.backward(outputGradient, needsInputGradient: true)!
    // With x = 1, the output is the scaled mask itself.
    for i in 0..<100 { #expect(inputGradient.scalars[i] == outputGradient.scalars[i] * output.scalars[i]) }
  }

  @Test func gradientMatchesFiniteDifferencesWithAFixedMask() {
    checkFiniteDifferences(Dropout(rate: 0.4), input: randomTensor([3, 2, 4], seed: 44), maxCoordinates: 100, "dropout 0.4")
  }

  @Test func rateZeroIsTheIdentityInTraining() {
    let layer = Dropout(rate: 0)
    let input = randomTensor([2, 5], seed: 45)
    var generator = SeededGenerator(seed: 5)
    #expect(layer.forward(input, mode: .training, generator: &generator) == input)
  }

  @Test func addsNoNorms() {
    checkPerExampleBookkeeping(Dropout(rate: 0.5), input: randomTensor([3, 6], seed: 46), "dropout")
    checkPerExampleBookkeeping(Dropout(rate: 0.5), input: randomTensor([0, 6], seed: 46), "dropout, batch 0")
    #expect((try? Dropout(rate: 0.5).outputShape(forInput: [3, 4])) == [3, 4])
  }
}
