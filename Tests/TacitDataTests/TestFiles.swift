import CZlib
import Foundation

/// Temporary files for the data tests: each test gets its own directory, removed at deinit.
final class TemporaryDirectory {
  let path: String

  init() throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tacit-data-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    path = url.path
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `bytes` as a plain file and returns its path.
  @discardableResult
  func write(_ bytes: [UInt8], to name: String) throws -> String {
    let file = path + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }

  /// Writes `text` (UTF-8) as a plain file and returns its path.
  @discardableResult
  func write(_ text: String, to name: String) throws -> String {
    try write(Array(text.utf8), to: name)
  }

  /// Writes `bytes` gzip-compressed with zlib's `gzwrite` and returns its path.
  @discardableResult
  func writeGzip(_ bytes: [UInt8], to name: String) throws -> String {
    let file = path + "/" + name
    guard let handle = gzopen(file, "wb") else { throw CocoaError(.fileWriteUnknown) }
    let written = bytes.withUnsafeBytes { gzwrite(handle, $0.baseAddress, UInt32($0.count)) }
    let closed = gzclose(handle)
    guard written == Int32(bytes.count), closed == Z_OK else { throw CocoaError(.fileWriteUnknown) }
    return file
  }
}

/// The bytes of the file at `path`, exactly as stored (no decompression).
func rawBytes(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// The bytes of an IDX file: `0x00 0x00 0x08 rank`, big-endian `UInt32` dimensions, then `data`.
func idxBytes(dimensions: [Int], data: [UInt8]) -> [UInt8] {
  var bytes = bigEndian(0x0800 + UInt32(dimensions.count))
  for extent in dimensions { bytes += bigEndian(UInt32(extent)) }
  return bytes + data
}

func bigEndian(_ value: UInt32) -> [UInt8] {
  [UInt8(value >> 24), UInt8((value >> 16) & 0xff), UInt8((value >> 8) & 0xff), UInt8(value & 0xff)]
}
