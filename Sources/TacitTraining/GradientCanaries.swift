import Foundation
import TacitNN
import TacitTensor

/// White-box "Dirac" gradient canaries for a one-run DP-SGD audit (Steinke, Nasr & Jagielski
/// 2023, "Privacy Auditing with One (1) Training Run", §5 white-box; Nasr et al. 2023), which go
/// through the implementation's own sampling and clipping code.
///
/// **What a canary is.** Canary i is a fictitious record whose gradient is `R·e_{j_i}`: raw norm
/// `R = 10·C` on one parameter coordinate `j_i` (distinct coordinates, uniformly chosen; under
/// per-layer clipping `10·C/√L`, ten times its leaf's bound). Before training each canary is IN
/// with probability ½ (`isIncluded`, fixed from the audit seed). The m_in IN canaries are records
/// `N, …, N + m_in − 1` of the trainer's pool (`recordOffset`): the Poisson sampler draws them at
/// every step with the same rate as every record, and their gradients go through the same clip
/// factors (`ClipWeights`) as the records' before the noise, so a correct implementation adds
/// exactly `C/E` (one unit) at the coordinate of every drawn canary. A sampler at the wrong rate,
/// a missing or loosened clip, or a bound above C changes what the canaries add, and shows.
///
/// **Score.** The adversary of the DP analysis sees every privatised update and knows every other
/// record, so it subtracts their contribution: at step t canary i observes
/// `x_{i,t} = (g̃_t[j_i] − d_t[j_i]) / u_t`, the privatised gradient at its coordinate minus the
/// other records' clipped contribution there, in units `u_t = C_t/E` (C_t the bound of the step:
/// C, C_t under adaptive clipping, divided by √L per layer). Under the accounted mechanism
/// `x_{i,t} ~ N(b_{i,t}, s²)` with `b_{i,t} ~ Bernoulli(q)` for an IN canary, 0 for an OUT one, and
/// `s = σC_t/E / u_t` the claimed noise in units (σ, or σ√L per layer). The score is the
/// likelihood ratio of that per-step mixture against pure noise, summed over the T steps:
///
///     score_i = Σ_t log(1 − q + q·exp((x_{i,t} − ½)/s²)),
///
/// the Neyman–Pearson optimal test between "IN" and "OUT" for the accounted subsampled Gaussian
/// mechanism (much stronger than the plain sum Σ_t x_{i,t}, `sums`, when q is small). Any score is
/// valid for the one-run bound (it is post-processing of what the adversary sees); this one is
/// the strongest against the mechanism the accountant analysed.
///
/// **Mechanism measurements.** Because the run knows which canaries the sampler drew at each step,
/// it also measures the mechanism directly (`measurements`; judged by the pipeline as
/// `MechanismCheck`s): the drawn fraction (q), the mean observation of a drawn canary (1 unit), the
/// spread of an undrawn canary's observation (s), and the correlation of that noise between
/// consecutive steps (0).
///
/// The canaries perturb the trained model: an IN canary moves its coordinate by about
/// `lr · q·T · C/E` in total. Audit runs use them knowing this; the released model of a canary
/// run is the audited one, canaries included.
public final class GradientCanaries {
  /// How many times its clipping bound a canary's raw gradient norm is: `R = 10·C`.
  public static let rawNormFactor = 10.0

  /// Coordinate of each canary as (parameter index in `Sequential.parameters`, offset in it).
  public let coordinates: [(parameter: Int, offset: Int)]
  /// Whether each canary takes part in training (each IN with probability ½).
  public let isIncluded: [Bool]
  /// The IN canaries in record order: virtual record `recordOffset + k` is canary
  /// `includedCanaries[k]`.
  public let includedCanaries: [Int]
  /// The accounted Poisson sampling rate q (the score's and the rate check's; the sampler draws
  /// the canaries at whatever rate it draws every record).
  public let sampleRate: Double
  /// The likelihood-ratio score of each canary so far (see above).
  public private(set) var scores: [Double]
  /// The plain sum of each canary's observations `Σ_t x_{i,t}` (units of the step's C_t/E).
  public private(set) var sums: [Double]
  /// How many steps each canary was drawn into.
  public private(set) var inclusions: [Int]
  /// What the canaries measured of the mechanism so far.
  public private(set) var measurements = CanaryMeasurements()

  /// The other records' contribution at each canary's coordinate in the current step.
  private var dataContribution: [Float]
  /// Whether each canary was drawn into the current step.
  private var drawn: [Bool]
  /// Each canary's standardized noise `x/s` of the previous step, `nil` when it was drawn then
  /// (or before the first step).
  private var previousNoise: [Double?]
  /// The current step's unit `u_t` and claimed noise in units `s`.
  private var stepUnit = 1.0
  private var stepNoise = 1.0

  /// `count` canaries on distinct coordinates of `parameterCounts` (the sizes of the model's
  /// parameters, in order), each IN with probability ½, scored against the accounted rate
  /// `sampleRate`.
  ///
  /// - Parameters:
  ///   - generator: draws the coordinates (split "canary-coordinates") and the IN/OUT coins
  ///     (split "canary-membership").
  public init(count: Int, parameterCounts: [Int], sampleRate: Double, generator: SeededGenerator) {
    let total = parameterCounts.reduce(0, +)
    precondition(count >= 1 && count <= total, "\(count) canaries need as many coordinates; the model has \(total)")
    precondition(sampleRate > 0 && sampleRate <= 1, "sample rate must be in (0, 1], got \(sampleRate)")
    var coordinateGenerator = generator.split("canary-coordinates")
    let flat = Array(Random.permutation(total, using: &coordinateGenerator).prefix(count))
    var starts: [Int] = []
    var running = 0
    for size in parameterCounts {
      starts.append(running)
      running += size
    }
    coordinates = flat.map { index in
      let parameter = starts.lastIndex { $0 <= index }!
      return (parameter, index - starts[parameter])
    }
    var coinGenerator = generator.split("canary-membership")
    let coins = (0..<count).map { _ in coinGenerator.next() & 1 == 1 }
    isIncluded = coins
    includedCanaries = coins.indices.filter { coins[$0] }
    self.sampleRate = sampleRate
    scores = Array(repeating: 0, count: count)
    sums = Array(repeating: 0, count: count)
    inclusions = Array(repeating: 0, count: count)
    dataContribution = Array(repeating: 0, count: count)
    drawn = Array(repeating: false, count: count)
    previousNoise = Array(repeating: nil, count: count)
  }

  /// The canaries of one step: `records` are the drawn virtual records' ordinals among the IN
  /// canaries (record `recordOffset + k` is `k`); returns the canary indices.
  public func canaries(ofRecords records: [Int]) -> [Int] { records.map { includedCanaries[$0] } }

  /// Starts a step: marks the drawn canaries (indices into `coordinates`) and records the other
  /// records' contribution at every canary coordinate (the gradients hold exactly the clipped
  /// data sum now, before any canary or noise).
  func beginStep(drawn drawnCanaries: [Int], parameters: [Parameter], unit: Double, claimedNoise: Double) {
    for index in drawn.indices { drawn[index] = false }
    for canary in drawnCanaries { drawn[canary] = true }
    stepUnit = unit
    stepNoise = claimedNoise / unit
    for (index, coordinate) in coordinates.enumerated() {
      dataContribution[index] = parameters[coordinate.parameter].gradient.scalars[coordinate.offset]
    }
    measurements.eligibleDraws += includedCanaries.count
    measurements.draws += drawnCanaries.count
  }

  /// After the noise: each canary's observation `x = (g̃[j] − d[j]) / u`, folded into its score,
  /// its sum and the mechanism measurements.
  func observe(_ parameters: [Parameter]) {
    let q = sampleRate
    let s = stepNoise
    for (index, coordinate) in coordinates.enumerated() {
      let privatised = parameters[coordinate.parameter].gradient.scalars[coordinate.offset]
      let x = (Double(privatised) - Double(dataContribution[index])) / stepUnit
      sums[index] += x
      scores[index] += Self.logLikelihoodRatio(x, sampleRate: q, noise: s)
      if drawn[index] {
        inclusions[index] += 1
        measurements.contributionSum += x
        measurements.contributionCount += 1
        previousNoise[index] = nil
      } else {
        let standardized = s > 0 ? x / s : x
        measurements.noiseSquares += standardized * standardized
        measurements.noiseCount += 1
        if let previous = previousNoise[index] {
          measurements.lagProducts += previous * standardized
          measurements.lagPreviousSquares += previous * previous
          measurements.lagCurrentSquares += standardized * standardized
          measurements.lagCount += 1
        }
        previousNoise[index] = standardized
      }
    }
    measurements.noiseInUnits = s
  }

  /// What the canaries carry from one step to the next, saved in a training checkpoint: the
  /// scores, sums, inclusion counts, measurements and each canary's previous noise.
  public struct State: Codable, Sendable, Equatable {
    public var scores: [Double]
    public var sums: [Double]
    public var inclusions: [Int]
    public var measurements: CanaryMeasurements
    public var previousNoise: [Double?]
  }

  /// The state at the end of a step, for a checkpoint.
  public var savedState: State {
    State(scores: scores, sums: sums, inclusions: inclusions, measurements: measurements, previousNoise: previousNoise)
  }

  /// Puts back a checkpoint's state (`savedState`) of the same canaries.
  public func restore(_ state: State) {
    precondition(state.scores.count == scores.count, "\(state.scores.count) saved canaries, \(scores.count) here")
    scores = state.scores
    sums = state.sums
    inclusions = state.inclusions
    measurements = state.measurements
    previousNoise = state.previousNoise
  }

  /// `log(1 − q + q·exp((x − ½)/s²))`, the log-likelihood ratio of one step's observation x
  /// between "included with probability q" (N(1, s²) with probability q, else N(0, s²)) and
  /// N(0, s²), computed without overflow; the plain `x − ½` scaled by 1/s² when q = 1, and `x`
  /// itself when s = 0 (no noise: any increasing function of x is optimal).
  public static func logLikelihoodRatio(_ x: Double, sampleRate q: Double, noise s: Double) -> Double {
    guard s > 0 else { return x }
    let a = (x - 0.5) / (s * s)
    if q >= 1 { return a }
    if a > 0 { return a + Foundation.log(q + (1 - q) * Foundation.exp(-a)) }
    return Foundation.log1p(q * Foundation.expm1(a))
  }
}

/// Running totals of what the gradient canaries observed of the DP-SGD mechanism (see
/// `GradientCanaries`); the pipeline turns them into `MechanismCheck`s.
public struct CanaryMeasurements: Sendable, Equatable, Codable {
  /// IN canaries × steps: the draws the sampler could make.
  public var eligibleDraws = 0
  /// The draws it made.
  public var draws = 0
  /// Σ x over drawn canaries (units u_t) and how many.
  public var contributionSum = 0.0
  public var contributionCount = 0
  /// Σ (x/s)² over undrawn canaries and how many.
  public var noiseSquares = 0.0
  public var noiseCount = 0
  /// Over canaries undrawn at both t − 1 and t: Σ z_{t−1} z_t, Σ z_{t−1}², Σ z_t² (z = x/s), and
  /// how many pairs.
  public var lagProducts = 0.0
  public var lagPreviousSquares = 0.0
  public var lagCurrentSquares = 0.0
  public var lagCount = 0
  /// The claimed noise in units, s (σ, or σ√L per layer), of the last step.
  public var noiseInUnits = 0.0

  public init() {}

  /// The measured sampling rate, draws / eligible draws.
  public var sampleRate: Double { eligibleDraws > 0 ? Double(draws) / Double(eligibleDraws) : .nan }
  /// The mean observation of a drawn canary, in units of C/E (1 when clipping is right).
  public var contribution: Double { contributionCount > 0 ? contributionSum / Double(contributionCount) : .nan }
  /// The measured noise standard deviation over the claimed one (1 when the noise is right).
  public var noiseScale: Double { noiseCount > 0 ? (noiseSquares / Double(noiseCount)).squareRoot() : .nan }
  /// The lag-1 correlation of the noise, `Σ z_{t−1} z_t / √(Σ z_{t−1}² Σ z_t²)` (0 when fresh noise
  /// is drawn every step; NaN without noise).
  public var noiseCorrelation: Double {
    lagCount > 0 ? lagProducts / (lagPreviousSquares * lagCurrentSquares).squareRoot() : .nan
  }
}
