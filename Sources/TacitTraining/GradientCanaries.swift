import TacitNN
import TacitTensor

/// White-box "Dirac" gradient canaries for a one-run DP-SGD audit (Steinke, Nasr & Jagielski
/// 2023, "Privacy Auditing with One (1) Training Run", §5 white-box; Nasr et al. 2023).
///
/// Canary i is a fictitious record whose clipped gradient is `C·e_{j_i}`: norm exactly C on one
/// parameter coordinate `j_i` (distinct coordinates, uniformly chosen). Before training each canary
/// is IN with probability ½ (`isIncluded`, fixed from the audit seed). At every step an IN canary
/// joins the batch with the sampling rate q, independently, like every record (Poisson sampling),
/// and adds `C / E` (E the expected batch size, DP-SGD's divisor) to its coordinate of the
/// gradient before the noise is added.
///
/// **Score.** The adversary of the DP analysis sees every privatised update and knows every other
/// record, so it can subtract their contribution: canary i's score is
/// `s_i = Σ_t (g̃_t[j_i] − d_t[j_i]) / (C_t/E)`, the privatised gradient at its coordinate minus
/// the other records' clipped contribution there, in units of the step's canary contribution
/// (C_t = C under fixed clipping; the clip norm of the step under adaptive clipping, so every
/// step's observation has the same noise, σ, and weighs the same), summed over the T steps. For an
/// IN canary `s_i ~ Bin(T, q) + N(0, T σ²)`; for an OUT canary only the noise term. This is the
/// strongest attack DP-SGD's analysis allows (the subsampled Gaussian mechanism's worst case,
/// composed), so a correct implementation's one-run bound stays below its ε, and a broken one
/// (noise off, clipping ignored) shows at once.
///
/// The canaries perturb the trained model: an IN canary moves its coordinate by about
/// `lr · q·T · C/E` in total. Audit runs use them knowing this; the released model of a canary
/// run is the audited one, canaries included.
public final class GradientCanaries {
  /// Coordinate of each canary as (parameter index in `Sequential.parameters`, offset in it).
  public let coordinates: [(parameter: Int, offset: Int)]
  /// Whether each canary takes part in training (each IN with probability ½).
  public let isIncluded: [Bool]
  /// Poisson sampling rate q of an IN canary at each step.
  public let sampleRate: Double
  /// The canary gradient's norm C (DP-SGD's clipping norm).
  public let gradientNorm: Float
  /// The score of each canary so far, see above (units: the canary's own per-step contribution).
  public private(set) var scores: [Double]
  /// How many steps each canary joined.
  public private(set) var inclusions: [Int]
  /// Draws the per-step inclusions.
  private var generator: SeededGenerator
  /// The other records' contribution at each canary's coordinate in the current step.
  private var dataContribution: [Float]
  /// The current step's canary contribution C_t/E, the unit of that step's observation.
  private var stepUnit = 1.0

  /// `count` canaries on distinct coordinates of `parameterCounts` (the sizes of the model's
  /// parameters, in order), each IN with probability ½.
  ///
  /// - Parameters:
  ///   - generator: draws coordinates, the IN/OUT coins and, afterwards, the per-step inclusions.
  public init(
    count: Int, parameterCounts: [Int], sampleRate: Double, gradientNorm: Float, generator: SeededGenerator
  ) {
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
    isIncluded = (0..<count).map { _ in coinGenerator.next() & 1 == 1 }
    self.sampleRate = sampleRate
    self.gradientNorm = gradientNorm
    self.generator = generator.split("canary-sampling")
    scores = Array(repeating: 0, count: count)
    inclusions = Array(repeating: 0, count: count)
    dataContribution = Array(repeating: 0, count: count)
  }

  /// Before the noise: records the other records' contribution at each canary coordinate, then
  /// adds `norm / expectedBatchSize` for every IN canary drawn into this step, where `norm` is
  /// the step's clipping norm when given (`C_t` under adaptive clipping), else `gradientNorm`.
  public func inject(into parameters: [Parameter], expectedBatchSize: Double, gradientNorm stepNorm: Float? = nil) {
    let contribution = (stepNorm ?? gradientNorm) / Float(expectedBatchSize)
    stepUnit = Double(contribution)
    for (index, coordinate) in coordinates.enumerated() {
      let gradient = parameters[coordinate.parameter].gradient
      dataContribution[index] = gradient.scalars[coordinate.offset]
      guard isIncluded[index] else { continue }
      let uniform = Double(generator.next() >> 11) * 0x1p-53
      if uniform < sampleRate {
        parameters[coordinate.parameter].gradient.scalars[coordinate.offset] += contribution
        inclusions[index] += 1
      }
    }
  }

  /// After the noise: adds the privatised gradient minus the other records' contribution at each
  /// canary coordinate to its score.
  public func observe(_ parameters: [Parameter]) {
    for (index, coordinate) in coordinates.enumerated() {
      let privatised = parameters[coordinate.parameter].gradient.scalars[coordinate.offset]
      scores[index] += (Double(privatised) - Double(dataContribution[index])) / stepUnit
    }
  }
}
