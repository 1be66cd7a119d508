import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct NextTokenCrossEntropyTests {
  static let lengths = [5, 1, 3, 0, 2]

  /// Per-record mean of −log softmax(z_t)[x_{t+1}] over t < n − 1, in Float64.
  static func reference(_ logits: [Double], tokens: Tensor, vocabulary V: Int) -> [Double] {
    let T = tokens.shape[1]
    return lengths.enumerated().map { b, n in
      guard n >= 2 else { return 0 }
      var total = 0.0
      for t in 0..<(n - 1) {
        let row = Array(logits[((b * T + t) * V)..<((b * T + t + 1) * V)])
        let maximum = row.max()!
        let logTotal = maximum + log(row.reduce(0) { $0 + exp($1 - maximum) })
        total += logTotal - row[Int(tokens.scalars[b * T + t + 1])]
      }
      return total / Double(n - 1)
    }
  }

  static let tokens = paddedTokens(lengths: lengths, positions: 5, vocabulary: 7, seed: 151)
  static let logits = randomTensor([5, 5, 7], seed: 152, scale: 2)

  @Test func lossesMatchDefinition() {
    let (losses, gradient) = NextTokenCrossEntropy().lossesAndGradient(logits: Self.logits, tokens: Self.tokens)
    let expected = Self.reference(Self.logits.scalars.map(Double.init), tokens: Self.tokens, vocabulary: 7)
    expectClose(losses.map(Double.init), expected, relative: 1e-5, absolute: 1e-6, "losses")
    #expect(losses[1] == 0 && losses[3] == 0)
    // Zero gradient at each record's last token, at padding, and for records shorter than 2.
    let masked = settingPadding(gradient, lengths: Self.lengths.map { max(0, $0 - 1) }, to: 0)
    #expect(masked == gradient)
  }

  @Test func gradientMatchesFiniteDifferencesOfTheDefinition() {
    let (_, gradient) = NextTokenCrossEntropy().lossesAndGradient(logits: Self.logits, tokens: Self.tokens)
    let base = Self.logits.scalars.map(Double.init)
    let step = 1e-5
    var numeric: [Double] = []
    for i in base.indices {
      var plus = base, minus = base
      plus[i] += step
      minus[i] -= step
      let difference = zip(
        Self.reference(plus, tokens: Self.tokens, vocabulary: 7), Self.reference(minus, tokens: Self.tokens, vocabulary: 7)
      ).reduce(0) { $0 + $1.0 - $1.1 }
      numeric.append(difference / (2 * step))
    }
    expectClose(gradient.scalars.map(Double.init), numeric, relative: 1e-4, absolute: 1e-6, "∂ℓ/∂z")
  }

  @Test func tokenLogProbabilitiesAverageToTheLoss() {
    let objective = NextTokenCrossEntropy()
    let logProbabilities = objective.tokenLogProbabilities(logits: Self.logits, tokens: Self.tokens)
    let losses = objective.lossesAndGradient(logits: Self.logits, tokens: Self.tokens).losses
    #expect(logProbabilities.map(\.count) == Self.lengths.map { max(0, $0 - 1) })
    for (b, values) in logProbabilities.enumerated() where !values.isEmpty {
      #expect(values.allSatisfy { $0 <= 0 })
      let mean = -values.reduce(0, +) / Float(values.count)
      #expect(abs(mean - losses[b]) < 1e-5)
    }
  }

  @Test func largeLogitsStayFinite() {
    var shifted = Self.logits
    shifted.scalars = shifted.scalars.map { $0 * 1000 + 50_000 }
    let (losses, gradient) = NextTokenCrossEntropy().lossesAndGradient(logits: shifted, tokens: Self.tokens)
    #expect(losses.allSatisfy(\.isFinite) && gradient.scalars.allSatisfy(\.isFinite))
    let logProbabilities = NextTokenCrossEntropy().tokenLogProbabilities(logits: shifted, tokens: Self.tokens)
    #expect(logProbabilities.joined().allSatisfy { $0.isFinite && $0 <= 0 })
  }
}
