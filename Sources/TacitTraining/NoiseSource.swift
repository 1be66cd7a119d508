import Dispatch
import TacitTensor

/// Where DP-SGD's Gaussian noise and its Poisson sampling draw randomness from.
///
/// - `secure`: ChaCha12 keystreams keyed from the operating system (`SecureGenerator`). The
///   default for DP runs: a model trained with seeded noise can be de-noised by anyone who learns
///   the seed, so only a secure run is fit for release.
/// - `seeded`: `SeededGenerator`s split from the recipe seed, for reproducible experiments;
///   reports mark such runs as not for release.
///
/// Sampling and noise use two independent generators of the source's kind. The noise does not
/// depend on the data, so the next step's standard-normal vector is drawn on a background thread
/// while the current step computes its gradients (`NoisePrefetcher`); with a seeded source the
/// vectors are still the same sequence, so runs repeat bit for bit.
///
/// A seeded source's state can be saved in a checkpoint and restored (`seededState`, `restore`),
/// so that a resumed run draws the same batches and noise as an uninterrupted one. A secure source
/// has no state to save: a resumed secure run continues with fresh keys, never replaying noise.
public final class NoiseSource {
  public enum Kind: String, Sendable {
    case secure
    case seeded
  }

  /// The source's kind.
  public let kind: Kind
  private var samplingGenerator: RandomWordsGenerator
  private let noise: NoisePrefetcher

  /// A secure source.
  public static func secure() -> NoiseSource {
    NoiseSource(kind: .secure, sampling: .secure(SecureGenerator()), noise: .secure(SecureGenerator()))
  }

  /// A reproducible source: sampling and noise from two generators split from `generator`.
  public static func seeded(_ generator: SeededGenerator) -> NoiseSource {
    NoiseSource(
      kind: .seeded, sampling: .seeded(generator.split("sampling")), noise: .seeded(generator.split("noise-values")))
  }

  private init(kind: Kind, sampling: RandomWordsGenerator, noise: RandomWordsGenerator) {
    self.kind = kind
    self.samplingGenerator = sampling
    self.noise = NoisePrefetcher(generator: noise)
  }

  /// `count` independent N(0, 1) samples: the next vector of the noise stream.
  public func standardNormals(count: Int) -> [Float] { noise.take(count: count) }

  /// The state of a seeded source's two streams for a checkpoint: the sampling generator, and the
  /// noise generator as it was before the vector drawn ahead (the next vector handed out is the
  /// first drawn from it). `nil` for a secure source.
  public var seededState: SeededState? {
    guard case .seeded(let sampling) = samplingGenerator, let noise = noise.nextVectorState else { return nil }
    return SeededState(sampling: sampling, noise: noise)
  }

  /// Puts a seeded source back into `state` (from `seededState`): the next batch and noise vector
  /// are those the saved source would have drawn next.
  public func restore(_ state: SeededState) {
    precondition(kind == .seeded, "only a seeded noise source has a state to restore")
    samplingGenerator = .seeded(state.sampling)
    noise.restore(state.noise)
  }

  /// The saved state of a seeded source's sampling and noise streams.
  public struct SeededState: Codable, Sendable {
    public var sampling: SeededGenerator
    public var noise: SeededGenerator
  }

  /// One Poisson batch drawn from the sampling stream.
  public func sample(_ sampler: PoissonSampler) -> [Int] {
    switch samplingGenerator {
    case .secure(var generator):
      defer { samplingGenerator = .secure(generator) }
      return sampler.sample(using: &generator)
    case .seeded(var generator):
      defer { samplingGenerator = .seeded(generator) }
      return sampler.sample(using: &generator)
    }
  }
}

/// A generator of either kind. (`SecureGenerator` keeps its state in a class, so copying it out
/// of the enum and back does not copy or repeat its stream.)
enum RandomWordsGenerator {
  case secure(SecureGenerator)
  case seeded(SeededGenerator)
}

/// Draws standard-normal vectors one ahead on a background queue.
///
/// `take(count:)` waits for the vector in preparation (if it has the requested length; otherwise
/// it draws one now), hands it over, and starts drawing the next of the same length. Only one
/// draw runs at a time and always from the same generator, so the sequence of vectors is the
/// same as drawing them in the foreground. The semaphore orders every access to the shared state
/// (it is `@unchecked Sendable` for that reason).
final class NoisePrefetcher: @unchecked Sendable {
  private var generator: RandomWordsGenerator
  private var prepared: [Float]?
  private var preparing = false
  private let done = DispatchSemaphore(value: 0)
  private let queue = DispatchQueue(label: "tacit.noise-prefetch")
  /// The generator as it was before the vector in preparation was drawn: the state a checkpoint
  /// saves. Written only by the caller's thread (before the background draw starts).
  private var nextVectorStart: RandomWordsGenerator

  init(generator: RandomWordsGenerator) {
    self.generator = generator
    nextVectorStart = generator
  }

  /// The seeded generator from which the next vector will be drawn, `nil` for a secure one.
  var nextVectorState: SeededGenerator? {
    guard case .seeded(let state) = nextVectorStart else { return nil }
    return state
  }

  /// Drops the vector in preparation and continues from `state` (`nextVectorState` of a saved
  /// source).
  func restore(_ state: SeededGenerator) {
    if preparing {
      done.wait()
      preparing = false
    }
    prepared = nil
    generator = .seeded(state)
    nextVectorStart = generator
  }

  func take(count: Int) -> [Float] {
    if preparing {
      done.wait()
      preparing = false
    }
    let vector: [Float]
    if let prepared, prepared.count == count {
      vector = prepared
    } else {
      // Nothing (of this length) was prepared: drop it, so the stream stays deterministic only
      // if lengths are stable, which they are within a run (the parameter count is fixed).
      vector = draw(count)
    }
    prepared = nil
    preparing = true
    nextVectorStart = generator
    queue.async {
      self.prepared = self.draw(count)
      self.done.signal()
    }
    return vector
  }

  private func draw(_ count: Int) -> [Float] {
    var result = [Float](repeating: 0, count: count)
    result.withUnsafeMutableBufferPointer { buffer in
      switch generator {
      case .secure(var secure):
        GaussianNoise.fillNormal(buffer, mean: 0, standardDeviation: 1, using: &secure)
        generator = .secure(secure)
      case .seeded(var seeded):
        GaussianNoise.fillNormal(buffer, mean: 0, standardDeviation: 1, using: &seeded)
        generator = .seeded(seeded)
      }
    }
    return result
  }

  deinit {
    if preparing { done.wait() }
  }
}
