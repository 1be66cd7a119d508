import CZlib

/// zlib's DEFLATE in memory (`compress2`, RFC 1950 framing: a 2-byte header and an Adler-32
/// trailer around the DEFLATE stream), as Python's `zlib.compress(data, level)` produces.
public enum Zlib {
  /// The size in bytes of `bytes` compressed at `level` (0 … 9; 6 is zlib's default, 9 the
  /// smallest output).
  public static func compressedSize(_ bytes: [UInt8], level: Int32 = 6) -> Int {
    precondition((0...9).contains(level), "zlib level must be in 0…9, got \(level)")
    var size = compressBound(uLong(bytes.count))
    var output = [UInt8](repeating: 0, count: Int(size))
    let status = bytes.withUnsafeBufferPointer { source in
      output.withUnsafeMutableBufferPointer { destination in
        compress2(destination.baseAddress, &size, source.baseAddress, uLong(source.count), level)
      }
    }
    precondition(status == Z_OK, "zlib compress2 failed with status \(status) on \(bytes.count) bytes")
    return Int(size)
  }
}
