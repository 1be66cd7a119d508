import TacitNN
import TacitTensor
import Testing

/// The L1/L2 penalty against a hand computation, and its gradient against central finite
/// differences of the penalty.
struct RegularizationTests {
  static func parameters() -> [Parameter] {
    [
      Parameter(name: "weight", value: Tensor(shape: [2, 2], scalars: [0.5, -1.5, 2, -0.25]), isDecayed: true),
      Parameter(name: "bias", value: Tensor(shape: [2], scalars: [3, -4]), isDecayed: false),
      Parameter(name: "weight", value: Tensor(shape: [3], scalars: [1, -0.75, 0.125]), isDecayed: true),
    ]
  }

  @Test func penaltyByHand() {
    let parameters = Self.parameters()
    // Σ|w| = 4.25 + 1.875 = 6.125; Σw² = 6.5625 + 1.578125 = 8.140625 (biases excluded).
    let regularization = Regularization(l1: 0.01, l2: 0.1)
    let expected = Double(Float(0.01)) * 6.125 + Double(Float(0.1)) / 2 * 8.140625
    #expect(abs(regularization.penalty(parameters) - expected) < 1e-15)
    #expect(Regularization(l1: 1).penalty(parameters) == 6.125)
    #expect(Regularization(l2: 2).penalty(parameters) == 8.140625)
    #expect(Regularization.none.penalty(parameters) == 0)
    #expect(Regularization.none.isNone && !regularization.isNone)
  }

  @Test func gradientMatchesFiniteDifferences() {
    let regularization = Regularization(l1: 0.03, l2: 0.2)
    let parameters = Self.parameters()
    for parameter in parameters { parameter.gradient = Tensor(shape: parameter.value.shape, repeating: 0.5) }
    regularization.addGradients(to: parameters)
    let step: Float = 1e-2
    for (parameterIndex, parameter) in parameters.enumerated() {
      for index in 0..<parameter.value.count {
        let original = parameter.value.scalars[index]
        parameter.value.scalars[index] = original + step
        let plusValue = parameter.value.scalars[index]
        let plus = regularization.penalty(parameters)
        parameter.value.scalars[index] = original - step
        let minusValue = parameter.value.scalars[index]
        let minus = regularization.penalty(parameters)
        parameter.value.scalars[index] = original
        let numeric = (plus - minus) / (Double(plusValue) - Double(minusValue))
        // The analytic gradient was added on top of 0.5.
        let analytic = Double(parameter.gradient.scalars[index]) - 0.5
        #expect(
          abs(numeric - analytic) < 1e-5,
          "parameter \(parameterIndex) element \(index): finite difference \(numeric), analytic \(analytic)")
        if !parameter.isDecayed { #expect(analytic == 0) }
      }
    }
  }

  @Test func signOfZeroIsZero() {
    let parameter = Parameter(name: "weight", value: Tensor(shape: [3], scalars: [0, 2, -2]), isDecayed: true)
    Regularization(l1: 0.5, l2: 0.25).addGradients(to: [parameter])
    #expect(parameter.gradient.scalars == [0, 1, -1])
  }
}
