#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cryptographically secure generator backed by the operating system's CSPRNG
/// (`/dev/urandom` on Linux, which never blocks after boot-time seeding; `arc4random_buf` on
/// Darwin).
///
/// DP noise for a model that will be released must come from here: a seeded generator lets anyone
/// who learns the seed subtract the noise. Bytes are fetched in 64 KiB blocks so the system call
/// cost is amortised (see docs/performance.md for the measured throughput). `fill(_:)` hands out
/// many words at once and reads large requests straight into the destination.
public struct SecureGenerator: RandomNumberGenerator {
  private var buffer: [UInt64]
  private var position: Int

  /// A generator with an empty buffer (filled on first use).
  public init() {
    buffer = [UInt64](repeating: 0, count: 8192)
    position = buffer.count
  }

  /// The next 64 random bits from the operating system.
  public mutating func next() -> UInt64 {
    if position == buffer.count { refill() }
    let value = buffer[position]
    position += 1
    return value
  }

  /// Fills `words` with random bits: first what is left in the buffer, then whole buffer-sized
  /// chunks read directly into `words`, then the tail from a refilled buffer.
  ///
  /// The words are the same kind of bits `next()` returns, and the stream stays a stream: after
  /// `fill`, `next()` continues with bits never handed out before.
  public mutating func fill(_ words: UnsafeMutableBufferPointer<UInt64>) {
    guard let destination = words.baseAddress else { return }
    var filled = 0
    let count = words.count
    // 1. What is left in the buffer.
    let available = Swift.min(buffer.count - position, count)
    if available > 0 {
      buffer.withUnsafeBufferPointer { source in
        destination.update(from: source.baseAddress! + position, count: available)
      }
      position += available
      filled = available
    }
    // 2. Large remainders straight from the operating system.
    let direct = (count - filled) / buffer.count * buffer.count
    if direct > 0 {
      SecureGenerator.readOperatingSystem(
        into: UnsafeMutableRawBufferPointer(start: destination + filled, count: direct * 8))
      filled += direct
    }
    // 3. The tail from a fresh buffer.
    let tail = count - filled
    if tail > 0 {
      refill()
      buffer.withUnsafeBufferPointer { source in
        (destination + filled).update(from: source.baseAddress!, count: tail)
      }
      position = tail
    }
  }

  private mutating func refill() {
    buffer.withUnsafeMutableBytes { SecureGenerator.readOperatingSystem(into: $0) }
    position = 0
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
