/// Every error a data file, a data directory or a split request can raise.
///
/// These are user-input errors (a file the user pointed at, sizes from a recipe), so each case
/// carries what a person needs to fix the input: the file path, a byte offset or line number, the
/// column name, the sizes involved. `description` renders the message the command line prints,
/// in the `path:line: reason` form editors recognise.
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
  /// No file at `path`. `hint` says where the file usually comes from (e.g. the Debian package).
  case missingFile(path: String, hint: String?)
  /// The file exists but could not be read or decompressed (permission, directory, corrupt gzip).
  case unreadable(path: String, reason: String)
  /// An IDX file whose 4-byte magic number (offset 0) is not the one expected.
  case badMagic(path: String, found: UInt32, expected: UInt32)
  /// An IDX file whose header promises more data bytes than the file holds after the header.
  case truncated(path: String, promisedBytes: Int, availableBytes: Int)
  /// A structural problem at byte `offset` of a binary file (short header, bad dimension,
  /// trailing bytes, a label out of range).
  case malformed(path: String, offset: Int, reason: String)
  /// An image file and a label file that disagree on the number of records.
  case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
  /// A problem in a text file at 1-based `line`, in `column` when one column is at fault.
  case badRecord(path: String, line: Int, column: String?, reason: String)
  /// The label column named in the request is not in the header.
  case missingColumn(path: String, column: String, header: [String])
  /// A split or subset request that the available records cannot satisfy, or that is
  /// inconsistent (negative sizes); `reason` names the sizes.
  case invalidSplit(reason: String)

  /// The hint for Fashion-MNIST files, used by `FashionMNIST` and by default by `IDXReader`.
  public static let fashionMNISTHint = "install the Debian package dataset-fashion-mnist, or set data.path"

  public var description: String {
    switch self {
    case .missingFile(let path, let hint):
      if let hint { return "no such file: \(path) (\(hint))" }
      return "no such file: \(path)"
    case .unreadable(let path, let reason):
      return "\(path): cannot read: \(reason)"
    case .badMagic(let path, let found, let expected):
      return "\(path): offset 0: bad magic number \(hex(found)), expected \(hex(expected))"
        + " (\(describeIDXMagic(expected)))"
    case .truncated(let path, let promisedBytes, let availableBytes):
      return "\(path): truncated: header promises \(promisedBytes) bytes of data, file ends after \(availableBytes)"
    case .malformed(let path, let offset, let reason):
      return "\(path): offset \(offset): \(reason)"
    case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
      return "\(imagesPath) holds \(imageCount) images but \(labelsPath) holds \(labelCount) labels"
    case .badRecord(let path, let line, let column, let reason):
      if let column { return "\(path):\(line): column '\(column)': \(reason)" }
      return "\(path):\(line): \(reason)"
    case .missingColumn(let path, let column, let header):
      let listed = header.map { "'\($0)'" }.joined(separator: ", ")
      return "\(path):1: no column named '\(column)'; the header has \(listed)"
    case .invalidSplit(let reason):
      return reason
    }
  }
}

/// `0x00000803`-style rendering of a 32-bit magic number.
func hex(_ value: UInt32) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
