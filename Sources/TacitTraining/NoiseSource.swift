import TacitTensor

/// Where DP-SGD's Gaussian noise (and its Poisson sampling) draws randomness from.
///
/// - `secure`: the operating system's CSPRNG (`SecureGenerator`). The default for DP runs: a
///   model trained with seeded noise can be de-noised by anyone who learns the seed, so only a
///   secure run is fit for release.
/// - `seeded`: a `SeededGenerator` split from the recipe seed, for reproducible experiments;
///   reports mark such runs as not for release.
public final class NoiseSource {
  public enum Kind: String, Sendable {
    case secure
    case seeded
  }

  // Exactly one is set. Kept as two optionals (not an enum with payloads) so that drawing
  // mutates the generator in place, without copying the secure generator's buffer.
  private var secureGenerator: SecureGenerator?
  private var seededGenerator: SeededGenerator?

  /// The source's kind.
  public let kind: Kind

  /// A secure source.
  public static func secure() -> NoiseSource { NoiseSource(kind: .secure, seeded: nil) }

  /// A reproducible source drawing from `generator`.
  public static func seeded(_ generator: SeededGenerator) -> NoiseSource { NoiseSource(kind: .seeded, seeded: generator) }

  private init(kind: Kind, seeded: SeededGenerator?) {
    self.kind = kind
    if kind == .secure { secureGenerator = SecureGenerator() } else { seededGenerator = seeded }
  }

  /// Adds N(0, standardDeviation²) to every element of `buffer`.
  public func addGaussianNoise(to buffer: UnsafeMutableBufferPointer<Float>, standardDeviation: Float) {
    guard standardDeviation > 0, buffer.count > 0 else { return }
    if secureGenerator != nil {
      GaussianNoise.addGaussianNoise(to: buffer, standardDeviation: standardDeviation, using: &secureGenerator!)
    } else {
      GaussianNoise.addGaussianNoise(to: buffer, standardDeviation: standardDeviation, using: &seededGenerator!)
    }
  }

  /// One Poisson batch drawn with this source's randomness.
  public func sample(_ sampler: PoissonSampler) -> [Int] {
    if secureGenerator != nil { return sampler.sample(using: &secureGenerator!) }
    return sampler.sample(using: &seededGenerator!)
  }
}
