/// The ChaCha block function (Bernstein 2008, "ChaCha, a variant of Salsa20"), in the IETF
/// layout of RFC 8439 §2.3: a 32-bit block counter and a 96-bit nonce. The number of rounds is a
/// parameter: 20 rounds (`doubleRounds: 10`, the default) is ChaCha20 as RFC 8439 specifies it;
/// `SecureGenerator` uses 12 (ChaCha12, see there).
///
/// **State.** Sixteen 32-bit words, row-major 4 × 4:
///
///     c c c c      c = "expand 32-byte k" (0x61707865 0x3320646e 0x79622d32 0x6b206574)
///     k k k k      k = the 256-bit key as eight little-endian words
///     k k k k
///     n n n n      n = block counter (word 12), then the 96-bit nonce (words 13–15)
///
/// A quarter round on (a, b, c, d) is `a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12;
/// a += b; d ^= a; d <<<= 8; c += d; b ^= c; b <<<= 7` (additions mod 2³², `<<<` rotation). Ten
/// double rounds (a column round on (0,4,8,12) (1,5,9,13) (2,6,10,14) (3,7,11,15), then a diagonal
/// round on (0,5,10,15) (1,6,11,12) (2,7,8,13) (3,4,9,14)) make the 20 rounds (six make ChaCha12's
/// 12); the block is the
/// final state plus the initial state, word by word, serialised little-endian (64 bytes).
///
/// **Batches.** `blocks` computes `lanes` consecutive blocks (counters `counter`, `counter + 1`,
/// …) at once in struct-of-arrays form: `scratch[word * lanes + lane]`. Each quarter round is then a
/// loop over lanes with no dependence between iterations, which the compiler vectorises with
/// plain SSE2 (4 lanes per instruction) or AVX2 if enabled; the result is transposed into output
/// words. `block` is the obvious scalar version, the reference the tests compare against.
///
/// **Output words.** A 64-byte block read as eight little-endian `UInt64`s: output word `j` is
/// `state[2j] | state[2j + 1] << 32`, so the words hold exactly the RFC keystream bytes in order.
enum ChaCha20 {
  /// Blocks per batched call: 16 blocks = 1 KiB = 128 output words.
  static let lanes = 16

  /// `UInt64` output words per batched call.
  static let wordsPerBatch = lanes * 8

  /// `UInt32` scratch words a batched call needs: the working state of all lanes, then the
  /// 16-word initial state.
  static let scratchCount = 16 * lanes + 16

  /// "expand 32-byte k" as four little-endian words.
  static let constants: (UInt32, UInt32, UInt32, UInt32) = (0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574)

  /// The 16 state words of one block (final state plus initial state, before serialisation).
  ///
  /// - Parameters:
  ///   - key: eight words, the 32 key bytes read little-endian.
  ///   - counter: the block counter.
  ///   - nonce: three words, the 12 nonce bytes read little-endian.
  ///   - doubleRounds: column-and-diagonal round pairs: 10 for ChaCha20, 6 for ChaCha12.
  static func block(key: [UInt32], counter: UInt32, nonce: [UInt32], doubleRounds: Int = 10) -> [UInt32] {
    precondition(key.count == 8 && nonce.count == 3, "key needs 8 words, nonce 3; got \(key.count), \(nonce.count)")
    let initial: [UInt32] = [constants.0, constants.1, constants.2, constants.3] + key + [counter] + nonce
    var x = initial
    func quarterRound(_ a: Int, _ b: Int, _ c: Int, _ d: Int) {
      x[a] &+= x[b]; x[d] ^= x[a]; x[d] = rotate(x[d], 16)
      x[c] &+= x[d]; x[b] ^= x[c]; x[b] = rotate(x[b], 12)
      x[a] &+= x[b]; x[d] ^= x[a]; x[d] = rotate(x[d], 8)
      x[c] &+= x[d]; x[b] ^= x[c]; x[b] = rotate(x[b], 7)
    }
    for _ in 0..<doubleRounds {
      quarterRound(0, 4, 8, 12); quarterRound(1, 5, 9, 13); quarterRound(2, 6, 10, 14); quarterRound(3, 7, 11, 15)
      quarterRound(0, 5, 10, 15); quarterRound(1, 6, 11, 12); quarterRound(2, 7, 8, 13); quarterRound(3, 4, 9, 14)
    }
    return zip(x, initial).map { $0 &+ $1 }
  }

  /// `x` rotated left by `n` bits (0 < n < 32).
  @inline(__always)
  static func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x &<< n | x &>> (32 &- n) }

  /// Writes blocks `counter ..< counter + lanes` as `wordsPerBatch` output words.
  ///
  /// - Parameters:
  ///   - key: eight key words (see `block`).
  ///   - nonce: three nonce words.
  ///   - counter: the first block's counter; the batch must not wrap (`counter + lanes ≤ 2³²`).
  ///   - output: `wordsPerBatch` words; block `l` occupies words `8l ..< 8l + 8`.
  ///   - scratch: `scratchCount` words of working space (overwritten with key-dependent state).
  ///   - doubleRounds: 10 for ChaCha20 (the default), 6 for ChaCha12.
  ///
  /// Cost: 2·doubleRounds rounds × 16 lanes × 4 quarter-round steps per word, about 1 KiB of
  /// keystream per call; no allocation.
  static func blocks(
    key: UnsafePointer<UInt32>, nonce: (UInt32, UInt32, UInt32), counter: UInt32,
    output: UnsafeMutablePointer<UInt64>, scratch x: UnsafeMutablePointer<UInt32>, doubleRounds: Int = 10
  ) {
    precondition(UInt64(counter) + UInt64(lanes) <= 1 << 32, "block counter \(counter) would wrap within a batch")
    let initial = x + 16 * lanes
    (initial[0], initial[1], initial[2], initial[3]) = constants
    for word in 0..<8 { initial[4 + word] = key[word] }
    (initial[12], initial[13], initial[14], initial[15]) = (counter, nonce.0, nonce.1, nonce.2)
    for word in 0..<16 {
      let row = x + word * lanes
      let value = initial[word]
      for lane in 0..<lanes { row[lane] = value }
    }
    let counters = x + 12 * lanes
    for lane in 0..<lanes { counters[lane] = counter &+ UInt32(truncatingIfNeeded: lane) }
    for _ in 0..<doubleRounds {
      quarterRound(x, 0, 4, 8, 12); quarterRound(x, 1, 5, 9, 13); quarterRound(x, 2, 6, 10, 14); quarterRound(x, 3, 7, 11, 15)
      quarterRound(x, 0, 5, 10, 15); quarterRound(x, 1, 6, 11, 12); quarterRound(x, 2, 7, 8, 13); quarterRound(x, 3, 4, 9, 14)
    }
    for word in 0..<16 where word != 12 {
      let row = x + word * lanes
      let value = initial[word]
      for lane in 0..<lanes { row[lane] &+= value }
    }
    for lane in 0..<lanes { counters[lane] &+= counter &+ UInt32(truncatingIfNeeded: lane) }
    // Transpose: word j of block l is the little-endian pair (state[2j], state[2j + 1]).
    for pair in 0..<8 {
      let low = x + 2 * pair * lanes
      let high = low + lanes
      for lane in 0..<lanes {
        output[lane * 8 + pair] = UInt64(low[lane]) | UInt64(high[lane]) &<< 32
      }
    }
  }

  /// One quarter round on rows (a, b, c, d) of all lanes; the lane loop vectorises.
  @inline(__always)
  private static func quarterRound(_ x: UnsafeMutablePointer<UInt32>, _ a: Int, _ b: Int, _ c: Int, _ d: Int) {
    let rowA = x + a * lanes, rowB = x + b * lanes, rowC = x + c * lanes, rowD = x + d * lanes
    for lane in 0..<lanes {
      var va = rowA[lane], vb = rowB[lane], vc = rowC[lane], vd = rowD[lane]
      va &+= vb; vd ^= va; vd = rotate(vd, 16)
      vc &+= vd; vb ^= vc; vb = rotate(vb, 12)
      va &+= vb; vd ^= va; vd = rotate(vd, 8)
      vc &+= vd; vb ^= vc; vb = rotate(vb, 7)
      rowA[lane] = va; rowB[lane] = vb; rowC[lane] = vc; rowD[lane] = vd
    }
  }
}
