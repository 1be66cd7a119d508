import Testing

@testable import TacitTensor

/// ChaCha20 against the RFC 8439 test vectors, the batched kernel against the scalar reference,
/// and the secure generator built on it.
struct ChaCha20Tests {
  /// Key bytes 00 01 02 … 1f as little-endian words (the key of RFC 8439 §2.3.2 and §2.4.2).
  static let rfcKey: [UInt32] = (0..<8).map { (word: Int) -> UInt32 in
    var value: UInt32 = 0
    for byte in 0..<4 { value |= UInt32(4 * word + byte) << UInt32(8 * byte) }
    return value
  }

  /// The 16 state words serialised little-endian, as the RFC prints a block.
  static func serialise(_ words: [UInt32]) -> [UInt8] {
    words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
  }

  /// `blocks` run once into fresh buffers; returns the 16 blocks as state-word arrays.
  static func batch(key: [UInt32], nonce: (UInt32, UInt32, UInt32), counter: UInt32, doubleRounds: Int = 10)
    -> [[UInt32]]
  {
    var output = [UInt64](repeating: 0, count: ChaCha20.wordsPerBatch)
    var scratch = [UInt32](repeating: 0, count: ChaCha20.scratchCount)
    key.withUnsafeBufferPointer { key in
      output.withUnsafeMutableBufferPointer { output in
        scratch.withUnsafeMutableBufferPointer { scratch in
          ChaCha20.blocks(
            key: key.baseAddress!, nonce: nonce, counter: counter, output: output.baseAddress!,
            scratch: scratch.baseAddress!, doubleRounds: doubleRounds)
        }
      }
    }
    return (0..<ChaCha20.lanes).map { lane in
      output[(8 * lane)..<(8 * lane + 8)].flatMap { [UInt32(truncatingIfNeeded: $0), UInt32($0 >> 32)] }
    }
  }

  /// RFC 8439 §2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1.
  static let blockVector: [UInt8] = [
    0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3, 0x20, 0x71, 0xc4,
    0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22, 0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e,
    0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa, 0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2,
    0xb5, 0x12, 0x9c, 0xd1, 0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
  ]

  @Test func rfc8439BlockFunctionVector() {
    let nonce: [UInt32] = [0x0900_0000, 0x4a00_0000, 0]
    #expect(Self.serialise(ChaCha20.block(key: Self.rfcKey, counter: 1, nonce: nonce)) == Self.blockVector)
    // The batched kernel's first lane is the same block.
    let lanes = Self.batch(key: Self.rfcKey, nonce: (0x0900_0000, 0x4a00_0000, 0), counter: 1)
    #expect(Self.serialise(lanes[0]) == Self.blockVector)
  }

  /// RFC 8439 §2.4.2: the keystream (counter 1, 2) of the "sunscreen" encryption example.
  static let sunscreenKeystream: [UInt8] = [
    0x22, 0x4f, 0x51, 0xf3, 0x40, 0x1b, 0xd9, 0xe1, 0x2f, 0xde, 0x27, 0x6f, 0xb8, 0x63, 0x1d, 0xed,
    0x8c, 0x13, 0x1f, 0x82, 0x3d, 0x2c, 0x06, 0xe2, 0x7e, 0x4f, 0xca, 0xec, 0x9e, 0xf3, 0xcf, 0x78,
    0x8a, 0x3b, 0x0a, 0xa3, 0x72, 0x60, 0x0a, 0x92, 0xb5, 0x79, 0x74, 0xcd, 0xed, 0x2b, 0x93, 0x34,
    0x79, 0x4c, 0xba, 0x40, 0xc6, 0x3e, 0x34, 0xcd, 0xea, 0x21, 0x2c, 0x4c, 0xf0, 0x7d, 0x41, 0xb7,
  ]

  /// RFC 8439 §2.4.2: the 114-byte ciphertext of the "sunscreen" plaintext.
  static let sunscreenCiphertext: [UInt8] = [
    0x6e, 0x2e, 0x35, 0x9a, 0x25, 0x68, 0xf9, 0x80, 0x41, 0xba, 0x07, 0x28, 0xdd, 0x0d, 0x69, 0x81,
    0xe9, 0x7e, 0x7a, 0xec, 0x1d, 0x43, 0x60, 0xc2, 0x0a, 0x27, 0xaf, 0xcc, 0xfd, 0x9f, 0xae, 0x0b,
    0xf9, 0x1b, 0x65, 0xc5, 0x52, 0x47, 0x33, 0xab, 0x8f, 0x59, 0x3d, 0xab, 0xcd, 0x62, 0xb3, 0x57,
    0x16, 0x39, 0xd6, 0x24, 0xe6, 0x51, 0x52, 0xab, 0x8f, 0x53, 0x0c, 0x35, 0x9f, 0x08, 0x61, 0xd8,
    0x07, 0xca, 0x0d, 0xbf, 0x50, 0x0d, 0x6a, 0x61, 0x56, 0xa3, 0x8e, 0x08, 0x8a, 0x22, 0xb6, 0x5e,
    0x52, 0xbc, 0x51, 0x4d, 0x16, 0xcc, 0xf8, 0x06, 0x81, 0x8c, 0xe9, 0x1a, 0xb7, 0x79, 0x37, 0x36,
    0x5a, 0xf9, 0x0b, 0xbf, 0x74, 0xa3, 0x5b, 0xe6, 0xb4, 0x0b, 0x8e, 0xed, 0xf2, 0x78, 0x5e, 0x42,
    0x87, 0x4d,
  ]

  @Test func rfc8439EncryptionExample() {
    let plaintext = Array(
      ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
        + "sunscreen would be it.").utf8)
    #expect(plaintext.count == 114)
    let nonce: [UInt32] = [0, 0x4a00_0000, 0]
    let keystream =
      Self.serialise(ChaCha20.block(key: Self.rfcKey, counter: 1, nonce: nonce))
      + Self.serialise(ChaCha20.block(key: Self.rfcKey, counter: 2, nonce: nonce))
    #expect(Array(keystream[0..<64]) == Self.sunscreenKeystream)
    #expect(zip(plaintext, keystream).map { $0 ^ $1 } == Self.sunscreenCiphertext)
    // The batched kernel: lanes 0 and 1 are counters 1 and 2.
    let lanes = Self.batch(key: Self.rfcKey, nonce: (0, 0x4a00_0000, 0), counter: 1)
    let batchedKeystream = Self.serialise(lanes[0]) + Self.serialise(lanes[1])
    #expect(zip(plaintext, batchedKeystream).map { $0 ^ $1 } == Self.sunscreenCiphertext)
  }

  /// Every lane `l` of a batch is the scalar block at `counter + l`, for random keys, nonces and
  /// counters, including the last batch before the 32-bit counter wraps.
  @Test(arguments: [10, SecureGenerator.doubleRounds])
  func batchedMatchesScalarReference(doubleRounds: Int) {
    var generator = SeededGenerator(seed: 0xC4AC_4A20)
    let lastCounter = UInt32.max - UInt32(ChaCha20.lanes - 1)
    for trial in 0..<40 {
      let key = (0..<8).map { _ in UInt32.random(in: .min ... .max, using: &generator) }
      let nonce = (0..<3).map { _ in UInt32.random(in: .min ... .max, using: &generator) }
      let counter = trial < 2 ? [0, lastCounter][trial] : UInt32.random(in: 0...lastCounter, using: &generator)
      let lanes = Self.batch(
        key: key, nonce: (nonce[0], nonce[1], nonce[2]), counter: counter, doubleRounds: doubleRounds)
      for (lane, block) in lanes.enumerated() {
        let expected = ChaCha20.block(
          key: key, counter: counter + UInt32(lane), nonce: nonce, doubleRounds: doubleRounds)
        #expect(block == expected, "trial \(trial), counter \(counter), lane \(lane)")
      }
    }
  }

  /// Blocks at consecutive counters differ (the counter reaches the state), and a batch of 16 is
  /// 16 distinct blocks.
  @Test func counterIncrementsAcrossBlocks() {
    let lanes = Self.batch(key: Self.rfcKey, nonce: (0, 0, 0), counter: 0)
    #expect(Set(lanes).count == ChaCha20.lanes)
    let next = Self.batch(key: Self.rfcKey, nonce: (0, 0, 0), counter: UInt32(ChaCha20.lanes))
    #expect(Set(lanes + next).count == 2 * ChaCha20.lanes)
    #expect(next[0] == ChaCha20.block(key: Self.rfcKey, counter: UInt32(ChaCha20.lanes), nonce: [0, 0, 0]))
  }
}

/// The ChaCha20-based `SecureGenerator`: instances differ, copies share one stream, and a large
/// fill (direct batches) is balanced bit by bit.
struct SecureGeneratorStreamTests {
  @Test func twoInstancesDiffer() {
    var first = SecureGenerator()
    var second = SecureGenerator()
    var a = [UInt64](repeating: 0, count: 4096)
    var b = a
    a.withUnsafeMutableBufferPointer { first.fill($0) }
    b.withUnsafeMutableBufferPointer { second.fill($0) }
    // Equal words at the same position have probability 2⁻⁶⁴ each.
    #expect(zip(a, b).allSatisfy { $0 != $1 })
  }

  @Test func copiesContinueOneStream() {
    var original = SecureGenerator()
    var copy = original
    var words: [UInt64] = []
    for _ in 0..<10_000 {
      words.append(original.next())
      words.append(copy.next())
    }
    #expect(Set(words).count == words.count, "a copy repeated words of the original")
  }

  @Test func largeFillIsBitBalanced() {
    var generator = SecureGenerator()
    _ = generator.next()  // start the fill mid-buffer
    let count = 1 << 18
    var words = [UInt64](repeating: 0, count: count)
    words.withUnsafeMutableBufferPointer { generator.fill($0) }
    var ones = [Int](repeating: 0, count: 64)
    for word in words {
      for bit in 0..<64 { ones[bit] += Int(word >> UInt64(bit) & 1) }
    }
    // Each position: Binomial(2¹⁸, ½), standard deviation 256; allow 6σ.
    for (bit, total) in ones.enumerated() {
      #expect(abs(total - count / 2) < 6 * 256, "bit \(bit) set \(total) times of \(count)")
    }
    #expect(Set(words).count == count, "repeated 64-bit words")
  }
}
