/// The canary audit's result (one-run bound).
public struct CanaryResult {
  public var kind: String
  public var count: Int
  public var guesses: Int
  public var correct: Int
  public var epsilonLowerBound: Double
  /// The bound if every one of the `guesses` were right: the most this audit could show.
  public var ceiling: Double
  public var confidence: Double
  public var scores: [Double]
  public var included: [Bool]

  public init(
    kind: String, count: Int, guesses: Int, correct: Int, epsilonLowerBound: Double, ceiling: Double,
    confidence: Double, scores: [Double], included: [Bool]
  ) {
    self.kind = kind
    self.count = count
    self.guesses = guesses
    self.correct = correct
    self.epsilonLowerBound = epsilonLowerBound
    self.ceiling = ceiling
    self.confidence = confidence
    self.scores = scores
    self.included = included
  }
}
