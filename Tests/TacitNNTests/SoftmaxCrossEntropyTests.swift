import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct SoftmaxCrossEntropyTests {
  static let smoothings: [(String, Float)] = [("no smoothing", 0), ("smoothing 0.1", 0.1), ("smoothing 0.5", 0.5)]
  static var labelledSmoothings: [Labelled<Float>] { smoothings.map { Labelled(label: $0.0, value: $0.1) } }
  static let labels: [Int32] = [0, 3, 2, 1]

  /// `ℓ = logΣexp z − (1 − ε) z_y − (ε/K) Σ_k z_k` and `∂ℓ/∂z = softmax z − t`, in Float64.
  static func reference(logits: Tensor, labels: [Int32], smoothing: Float) -> (losses: [Double], gradient: [Double]) {
    let classes = logits.shape[1]
    let epsilon = Double(smoothing)
    var losses: [Double] = []
    var gradient: [Double] = []
    for b in labels.indices {
      let z = (0..<classes).map { Double(logits.scalars[b * classes + $0]) }
      let maximum = z.max()!
      let logTotal = maximum + log(z.map { exp($0 - maximum) }.reduce(0, +))
      let label = Int(labels[b])
      losses.append(logTotal - (1 - epsilon) * z[label] - epsilon / Double(classes) * z.reduce(0, +))
      for k in 0..<classes {
        let target = epsilon / Double(classes) + (k == label ? 1 - epsilon : 0)
        gradient.append(exp(z[k] - logTotal) - target)
      }
    }
    return (losses, gradient)
  }

  @Test(arguments: labelledSmoothings)
  func lossesAndGradientMatchClosedForm(_ sweepCase: Labelled<Float>) {
    let logits = randomTensor([4, 5], seed: 81, scale: 2)
    let loss = SoftmaxCrossEntropy(labelSmoothing: sweepCase.value)
    let (losses, gradient) = loss.lossesAndGradient(logits: logits, labels: Self.labels)
    let expected = Self.reference(logits: logits, labels: Self.labels, smoothing: sweepCase.value)
    expectClose(losses.map(Double.init), expected.losses, relative: 1e-5, absolute: 1e-6, "\(sweepCase.label): losses")
    expectClose(
      gradient.scalars.map(Double.init), expected.gradient, relative: 1e-5, absolute: 1e-6, "\(sweepCase.label): gradient")
    for b in 0..<4 {
      let rowSum = (0..<5).reduce(0.0) { $0 + Double(gradient.scalars[b * 5 + $1]) }
      #expect(abs(rowSum) < 1e-6, "\(sweepCase.label): gradient row \(b) sums to \(rowSum)")
    }
  }

  @Test(arguments: labelledSmoothings)
  func gradientMatchesFiniteDifferencesOfTheLoss(_ sweepCase: Labelled<Float>) {
    let logits = randomTensor([4, 5], seed: 82)
    let loss = SoftmaxCrossEntropy(labelSmoothing: sweepCase.value)
    let gradient = loss.lossesAndGradient(logits: logits, labels: Self.labels).gradient
    let step: Float = 1e-2
    var numeric: [Double] = []
    for i in 0..<logits.count {
      var plus = logits, minus = logits
      plus.scalars[i] += step
      minus.scalars[i] -= step
      let up = loss.lossesAndGradient(logits: plus, labels: Self.labels).losses.reduce(0.0) { $0 + Double($1) }
      let down = loss.lossesAndGradient(logits: minus, labels: Self.labels).losses.reduce(0.0) { $0 + Double($1) }
      numeric.append((up - down) / (Double(plus.scalars[i]) - Double(minus.scalars[i])))
    }
    expectClose(gradient.scalars.map(Double.init), numeric, relative: 1e-2, absolute: 1e-3, sweepCase.label)
  }

  @Test func extremeLogitsStayFinite() {
    let logits = Tensor(shape: [2, 3], scalars: [1000, 0, -1000, -1000, 0, 1000])
    let (losses, gradient) = SoftmaxCrossEntropy(labelSmoothing: 0.1).lossesAndGradient(logits: logits, labels: [1, 2])
    let expected = Self.reference(logits: logits, labels: [1, 2], smoothing: 0.1)
    #expect(losses.allSatisfy(\.isFinite) && gradient.scalars.allSatisfy(\.isFinite))
    expectClose(losses.map(Double.init), expected.losses, relative: 1e-5, "extreme logits")
  }

  @Test func softmaxRowsAreProbabilities() {
    let p = softmax(randomTensor([3, 4], seed: 83, scale: 5))
    for b in 0..<3 {
      let row = p.scalars[(b * 4)..<(b * 4 + 4)]
      #expect(row.allSatisfy { $0 >= 0 } && abs(row.reduce(0, +) - 1) < 1e-6)
    }
  }
}
