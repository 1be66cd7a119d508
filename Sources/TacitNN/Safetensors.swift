import Foundation
import TacitTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors), so
/// that Tacit's models load in any safetensors reader and back.
///
/// Layout of a file of `8 + N + D` bytes:
///
///     [0, 8)          N, the header length, a little-endian UInt64
///     [8, 8 + N)      the header: UTF-8 JSON, padded with spaces (Tacit pads to N ≡ 0 mod 8)
///     [8 + N, end)    the data: each tensor's elements, little-endian, row-major
///
/// The header is one JSON object mapping each tensor name to
/// `{"dtype": "F32", "shape": [d₀, …], "data_offsets": [begin, end]}` (offsets in bytes, relative
/// to the start of the data, `end − begin = 4 · Π dᵢ`), plus an optional `"__metadata__"` object
/// of string values. Tacit writes tensors in name order (byte-wise UTF-8 order), back to back, so
/// the same tensors give the same bytes.
///
/// Reading accepts only `F32` tensors and checks, as the reference implementation does, that the
/// tensors tile the data exactly: no offsets past the end, no overlaps, no unused bytes.
public enum Safetensors {
  /// The key of the free-form string metadata in the header.
  public static let metadataKey = "__metadata__"

  /// The bytes of a safetensors file holding `tensors` (as F32) and `metadata`.
  ///
  /// An empty `metadata` is omitted from the header (as the Python library does).
  public static func encode(tensors: [String: Tensor], metadata: [String: String] = [:]) -> [UInt8] {
    precondition(tensors[metadataKey] == nil, "a tensor may not be named \(metadataKey)")
    let names = tensors.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var header: [String: Any] = [:]
    var offset = 0
    for name in names {
      let tensor = tensors[name]!
      let byteCount = tensor.count * 4
      header[name] =
        [
          "dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + byteCount],
        ] as [String: Any]
      offset += byteCount
    }
    if !metadata.isEmpty { header[metadataKey] = metadata }
    let json: Data
    do {
      json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
    } catch {
      preconditionFailure("safetensors header of strings and integers failed to serialise: \(error)")
    }
    var headerBytes = [UInt8](json)
    while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + headerBytes.count + offset)
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: headerBytes)
    for name in names {
      tensors[name]!.scalars.withUnsafeBufferPointer { scalars in
        for value in scalars {
          withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
      }
    }
    return bytes
  }

  /// The tensors and metadata in the safetensors bytes `bytes`.
  ///
  /// - Parameter fileName: the name errors report (the path, or a description of the source).
  /// - Throws: `CheckpointError` naming `fileName` and, where it concerns one tensor, its name.
  public static func decode(
    _ bytes: [UInt8], fileName: String = "<memory>"
  ) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
    let (header, dataStart) = try parseHeader(bytes, fileName: fileName)
    let dataSize = bytes.count - dataStart
    var metadata: [String: String] = [:]
    if let rawMetadata = header[metadataKey] {
      guard let strings = rawMetadata as? [String: String] else {
        throw CheckpointError(
          file: fileName, tensor: nil, reason: .invalidHeader("\(metadataKey) is not an object of strings"))
      }
      metadata = strings
    }
    var entries: [Entry] = []
    for (name, value) in header where name != metadataKey {
      entries.append(try Entry(name: name, value: value, dataSize: dataSize, fileName: fileName))
    }
    try checkTiling(&entries, dataSize: dataSize, fileName: fileName)
    var tensors: [String: Tensor] = [:]
    bytes.withUnsafeBytes { raw in
      for entry in entries {
        let count = (entry.end - entry.begin) / 4
        var scalars = [Float](repeating: 0, count: count)
        scalars.withUnsafeMutableBufferPointer { destination in
          let base = dataStart + entry.begin
          for i in 0..<count {
            let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 4 * i, as: UInt32.self))
            destination[i] = Float(bitPattern: bits)
          }
        }
        tensors[entry.name] = Tensor(shape: entry.shape, scalars: scalars)
      }
    }
    return (tensors, metadata)
  }

  /// The header's JSON object and the offset of the data (`8 + N`).
  private static func parseHeader(
    _ bytes: [UInt8], fileName: String
  ) throws(CheckpointError) -> (header: [String: Any], dataStart: Int) {
    func failure(_ reason: CheckpointError.Reason) -> CheckpointError {
      CheckpointError(file: fileName, tensor: nil, reason: reason)
    }
    guard bytes.count >= 8 else { throw failure(.truncated(byteCount: bytes.count)) }
    let headerLength = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw failure(.headerBeyondFile(headerLength: headerLength, fileSize: bytes.count))
    }
    let dataStart = 8 + Int(headerLength)
    let parsed: Any
    do {
      parsed = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]), options: [])
    } catch {
      throw failure(.invalidHeader("not valid JSON (\(error.localizedDescription))"))
    }
    guard let header = parsed as? [String: Any] else {
      throw failure(.invalidHeader("the header is not a JSON object"))
    }
    return (header, dataStart)
  }

  /// One tensor's header entry, checked: F32, a non-negative shape, offsets inside the data
  /// whose span is the shape's byte size.
  private struct Entry {
    let name: String
    let shape: [Int]
    let begin: Int
    let end: Int

    init(name: String, value: Any, dataSize: Int, fileName: String) throws(CheckpointError) {
      func failure(_ reason: CheckpointError.Reason) -> CheckpointError {
        CheckpointError(file: fileName, tensor: name, reason: reason)
      }
      guard let fields = value as? [String: Any] else { throw failure(.invalidHeader("the entry is not a JSON object")) }
      guard let dataType = fields["dtype"] as? String else { throw failure(.invalidHeader("missing or non-string \"dtype\"")) }
      guard let shape = integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
        throw failure(.invalidHeader("\"shape\" is not an array of non-negative integers"))
      }
      guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
        throw failure(.invalidHeader("\"data_offsets\" is not an array of two integers"))
      }
      guard dataType == "F32" else { throw failure(.unsupportedDataType(dataType)) }
      let begin = offsets[0]
      let end = offsets[1]
      guard begin >= 0, begin <= end, end <= dataSize else {
        throw failure(.offsetsOutOfRange(begin: begin, end: end, dataSize: dataSize))
      }
      var byteCount = 4
      var overflow = false
      for dimension in shape where !overflow {
        (byteCount, overflow) = byteCount.multipliedReportingOverflow(by: dimension)
      }
      guard !overflow, byteCount == end - begin else {
        throw failure(.sizeMismatch(shape: shape, byteCount: end - begin))
      }
      self.name = name
      self.shape = shape
      self.begin = begin
      self.end = end
    }
  }

  /// Sorts `entries` by offset and checks that they tile `[0, dataSize)` exactly.
  private static func checkTiling(_ entries: inout [Entry], dataSize: Int, fileName: String) throws(CheckpointError) {
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var covered = 0
    var previousName: String?
    for entry in entries {
      if entry.begin < covered, let previousName {
        throw CheckpointError(file: fileName, tensor: entry.name, reason: .overlapping(otherTensor: previousName))
      }
      if entry.begin > covered {
        throw CheckpointError(file: fileName, tensor: nil, reason: .unusedBytes(begin: covered, end: entry.begin))
      }
      covered = entry.end
      previousName = entry.name
    }
    if covered < dataSize {
      throw CheckpointError(file: fileName, tensor: nil, reason: .unusedBytes(begin: covered, end: dataSize))
    }
  }

  /// Integers from a JSON array of numbers (nil for anything else, including fractions).
  private static func integers(_ value: Any?) -> [Int]? {
    guard let array = value as? [Any] else { return nil }
    var result: [Int] = []
    result.reserveCapacity(array.count)
    for element in array {
      guard let integer = element as? Int else { return nil }
      result.append(integer)
    }
    return result
  }

  /// Reads a safetensors file.
  ///
  /// - Throws: `CheckpointError` naming `path` (and the tensor, where one is at fault).
  public static func read(from path: String) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
    let contents: Data
    do {
      contents = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw CheckpointError(file: path, tensor: nil, reason: .cannotRead(error.localizedDescription))
    }
    return try decode([UInt8](contents), fileName: path)
  }

  /// Writes `tensors` and `metadata` to `path` atomically: the bytes go to a new temporary file
  /// in the same directory, are flushed to disk, and the file is then renamed over `path`, so a
  /// reader sees either the old file or the complete new one, never a partial write.
  ///
  /// - Throws: `CheckpointError.Reason.cannotWrite` naming `path` and the system error.
  public static func write(tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws(CheckpointError) {
    try AtomicFile.write(encode(tensors: tensors, metadata: metadata), to: path)
  }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif

/// Atomic whole-file writes: temporary file in the target's directory, `fsync`, `rename(2)`.
enum AtomicFile {
  static func write(_ bytes: [UInt8], to path: String) throws(CheckpointError) {
    func failure(_ what: String) -> CheckpointError {
      let message = String(cString: strerror(errno))
      return CheckpointError(file: path, tensor: nil, reason: .cannotWrite("\(what): \(message)"))
    }
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let baseName = url.lastPathComponent
    // O_EXCL makes the temporary name ours; on a clash (another writer) try the next suffix.
    var descriptor: Int32 = -1
    var temporaryPath = ""
    for attempt in 0..<1000 {
      temporaryPath = directory + "/." + baseName + ".tmp-\(getpid())-\(attempt)"
      descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else { throw failure("cannot create a temporary file in \(directory)") }
    var written = 0
    var writeFailed = false
    bytes.withUnsafeBytes { raw in
      while written < raw.count {
        let result = systemWrite(descriptor, raw.baseAddress! + written, raw.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          writeFailed = true
          return
        }
        written += result
      }
    }
    if writeFailed || fsync(descriptor) != 0 {
      let error = failure("cannot write \(temporaryPath)")
      close(descriptor)
      unlink(temporaryPath)
      throw error
    }
    guard close(descriptor) == 0 else {
      let error = failure("cannot close \(temporaryPath)")
      unlink(temporaryPath)
      throw error
    }
    guard rename(temporaryPath, path) == 0 else {
      let error = failure("cannot rename \(temporaryPath) to \(path)")
      unlink(temporaryPath)
      throw error
    }
  }
}
