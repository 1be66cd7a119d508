import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reading through zlib, for gzip-compressed and plain files alike.
///
/// zlib's `gzread` passes a file without a gzip header through unchanged, so one code path reads
/// `images.gz` and `images`. A caller that knows the size from a header passes `limit`, so that
/// a small file decompressing to gigabytes (a gzip bomb) is stopped after at most one 4 MiB read
/// beyond that size. zlib inflates in 4 MiB reads straight into a buffer that starts at
/// 4× the file size and doubles when full, then one `memcpy` makes the result array. The 47 MB
/// Fashion-MNIST training images take about 0.5 s on one core (zlib's inflate dominates).
public enum GzipFile {
  /// The size of one `gzread` call (the buffer grows when less than this is free).
  static let chunkSize = 1 << 22

  /// The most leading bytes `read` shows its `limit` function.
  public static let limitPrefixSize = 1024

  /// Every decompressed byte of the file at `path`.
  ///
  /// - Parameters:
  ///   - missingFileHint: appended to the "no such file" message (where to get the file).
  ///   - limit: bounds the memory a hostile file (a gzip bomb) can take. Called with the first
  ///     decompressed bytes (at most `limitPrefixSize`) after each read, until it returns the
  ///     most bytes the file may hold (from its header), or `nil` when the bytes so far cannot
  ///     tell; it may throw for a bad header. Once more bytes than that come out, reading stops
  ///     with `DataError.malformed` at that offset. `nil`: no bound.
  /// - Throws: `DataError.missingFile` when nothing is at `path`; `DataError.unreadable` when the
  ///   file cannot be opened or read, or when its gzip stream is corrupt or cut short;
  ///   `DataError.malformed` past `limit`; whatever `limit` throws.
  public static func read(
    path: String, missingFileHint: String? = nil, limit: (([UInt8]) throws -> Int?)? = nil
  ) throws -> [UInt8] {
    var status = stat()
    if stat(path, &status) != 0 {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw DataError.missingFile(path: path, hint: missingFileHint) }
      throw DataError.unreadable(path: path, reason: String(cString: strerror(code)))
    }
    if (status.st_mode & S_IFMT) == S_IFDIR {
      throw DataError.unreadable(path: path, reason: "is a directory")
    }
    guard let file = gzopen(path, "rb") else {
      throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    defer { gzclose(file) }
    _ = gzbuffer(file, UInt32(1 << 17))

    // Inflate into a malloc'd buffer grown with realloc, then copy once into the array: this
    // keeps the work in zlib and memcpy (also fast in debug builds, where element-wise array
    // growth is not).
    var capacity = max(chunkSize, Int(status.st_size) * 4)
    guard var buffer = malloc(capacity) else { throw DataError.unreadable(path: path, reason: "out of memory") }
    defer { free(buffer) }
    var filled = 0
    var maximum: Int? = nil
    while true {
      if capacity - filled < chunkSize {
        // With a known maximum, never more than one chunk beyond it.
        capacity = min(capacity * 2, maximum.map { $0 + 2 * chunkSize } ?? Int.max)
        guard let grown = realloc(buffer, capacity) else {
          throw DataError.unreadable(path: path, reason: "out of memory for \(capacity) bytes")
        }
        buffer = grown
      }
      let got = gzread(file, buffer + filled, UInt32(chunkSize))
      if got < 0 { throw DataError.unreadable(path: path, reason: errorMessage(file)) }
      if got == 0 { break }
      filled += Int(got)
      if let limit, maximum == nil {
        let prefix = UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: UInt8.self), count: min(filled, limitPrefixSize))
        maximum = try limit(Array(prefix))
      }
      if let maximum, filled > maximum {
        throw DataError.malformed(
          path: path, offset: maximum,
          reason: "decompresses to more than the \(maximum) bytes its header describes; stopped reading there "
            + "(a corrupt file, or a decompression bomb)")
      }
    }
    // A gzip stream cut short reads as a short, successful read with Z_BUF_ERROR left behind.
    var code: Int32 = 0
    let message = gzerror(file, &code)
    if code != Z_OK {
      let text = message.map { String(cString: $0) } ?? "zlib error \(code)"
      let reason = code == Z_BUF_ERROR ? "compressed stream ends early (\(text))" : text
      throw DataError.unreadable(path: path, reason: reason)
    }
    let source = buffer
    return [UInt8](unsafeUninitializedCapacity: filled) { destination, initialized in
      if filled > 0 { memcpy(destination.baseAddress!, source, filled) }
      initialized = filled
    }
  }

  /// zlib's message for the last error on `file`.
  private static func errorMessage(_ file: gzFile) -> String {
    var code: Int32 = 0
    guard let message = gzerror(file, &code) else { return "zlib error \(code)" }
    if code == Z_ERRNO { return String(cString: strerror(errno)) }
    return String(cString: message)
  }
}
