/// A fast, seedable pseudo-random generator: xoshiro256** (Blackman & Vigna 2018).
///
/// State is 256 bits, seeded through SplitMix64 so that any 64-bit seed (including 0) gives a
/// well-mixed state. Period 2²⁵⁶ − 1. Not cryptographically secure: use it for data order,
/// initialisation, dropout and reproducible experiments, never for noise in a released model
/// (see `SecureGenerator`).
///
/// Splitting: `split(_:)` derives an independent child generator for a named purpose
/// ("init", "data-order", "noise", …) by hashing the parent's seed with the purpose, so adding
/// a new consumer of randomness never shifts the stream another consumer sees.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64
  /// The seed this generator was created from (kept for `split`).
  public let seed: UInt64

  /// A generator seeded with `seed`.
  public init(seed: UInt64) {
    self.seed = seed
    var mixer = SplitMix64(state: seed)
    s0 = mixer.next()
    s1 = mixer.next()
    s2 = mixer.next()
    s3 = mixer.next()
  }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  /// An independent generator for `purpose`, derived from this generator's seed (not its state).
  public func split(_ purpose: String) -> SeededGenerator {
    SeededGenerator(seed: SeededGenerator.derive(seed: seed, purpose: purpose))
  }

  /// An independent generator for the `index`-th member of a family (e.g. reference model `i`).
  public func split(_ purpose: String, index: Int) -> SeededGenerator {
    SeededGenerator(seed: SeededGenerator.derive(seed: seed, purpose: "\(purpose)#\(index)"))
  }

  /// A 64-bit FNV-1a hash of `purpose`, mixed with `seed` through SplitMix64.
  static func derive(seed: UInt64, purpose: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in purpose.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    var mixer = SplitMix64(state: seed ^ hash)
    return mixer.next()
  }
}

@inlinable @inline(__always)
func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

/// SplitMix64 (Steele, Lea & Flood 2014): used only to expand a seed into generator state.
@usableFromInline
struct SplitMix64 {
  @usableFromInline var state: UInt64
  @usableFromInline init(state: UInt64) { self.state = state }
  @usableFromInline mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var z = state
    z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
    z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
    return z ^ (z >> 31)
  }
}
