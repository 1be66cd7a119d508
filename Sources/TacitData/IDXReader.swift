import TacitTensor

/// An n-dimensional array of bytes decoded from an IDX file.
///
/// The IDX format (LeCun et al., the MNIST distribution format) is: a 4-byte big-endian magic
/// number `0x00 0x00 TT DD` (element type `TT`, `0x08` = uint8; `DD` dimensions), then `DD`
/// big-endian `UInt32` extents, then the elements in row-major order. Header size: `4 + 4·DD`.
/// Only the uint8 element type is supported, which covers MNIST-style images (`0x00000803`) and
/// labels (`0x00000801`).
public struct IDXArray: Sendable {
  /// The extents, outermost first (for images: count, rows, columns).
  public let dimensions: [Int]
  /// The whole file; the elements start at `dataOffset`.
  let storage: [UInt8]
  /// The byte offset of the first element in `storage` (the header size).
  public let dataOffset: Int

  /// The magic number: `0x0800 + dimensions.count`.
  public var magic: UInt32 { 0x0800 + UInt32(dimensions.count) }

  /// The number of elements, the product of `dimensions`.
  public var count: Int { storage.count - dataOffset }

  /// The element at row-major position `index`.
  public subscript(index: Int) -> UInt8 {
    precondition(index >= 0 && index < count, "IDX element \(index) out of range 0..<\(count)")
    return storage[dataOffset + index]
  }

  /// Calls `body` with the elements (without the header).
  public func withElements<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
    try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[dataOffset...])) }
  }

  /// The elements as `Float` values 0…255, under `shape` (whose product must equal `count`).
  public func floats(shape: [Int]) -> Tensor {
    precondition(shape.reduce(1, *) == count, "shape \(shape) does not hold \(count) IDX elements")
    let scalars = withElements { source in
      [Float](unsafeUninitializedCapacity: source.count) { destination, initialized in
        guard var from = source.baseAddress, var to = destination.baseAddress else { return }
        // Pointer walking instead of subscripts: the loop stays fast in debug builds too.
        let end = from + source.count
        while from < end {
          to.initialize(to: Float(from.pointee))
          from += 1
          to += 1
        }
        initialized = source.count
      }
    }
    return Tensor(shape: shape, scalars: scalars)
  }
}

/// Reads IDX files, gzip-compressed or plain (see `IDXArray` for the format).
public enum IDXReader {
  /// The magic number of uint8 image files: three dimensions (count, rows, columns).
  public static let imagesMagic: UInt32 = 0x0000_0803
  /// The magic number of uint8 label files: one dimension (count).
  public static let labelsMagic: UInt32 = 0x0000_0801

  /// The array in the file at `path`.
  ///
  /// - Parameters:
  ///   - expectedMagic: when given, any other magic number is an error.
  ///   - missingFileHint: where such files come from, for the "no such file" message.
  /// - Throws: `DataError.missingFile`, `.unreadable`, `.badMagic`, `.malformed` (short header,
  ///   unsupported element type, trailing bytes) or `.truncated`.
  ///   Decompression stops as soon as the header is read and more bytes come out than it
  ///   describes, so a gzip bomb costs at most `maximumElements` plus one read chunk of memory.
  public static func read(
    path: String, expectedMagic: UInt32? = nil, missingFileHint: String? = DataError.fashionMNISTHint
  ) throws -> IDXArray {
    let bytes = try GzipFile.read(path: path, missingFileHint: missingFileHint) { prefix in
      try header(prefix, path: path, expectedMagic: expectedMagic, isComplete: false).map { $0.size + $0.elements }
    }
    return try parse(bytes, path: path, expectedMagic: expectedMagic)
  }

  /// The most elements an IDX file may hold: 1 GiB of uint8 (Fashion-MNIST's training images
  /// are 47 MB), so that a hostile header cannot make the reader allocate more.
  public static let maximumElements = 1 << 30

  /// The header of `bytes` (the start of a decompressed file): its size in bytes, dimensions and
  /// element count. When `isComplete` is false and `bytes` ends inside the header, `nil` (read
  /// on); otherwise the errors of `parse`, and an element count above `maximumElements`.
  static func header(_ bytes: [UInt8], path: String, expectedMagic: UInt32?, isComplete: Bool) throws
    -> (size: Int, dimensions: [Int], elements: Int)?
  {
    guard bytes.count >= 4 else {
      guard isComplete else { return nil }
      throw DataError.malformed(
        path: path, offset: bytes.count,
        reason: "file ends after \(bytes.count) bytes, inside the 4-byte magic number")
    }
    let magic = bigEndianUInt32(bytes, at: 0)
    if let expectedMagic, magic != expectedMagic {
      throw DataError.badMagic(path: path, found: magic, expected: expectedMagic)
    }
    guard bytes[0] == 0, bytes[1] == 0 else {
      throw DataError.malformed(path: path, offset: 0, reason: "bad magic number \(hex(magic)): not an IDX file")
    }
    guard bytes[2] == 0x08 else {
      throw DataError.malformed(
        path: path, offset: 2,
        reason: "element type 0x\(String(bytes[2], radix: 16)) is not supported (only uint8, 0x08)")
    }
    let rank = Int(bytes[3])
    guard rank >= 1 else {
      throw DataError.malformed(path: path, offset: 3, reason: "an IDX array needs at least one dimension")
    }
    let headerSize = 4 + 4 * rank
    guard bytes.count >= headerSize else {
      guard isComplete else { return nil }
      throw DataError.malformed(
        path: path, offset: bytes.count,
        reason: "file ends after \(bytes.count) bytes, inside the \(headerSize)-byte header")
    }
    var dimensions = [Int]()
    var promised = 1
    for axis in 0..<rank {
      let extent = Int(bigEndianUInt32(bytes, at: 4 + 4 * axis))
      dimensions.append(extent)
      let (product, overflow) = promised.multipliedReportingOverflow(by: extent)
      guard !overflow else {
        throw DataError.malformed(path: path, offset: 4 + 4 * axis, reason: "dimensions \(dimensions) overflow")
      }
      promised = product
    }
    guard promised <= maximumElements else {
      throw DataError.malformed(
        path: path, offset: 4,
        reason: "dimensions \(dimensions) describe \(promised) elements, more than tacit reads (\(maximumElements), 1 GiB)")
    }
    return (headerSize, dimensions, promised)
  }

  /// The array encoded in `bytes` (already decompressed); `path` is used in error messages.
  public static func parse(_ bytes: [UInt8], path: String, expectedMagic: UInt32? = nil) throws -> IDXArray {
    let (headerSize, dimensions, promised) = try header(bytes, path: path, expectedMagic: expectedMagic, isComplete: true)!
    let available = bytes.count - headerSize
    if available < promised {
      throw DataError.truncated(path: path, promisedBytes: promised, availableBytes: available)
    }
    if available > promised {
      throw DataError.malformed(
        path: path, offset: headerSize + promised,
        reason: "\(available - promised) bytes after the \(promised) data bytes of \(dimensions)")
    }
    return IDXArray(dimensions: dimensions, storage: bytes, dataOffset: headerSize)
  }

  /// Images from an IDX file with magic `0x00000803`, as `[count, rows, columns, 1]` (channels
  /// last), pixel values 0…255 as `Float`.
  public static func readImages(path: String, missingFileHint: String? = DataError.fashionMNISTHint) throws -> Tensor {
    let array = try read(path: path, expectedMagic: imagesMagic, missingFileHint: missingFileHint)
    return array.floats(shape: array.dimensions + [1])
  }

  /// Labels from an IDX file with magic `0x00000801`.
  public static func readLabels(path: String, missingFileHint: String? = DataError.fashionMNISTHint) throws -> [Int32] {
    let array = try read(path: path, expectedMagic: labelsMagic, missingFileHint: missingFileHint)
    return array.withElements { $0.map { Int32($0) } }
  }

  static func bigEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
      | UInt32(bytes[offset + 3])
  }
}

/// "uint8 images (3 dimensions)" for `0x00000803` and similar, for error messages.
func describeIDXMagic(_ magic: UInt32) -> String {
  let type = (magic >> 8) & 0xff
  let rank = magic & 0xff
  let kind = rank == 3 ? " images" : rank == 1 ? " labels" : ""
  let typeName = type == 0x08 ? "uint8" : "type 0x\(String(type, radix: 16))"
  return "\(typeName)\(kind), \(rank) dimension\(rank == 1 ? "" : "s")"
}
