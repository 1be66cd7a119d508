import TacitTensor

/// A problem reading or writing a checkpoint, naming the file and, where one is at fault, the
/// tensor (for a `Sequential`, the parameter path such as `layers.0.weight`).
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
  /// What went wrong.
  public enum Reason: Equatable, Sendable {
    /// The file could not be read (the system's message).
    case cannotRead(String)
    /// The file could not be written (the step and the system's message).
    case cannotWrite(String)
    /// Fewer than the 8 bytes of the header length.
    case truncated(byteCount: Int)
    /// The header length points past the end of the file.
    case headerBeyondFile(headerLength: UInt64, fileSize: Int)
    /// The header is not valid JSON or not of the safetensors structure.
    case invalidHeader(String)
    /// A tensor's `dtype` is not `F32`.
    case unsupportedDataType(String)
    /// A tensor's `data_offsets` are reversed, negative or past the end of the data section.
    case offsetsOutOfRange(begin: Int, end: Int, dataSize: Int)
    /// A tensor's byte range does not hold `4 · Π shape` bytes.
    case sizeMismatch(shape: [Int], byteCount: Int)
    /// A tensor's bytes overlap another tensor's.
    case overlapping(otherTensor: String)
    /// Bytes of the data section that no tensor covers.
    case unusedBytes(begin: Int, end: Int)
    /// The model has a parameter the file lacks.
    case missingTensor
    /// The file's tensor has another shape than the model's parameter.
    case shapeMismatch(expected: [Int], found: [Int])
    /// The file has a tensor the model has no parameter for.
    case unexpectedTensor
  }

  /// The file (path) concerned.
  public let file: String
  /// The tensor (parameter path) concerned, if the error is about one.
  public let tensor: String?
  /// What went wrong.
  public let reason: Reason

  public init(file: String, tensor: String?, reason: Reason) {
    self.file = file
    self.tensor = tensor
    self.reason = reason
  }

  public var description: String {
    let place = tensor.map { "\(file): tensor '\($0)'" } ?? file
    switch reason {
    case .cannotRead(let message): return "\(place): cannot read: \(message)"
    case .cannotWrite(let message): return "\(place): cannot write: \(message)"
    case .truncated(let byteCount):
      return "\(place): truncated: \(byteCount) bytes, fewer than the 8-byte header length"
    case .headerBeyondFile(let headerLength, let fileSize):
      return "\(place): header length \(headerLength) runs past the end of the \(fileSize)-byte file"
    case .invalidHeader(let message): return "\(place): invalid safetensors header: \(message)"
    case .unsupportedDataType(let dataType):
      return "\(place): unsupported dtype \(dataType) (only F32 is supported)"
    case .offsetsOutOfRange(let begin, let end, let dataSize):
      return "\(place): data_offsets [\(begin), \(end)] outside the \(dataSize)-byte data section"
    case .sizeMismatch(let shape, let byteCount):
      return "\(place): shape \(shape) of F32 does not fit its \(byteCount) bytes"
    case .overlapping(let otherTensor):
      return "\(place): data overlaps tensor '\(otherTensor)'"
    case .unusedBytes(let begin, let end):
      return "\(place): data bytes [\(begin), \(end)) belong to no tensor"
    case .missingTensor: return "\(place): missing from the file"
    case .shapeMismatch(let expected, let found):
      return "\(place): shape mismatch: the model expects \(expected), the file has \(found)"
    case .unexpectedTensor: return "\(place): the model has no such parameter"
    }
  }
}

extension Sequential {
  /// Writes every parameter, named by path (`layers.0.weight`, `layers.0.bias`, …), to a
  /// safetensors file at `path`, atomically (see `Safetensors.write`).
  public func save(to path: String, metadata: [String: String] = [:]) throws(CheckpointError) {
    var tensors: [String: Tensor] = [:]
    for (name, parameter) in namedParameters { tensors[name] = parameter.value }
    try Safetensors.write(tensors: tensors, metadata: metadata, to: path)
  }

  /// Replaces every parameter's value with the same-named tensor of the safetensors file at
  /// `path`, and returns the file's metadata.
  ///
  /// All-or-nothing: every tensor is checked before any parameter changes. Gradients are left
  /// as they are.
  ///
  /// - Throws: `CheckpointError` naming the file and the parameter path, for a parameter missing
  ///   from the file, a shape that differs (expected vs found), or a tensor in the file that the
  ///   model does not have (checked in parameter order, then extra names in sorted order); or any
  ///   error reading the file.
  @discardableResult
  public func load(from path: String) throws(CheckpointError) -> [String: String] {
    let (tensors, metadata) = try Safetensors.read(from: path)
    let named = namedParameters
    for (name, parameter) in named {
      guard let tensor = tensors[name] else {
        throw CheckpointError(file: path, tensor: name, reason: .missingTensor)
      }
      guard tensor.shape == parameter.value.shape else {
        throw CheckpointError(
          file: path, tensor: name, reason: .shapeMismatch(expected: parameter.value.shape, found: tensor.shape))
      }
    }
    let expected = Set(named.map(\.name))
    if let extra = tensors.keys.filter({ !expected.contains($0) }).sorted().first {
      throw CheckpointError(file: path, tensor: extra, reason: .unexpectedTensor)
    }
    for (name, parameter) in named { parameter.value = tensors[name]! }
    return metadata
  }
}
