#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cryptographically secure generator: the ChaCha12 keystream under a key from the operating
/// system's CSPRNG.
///
/// DP noise for a model that will be released must come from here: a seeded generator lets anyone
/// who learns the seed subtract the noise.
///
/// **Construction.** The design of OpenBSD's `arc4random` and of Linux's `getrandom` (since 4.8,
/// `crng`): a stream cipher keystream is a pseudorandom function of its key, so with a uniformly
/// random secret key the keystream is indistinguishable from uniform bits by any efficient test
/// (the standard assumption about ChaCha, RFC 8439 §1). Here:
///
/// - key: 32 bytes from `/dev/urandom` (Linux, which never blocks after boot-time seeding) or
///   `arc4random_buf` (Darwin), read at initialisation;
/// - nonce: zero (every key is fresh, so the (key, nonce, counter) triple never repeats);
/// - counter: the RFC 8439 32-bit block counter from 0; before it would wrap (after 2³² blocks =
///   256 GiB of output) the generator takes a new key from the operating system and restarts at 0;
/// - output: the keystream bytes in order, read as little-endian `UInt64`s (see `ChaCha20`).
///
/// Unlike `arc4random`, there is no "fast key erasure" (overwriting the key after each use): an
/// attacker who reads this process's memory can recompute the bits already handed out. For DP
/// noise that attacker could read the gradients too, so this costs nothing the threat model cares
/// about. The key and buffered output are zeroed when the generator is freed.
///
/// **Rounds.** ChaCha with 12 rounds instead of RFC 8439's 20: the choice of Rust's `rand`
/// (`StdRng` and `ThreadRng` are ChaCha12) following Aumasson 2019 ("Too Much Crypto", which
/// argues 8 rounds keep a wide margin); Go's runtime generator uses ChaCha8. The best published
/// attacks on ChaCha reach 7 rounds (Shi et al. 2012 and later), and need chosen nonces and
/// counters, which a keystream generator never exposes. Noise generation is the largest non-GEMM
/// cost of a DP-SGD step (`docs/performance.md`), and 12 rounds make the keystream 1.6× cheaper.
/// The round function is the RFC's, checked against its vectors at 20 rounds; the 12-round
/// batched kernel is checked against the scalar reference.
///
/// **Speed.** Keystream is made 16 blocks at a time by `ChaCha20.blocks` (vectorised across
/// blocks), 64 KiB per refill; large `fill(_:)` requests are generated straight into the
/// destination. Measured on the (SSE2-only build) development machine: ChaCha20 made about 5.5 ns
/// per 64-bit word (1.45 GB/s) on one core, against ~21 ns for reading `/dev/urandom` directly;
/// ChaCha12 figures are in `docs/performance.md`.
///
/// **Copies.** The state lives in a shared reference: a copy of a generator continues the same
/// stream (each word is handed out once), so copying never duplicates noise. The generator is not
/// `Sendable`; give each thread its own.
public struct SecureGenerator: RandomNumberGenerator {
  /// ChaCha double rounds per block: 6, i.e. ChaCha12 (see **Rounds**).
  static let doubleRounds = 6

  private let stream: Stream

  /// A generator keyed with 32 fresh bytes from the operating system.
  public init() {
    stream = Stream()
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    if stream.position == Stream.capacity { stream.refill() }
    let value = stream.buffer[stream.position]
    stream.position += 1
    return value
  }

  /// Fills `words` with random bits: first what is left in the buffer, then whole 16-block batches
  /// generated straight into `words`, then the tail from a refilled buffer.
  ///
  /// The words are the same kind of bits `next()` returns, and the stream stays a stream: after
  /// `fill`, `next()` continues with bits never handed out before.
  public mutating func fill(_ words: UnsafeMutableBufferPointer<UInt64>) {
    guard let destination = words.baseAddress else { return }
    let count = words.count
    // 1. What is left in the buffer.
    let available = Swift.min(Stream.capacity - stream.position, count)
    if available > 0 {
      destination.update(from: stream.buffer + stream.position, count: available)
      stream.position += available
    }
    var filled = available
    // 2. Whole batches straight into the destination.
    let batches = (count - filled) / ChaCha20.wordsPerBatch
    if batches > 0 {
      stream.generate(into: destination + filled, batches: batches)
      filled += batches * ChaCha20.wordsPerBatch
    }
    // 3. The tail from a fresh buffer.
    let tail = count - filled
    if tail > 0 {
      stream.refill()
      (destination + filled).update(from: stream.buffer, count: tail)
      stream.position = tail
    }
  }

  /// The key, block counter and output buffer, in manually allocated memory so that it can be
  /// zeroed on release and accessed without exclusivity checks (the struct's methods are the only
  /// users, one call at a time).
  private final class Stream {
    /// Buffered output words: 64 KiB, 64 batches of 16 blocks.
    static let capacity = 8192

    /// Blocks per key: the RFC 8439 32-bit counter's range.
    static let blocksPerKey: UInt64 = 1 << 32

    let buffer = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
    let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: ChaCha20.scratchCount)
    let key = UnsafeMutablePointer<UInt32>.allocate(capacity: 8)
    /// Next unread word of `buffer`; `capacity` when empty.
    @exclusivity(unchecked) var position = capacity
    /// Counter of the next block under the current key.
    @exclusivity(unchecked) var counter: UInt64 = 0

    init() {
      rekey()
    }

    deinit {
      buffer.update(repeating: 0, count: Stream.capacity)
      scratch.update(repeating: 0, count: ChaCha20.scratchCount)
      key.update(repeating: 0, count: 8)
      buffer.deallocate()
      scratch.deallocate()
      key.deallocate()
    }

    /// Replaces the buffer with fresh keystream.
    func refill() {
      generate(into: buffer, batches: Stream.capacity / ChaCha20.wordsPerBatch)
      position = 0
    }

    /// Writes `batches × wordsPerBatch` keystream words to `output`, rekeying when the counter
    /// is exhausted (2³² is a multiple of the batch size, so batches never straddle keys).
    func generate(into output: UnsafeMutablePointer<UInt64>, batches: Int) {
      for batch in 0..<batches {
        if counter == Stream.blocksPerKey { rekey() }
        ChaCha20.blocks(
          key: key, nonce: (0, 0, 0), counter: UInt32(truncatingIfNeeded: counter),
          output: output + batch * ChaCha20.wordsPerBatch, scratch: scratch, doubleRounds: SecureGenerator.doubleRounds)
        counter += UInt64(ChaCha20.lanes)
      }
    }

    /// A new key from the operating system; the counter restarts at 0.
    func rekey() {
      SecureGenerator.readOperatingSystem(into: UnsafeMutableRawBufferPointer(start: key, count: 32))
      // The key words are the key bytes read little-endian (RFC 8439 §2.3).
      for word in 0..<8 { key[word] = UInt32(littleEndian: key[word]) }
      counter = 0
    }
  }

  /// Fills `bytes` from the operating system's CSPRNG; stops the process if none is available.
  private static func readOperatingSystem(into bytes: UnsafeMutableRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    #if canImport(Glibc)
    let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { fatalError("cannot open /dev/urandom (errno \(errno)): no secure randomness available") }
    defer { close(descriptor) }
    var filled = 0
    while filled < bytes.count {
      let result = read(descriptor, base + filled, bytes.count - filled)
      if result < 0 {
        if errno == EINTR { continue }
        fatalError("reading /dev/urandom failed (errno \(errno)): no secure randomness available")
      }
      if result == 0 { fatalError("/dev/urandom returned end of file: no secure randomness available") }
      filled += result
    }
    #else
    arc4random_buf(base, bytes.count)
    #endif
  }
}
