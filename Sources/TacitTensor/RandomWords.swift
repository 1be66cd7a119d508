/// Bulk random words from any generator, with fast paths for Tacit's two generators.
///
/// A generic function that is not `@inlinable` runs unspecialised: every `next()` goes through
/// the protocol witness table (a few ns per word). Block samplers such as `GaussianNoise` therefore
/// draw whole blocks here: `SeededGenerator` runs its inlined xoshiro256** loop, `SecureGenerator`
/// copies from its buffer or reads the operating system straight into `words`, and any other
/// generator falls back to `next()` in a loop. All three produce exactly the words that repeated
/// `next()` calls would have produced, so a seeded stream does not depend on the path taken.
enum RandomWords {
  /// Fills `words` with the next `words.count` outputs of `generator`.
  static func fill<G: RandomNumberGenerator>(
    _ words: UnsafeMutableBufferPointer<UInt64>, using generator: inout G
  ) {
    if G.self == SeededGenerator.self {
      // The types are equal, so the rebinding is an identity.
      withUnsafeMutablePointer(to: &generator) { pointer in
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: SeededGenerator.self).pointee.fill(words)
      }
    } else if G.self == SecureGenerator.self {
      withUnsafeMutablePointer(to: &generator) { pointer in
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: SecureGenerator.self).pointee.fill(words)
      }
    } else {
      for index in words.indices { words[index] = generator.next() }
    }
  }
}

extension SeededGenerator {
  /// Fills `words` with the next `words.count` outputs, the same words `next()` would return.
  public mutating func fill(_ words: UnsafeMutableBufferPointer<UInt64>) {
    var state = self
    for index in words.indices { words[index] = state.next() }
    self = state
  }
}
