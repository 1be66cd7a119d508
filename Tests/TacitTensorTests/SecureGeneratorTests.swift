import TacitTensor
import Testing

/// The operating system's generator: independent instances differ, bits are balanced per
/// position, and the buffer refill boundary (8192 words) is crossed without repeating.
struct SecureGeneratorTests {
  @Test func instancesProduceDifferentStreams() {
    var first = SecureGenerator()
    var second = SecureGenerator()
    let a = (0..<64).map { _ in first.next() }
    let b = (0..<64).map { _ in second.next() }
    // Two independent 64-bit words collide with probability 2⁻⁶⁴.
    #expect(zip(a, b).allSatisfy { $0 != $1 })
    #expect(Set(a).count == 64)
  }

  @Test func bitsAreRoughlyUniformAcrossARefill() {
    var generator = SecureGenerator()
    let count = 20_000  // crosses the 8192-word refill twice
    var ones = [Int](repeating: 0, count: 64)
    var words = Set<UInt64>()
    for _ in 0..<count {
      let word = generator.next()
      words.insert(word)
      for bit in 0..<64 where word >> UInt64(bit) & 1 == 1 { ones[bit] += 1 }
    }
    #expect(words.count == count, "repeated 64-bit words")
    // Each position: Binomial(20000, ½), mean 10000, standard deviation ≈ 71; allow 6σ.
    for (bit, total) in ones.enumerated() {
      #expect(abs(total - count / 2) < 425, "bit \(bit) set \(total) times of \(count)")
    }
    // All bits together: standard deviation ≈ 566; allow 6σ.
    #expect(abs(ones.reduce(0, +) - 32 * count) < 3400)
  }
}

/// `fill(_:)` in chunks that end inside the buffer, span it, and exceed it (direct reads).
struct SecureGeneratorFillTests {
  @Test func bulkFillAcrossBufferBoundaries() {
    var generator = SecureGenerator()
    var words: [UInt64] = []
    for size in [0, 1, 100, 8191, 8192, 3 * 8192 + 5, 7] {
      var chunk = [UInt64](repeating: 0, count: size)
      chunk.withUnsafeMutableBufferPointer { generator.fill($0) }
      words += chunk
      words.append(generator.next())  // interleaved single words continue the stream
    }
    // No zero block left unfilled and no word handed out twice (collision chance ≈ 2⁻⁴⁰).
    #expect(Set(words).count == words.count, "repeated 64-bit words")
    // Each bit position: Binomial(n, ½); allow 6 standard deviations.
    let n = words.count
    for bit in 0..<64 {
      let ones = words.reduce(0) { $0 + Int($1 >> UInt64(bit) & 1) }
      #expect(abs(Double(ones) - Double(n) / 2) < 6 * (Double(n) / 4).squareRoot(), "bit \(bit): \(ones) of \(n)")
    }
  }
}
