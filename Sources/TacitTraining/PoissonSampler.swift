import RealModule
import TacitTensor

/// Poisson subsampling: every record joins every step independently with probability `q`.
///
/// This is the sampling DP-SGD's accountants analyse (Abadi et al. 2016; Mironov, Talwar & Zhang
/// 2019; the PLD accountant): batches vary in size, `Binomial(N, q)` with mean `qN`, and may be
/// empty. Shuffled fixed-size batches are a different mechanism whose ε can be several times
/// larger; Tacit never accounts them as if they were Poisson.
///
/// Algorithm: geometric skips. The gap to the next included record is
/// `⌊ln U / ln(1 − q)⌋` for `U` uniform in (0, 1], which has exactly the law of the number of
/// failures before a success of Bernoulli(q) trials, so drawing gaps is the same as one coin per
/// record, at `qN` draws per step instead of `N`. `q = 1` includes everyone; `q = 0` no one.
public struct PoissonSampler: Sendable {
  /// The number of records `N`.
  public let recordCount: Int
  /// The inclusion probability `q` per record and step.
  public let sampleRate: Double

  public init(recordCount: Int, sampleRate: Double) {
    precondition(recordCount >= 0, "record count must be ≥ 0, got \(recordCount)")
    precondition(sampleRate >= 0 && sampleRate <= 1, "sample rate must be in [0, 1], got \(sampleRate)")
    self.recordCount = recordCount
    self.sampleRate = sampleRate
  }

  /// The expected batch size `qN`, by which DP-SGD divides the noisy gradient sum.
  public var expectedBatchSize: Double { sampleRate * Double(recordCount) }

  /// The indices of the records in one step's batch, ascending.
  public func sample<G: RandomNumberGenerator>(using generator: inout G) -> [Int] {
    if sampleRate >= 1 { return Array(0..<recordCount) }
    if sampleRate <= 0 || recordCount == 0 { return [] }
    var indices: [Int] = []
    indices.reserveCapacity(Int(expectedBatchSize * 1.2) + 16)
    let logFailure = Double.log(onePlus: -sampleRate)
    var position = -1
    while true {
      // U in (0, 1]: 53 random bits, shifted away from 0.
      let uniform = (Double(generator.next() >> 11) + 1) * 0x1p-53
      let gap = (Double.log(uniform) / logFailure).rounded(.down)
      if gap >= Double(recordCount - position) { break }
      position += Int(gap) + 1
      if position >= recordCount { break }
      indices.append(position)
    }
    return indices
  }
}
