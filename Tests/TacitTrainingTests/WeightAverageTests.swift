import TacitNN
import TacitTensor
import TacitTraining
import Testing

@Suite struct WeightAverageTests {
  /// θ̄_t = β_t θ̄_{t−1} + (1 − β_t) θ_t with β_t = min(β, (1 + t)/(10 + t)), computed by hand.
  @Test func followsTheWarmedUpRecurrence() {
    let parameter = Parameter(name: "w", value: Tensor(shape: [2], scalars: [1, -2]), isDecayed: true)
    let average = WeightAverage(parameters: [parameter], decay: 0.5)
    var expected: [Double] = [1, -2]
    let iterates: [[Float]] = [[3, 0], [5, 4], [-1, 2], [0, 0]]
    for (step, iterate) in iterates.enumerated() {
      parameter.value = Tensor(shape: [2], scalars: iterate)
      let beta = min(0.5, Double(1 + step) / Double(10 + step))
      #expect(abs(average.currentDecay - beta) < 1e-15)
      average.update([parameter])
      expected = zip(expected, iterate).map { beta * $0 + (1 - beta) * Double($1) }
    }
    average.swap(with: [parameter])
    for (got, want) in zip(parameter.value.scalars, expected) { #expect(abs(Double(got) - want) < 1e-6) }
    // A second swap restores the last iterate.
    average.swap(with: [parameter])
    #expect(parameter.value.scalars == [0, 0])
  }

  @Test func trainerEndsHoldingTheAverage() throws {
    let dataset = blobs(samples: 128, seed: 5)
    func train(decay: Double?) throws -> [Float] {
      let model = try makeModel(inputs: 5, classes: 3)
      var configuration = trainer(model: model, epochs: 2).configuration
      configuration.weightAverageDecay = decay
      configuration.evaluateTrain = false
      _ = Trainer(step: trainer(model: model, epochs: 2).step, configuration: configuration).train(
        on: dataset, validation: nil, generator: SeededGenerator(seed: 4))
      return model.parameters.flatMap(\.value.scalars)
    }
    let plain = try train(decay: nil)
    // A decay so small that the average is the last iterate: training itself is unchanged.
    let negligible = try train(decay: 1e-12)
    for (a, b) in zip(plain, negligible) { #expect(abs(a - b) < 1e-6) }
    // A real average: the model ends holding something other than the last iterate.
    let averaged = try train(decay: 0.9)
    let difference = zip(plain, averaged).map { abs($0 - $1) }.max() ?? 0
    #expect(difference > 1e-4, "averaged parameters differ from the last iterate by \(difference)")
  }
}
