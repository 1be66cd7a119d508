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
/// cost is amortised (see docs/performance.md for the measured throughput).
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

  private mutating func refill() {
    buffer.withUnsafeMutableBytes { bytes in
      #if canImport(Glibc)
      let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { fatalError("cannot open /dev/urandom (errno \(errno)): no secure randomness available") }
      defer { close(descriptor) }
      var filled = 0
      while filled < bytes.count {
        let result = read(descriptor, bytes.baseAddress! + filled, bytes.count - filled)
        if result < 0 {
          if errno == EINTR { continue }
          fatalError("reading /dev/urandom failed (errno \(errno)): no secure randomness available")
        }
        filled += result
      }
      #else
      arc4random_buf(bytes.baseAddress!, bytes.count)
      #endif
    }
    position = 0
  }
}
