import Foundation
import TacitNN
import TacitTensor
import Testing

/// The safetensors reader and writer: byte layout against the format specification, decoding of
/// a file written independently by NumPy, round trips, every `CheckpointError`, atomic writes,
/// and `Sequential` save/load.
struct SafetensorsTests {
  // MARK: Helpers

  /// A file from a raw header string (not padded) and data bytes, laid out by the specification.
  static func file(header: String, data: [UInt8] = []) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
    return bytes + headerBytes + data
  }

  /// The little-endian bytes of `values` as F32.
  static func littleEndian(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in
      let bits = value.bitPattern
      return [UInt8(bits & 0xff), UInt8(bits >> 8 & 0xff), UInt8(bits >> 16 & 0xff), UInt8(bits >> 24)]
    }
  }

  /// The error `decode` throws for `bytes`, or nil.
  static func decodeError(_ bytes: [UInt8], fileName: String = "model.safetensors") -> CheckpointError? {
    do {
      _ = try Safetensors.decode(bytes, fileName: fileName)
      return nil
    } catch {
      return error
    }
  }

  /// A fresh, empty directory for one test.
  static func temporaryDirectory() -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("tacit-safetensors-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  // MARK: Layout and fixtures

  @Test func byteLayoutFollowsTheSpecification() {
    let bytes = Safetensors.encode(
      tensors: ["b": Tensor(shape: [2], scalars: [1, -2]), "a": Tensor(shape: [1, 1], scalars: [0.5])],
      metadata: ["note": "x/y"])
    let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
    #expect(headerLength % 8 == 0)
    #expect(bytes.count == 8 + Int(headerLength) + 12)
    let header = String(decoding: bytes[8..<(8 + Int(headerLength))], as: UTF8.self)
    let trimmed = header.replacingOccurrences(of: " ", with: "")
    #expect(header.hasPrefix(trimmed) && header.dropFirst(trimmed.count).allSatisfy { $0 == " " })
    #expect(header.count - trimmed.count < 8)
    // Tensors in name order: "a" first at offset 0, "b" after it; slashes not escaped.
    #expect(
      trimmed
        == #"{"__metadata__":{"note":"x/y"},"a":{"data_offsets":[0,4],"dtype":"F32","shape":[1,1]},"b":{"data_offsets":[4,12],"dtype":"F32","shape":[2]}}"#
    )
    #expect(Array(bytes[(8 + Int(headerLength))...]) == [0, 0, 0, 0x3f, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0])
  }

  @Test func emptyMetadataIsOmittedAndEmptyFileIsValid() throws {
    let bytes = Safetensors.encode(tensors: [:])
    #expect(bytes == Self.file(header: "{}      "))
    let decoded = try Safetensors.decode(bytes)
    #expect(decoded.tensors.isEmpty && decoded.metadata.isEmpty)
  }

  /// Written by Scripts/make_safetensors_fixture.py (NumPy and Python's json module): Python's
  /// separators, data stored in the order gamma, alpha, beta, layers.0.weight.
  static let pythonFixtureBase64 =
    "UAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6IHsiZm9ybWF0IjogInB0IiwgInNvdXJjZSI6ICJudW1weSJ9LCAiZ2FtbWEiOiB7ImR0eXBlIjogIkYzMiIsICJzaGFwZSI6IFtdLCAiZGF0YV9vZmZzZXRzIjogWzAsIDRdfSwgImFscGhhIjogeyJkdHlwZSI6ICJGMzIiLCAic2hhcGUiOiBbMiwgM10sICJkYXRhX29mZnNldHMiOiBbNCwgMjhdfSwgImJldGEiOiB7ImR0eXBlIjogIkYzMiIsICJzaGFwZSI6IFswXSwgImRhdGFfb2Zmc2V0cyI6IFsyOCwgMjhdfSwgImxheWVycy4wLndlaWdodCI6IHsiZHR5cGUiOiAiRjMyIiwgInNoYXBlIjogWzIsIDJdLCAiZGF0YV9vZmZzZXRzIjogWzI4LCA0NF19fSAgICAAACDAAAAAvwAAgL4AAAAAAACAPgAAAD8AAEA/bxKDOgAA4MAAAFBAyvJJcQ=="

  @Test func decodesAFileWrittenByNumPy() throws {
    let bytes = [UInt8](Data(base64Encoded: Self.pythonFixtureBase64)!)
    let (tensors, metadata) = try Safetensors.decode(bytes, fileName: "fixture")
    #expect(metadata == ["format": "pt", "source": "numpy"])
    #expect(tensors.count == 4)
    #expect(tensors["gamma"] == Tensor(shape: [], scalars: [-2.5]))
    #expect(tensors["alpha"] == Tensor(shape: [2, 3], scalars: [-0.5, -0.25, 0, 0.25, 0.5, 0.75]))
    #expect(tensors["beta"] == Tensor(shape: [0], scalars: []))
    #expect(tensors["layers.0.weight"] == Tensor(shape: [2, 2], scalars: [1e-3, -7, 3.25, 1e30]))
  }

  @Test func roundTripIncludingEmptyAndScalarTensors() throws {
    let tensors: [String: Tensor] = [
      "layers.0.weight": Tensor(shape: [2, 3], scalars: [1, -2, 3.5, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, -0.0]),
      "layers.0.bias": Tensor(shape: [3], scalars: [0.1, 0.2, 0.3]),
      "scalar": Tensor(shape: [], scalars: [42]),
      "empty": Tensor(shape: [0], scalars: []),
      "empty.matrix": Tensor(shape: [3, 0], scalars: []),
      "Ünïcode name": Tensor(shape: [1], scalars: [.infinity]),
    ]
    let metadata = ["format": "pt", "tacit.recipe": "a/b \"quoted\" ∑", "empty": ""]
    let bytes = Safetensors.encode(tensors: tensors, metadata: metadata)
    let decoded = try Safetensors.decode(bytes)
    #expect(decoded.tensors == tensors)
    #expect(decoded.tensors["layers.0.weight"]!.scalars[5].sign == .minus)
    #expect(decoded.metadata == metadata)
    // Deterministic: the same tensors give the same bytes.
    #expect(Safetensors.encode(tensors: decoded.tensors, metadata: decoded.metadata) == bytes)
  }

  // MARK: Errors

  @Test func truncatedFile() {
    let error = Self.decodeError([1, 0, 0, 0, 0])
    #expect(error == CheckpointError(file: "model.safetensors", tensor: nil, reason: .truncated(byteCount: 5)))
    #expect(error?.description.contains("model.safetensors") == true)
  }

  @Test func headerLengthBeyondFile() {
    var bytes = Self.file(header: "{}")
    bytes[0] = 200
    #expect(Self.decodeError(bytes)?.reason == .headerBeyondFile(headerLength: 200, fileSize: 10))
    bytes[0] = 0xff
    bytes[7] = 0xff
    #expect(Self.decodeError(bytes)?.reason == .headerBeyondFile(headerLength: 0xff00_0000_0000_00ff, fileSize: 10))
  }

  @Test func invalidHeaders() {
    let cases: [(header: String, tensor: String?)] = [
      (#"{"a": {"dtype": "F32""#, nil),  // not JSON
      (#"[1, 2]"#, nil),  // not an object
      (#"{"__metadata__": {"n": 1}}"#, nil),  // metadata not strings
      (#"{"a": 3}"#, "a"),  // entry not an object
      (#"{"a": {"shape": [1], "data_offsets": [0, 4]}}"#, "a"),  // no dtype
      (#"{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, "a"),  // negative dimension
      (#"{"a": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, "a"),  // fractional
      (#"{"a": {"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}}"#, "a"),  // not an array
      (#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#, "a"),  // one offset
    ]
    for (header, tensor) in cases {
      let error = Self.decodeError(Self.file(header: header, data: [0, 0, 0, 0]))
      guard case .invalidHeader = error?.reason else {
        Issue.record("header \(header): expected invalidHeader, got \(String(describing: error))")
        continue
      }
      #expect(error?.tensor == tensor, "header \(header)")
      #expect(error?.file == "model.safetensors")
    }
  }

  @Test func unsupportedDataType() {
    let error = Self.decodeError(
      Self.file(header: #"{"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}}"#, data: [0, 0, 0, 0]))
    #expect(error == CheckpointError(file: "model.safetensors", tensor: "w", reason: .unsupportedDataType("F16")))
    #expect(error?.description.contains("'w'") == true)
  }

  @Test func offsetsOutOfRange() {
    let data = Self.littleEndian([1, 2])
    for (begin, end) in [(0, 12), (4, 0), (-4, 4)] {
      let error = Self.decodeError(
        Self.file(header: #"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [\#(begin), \#(end)]}}"#, data: data))
      #expect(
        error
          == CheckpointError(
            file: "model.safetensors", tensor: "w", reason: .offsetsOutOfRange(begin: begin, end: end, dataSize: 8)))
    }
  }

  @Test func sizeMismatch() {
    let error = Self.decodeError(
      Self.file(header: #"{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}"#, data: Self.littleEndian([1, 2])))
    #expect(error == CheckpointError(file: "model.safetensors", tensor: "w", reason: .sizeMismatch(shape: [3], byteCount: 8)))
    // A shape whose size overflows is a mismatch, not a crash.
    let huge = Self.decodeError(
      Self.file(
        header: #"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 8]}}"#,
        data: Self.littleEndian([1, 2])))
    #expect(huge?.reason == .sizeMismatch(shape: [4_611_686_018_427_387_904, 4], byteCount: 8))
  }

  @Test func overlappingTensors() {
    let header =
      #"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#
    let error = Self.decodeError(Self.file(header: header, data: Self.littleEndian([1, 2, 3])))
    #expect(error == CheckpointError(file: "model.safetensors", tensor: "b", reason: .overlapping(otherTensor: "a")))
  }

  @Test func unusedBytes() {
    let gap =
      #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}"#
    #expect(
      Self.decodeError(Self.file(header: gap, data: Self.littleEndian([1, 2, 3])))?.reason == .unusedBytes(begin: 4, end: 8))
    let trailing = #"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}"#
    #expect(
      Self.decodeError(Self.file(header: trailing, data: Self.littleEndian([1, 2])))?.reason == .unusedBytes(begin: 4, end: 8))
  }

  @Test func cannotReadOrWrite() {
    let directory = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let missing = directory + "/missing.safetensors"
    do {
      _ = try Safetensors.read(from: missing)
      Issue.record("reading a missing file succeeded")
    } catch {
      guard case .cannotRead = error.reason else { Issue.record("expected cannotRead, got \(error)"); return }
      #expect(error.file == missing)
    }
    let unwritable = directory + "/no-such-directory/model.safetensors"
    do {
      try Safetensors.write(tensors: [:], to: unwritable)
      Issue.record("writing into a missing directory succeeded")
    } catch {
      guard case .cannotWrite = error.reason else { Issue.record("expected cannotWrite, got \(error)"); return }
      #expect(error.file == unwritable)
    }
  }

  // MARK: Files

  @Test func atomicWriteReplacesAndLeavesNoTemporaryFiles() throws {
    let directory = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.safetensors"
    try Safetensors.write(tensors: ["x": Tensor(shape: [1], scalars: [1])], metadata: ["v": "1"], to: path)
    try Safetensors.write(tensors: ["y": Tensor(shape: [2], scalars: [2, 3])], metadata: ["v": "2"], to: path)
    let (tensors, metadata) = try Safetensors.read(from: path)
    #expect(tensors == ["y": Tensor(shape: [2], scalars: [2, 3])])
    #expect(metadata == ["v": "2"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.safetensors"])
    let onDisk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(onDisk == Safetensors.encode(tensors: tensors, metadata: metadata))
  }

  // MARK: Sequential

  static func model(_ sizes: [Int], hasBias: Bool = true, seed: UInt64) -> Sequential {
    var generator = SeededGenerator(seed: seed)
    var layers: [Layer] = []
    for index in 0..<(sizes.count - 1) {
      if index > 0 { layers.append(Activation(.tanh)) }
      layers.append(Dense(inputCount: sizes[index], outputCount: sizes[index + 1], hasBias: hasBias, generator: &generator))
    }
    return try! Sequential(layers, inputShape: [sizes[0]])
  }

  @Test func sequentialSaveLoadRoundTrip() throws {
    let directory = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.safetensors"
    let source = Self.model([3, 4, 2], seed: 1)
    try source.save(to: path, metadata: ["epoch": "7"])
    let (tensors, _) = try Safetensors.read(from: path)
    #expect(Set(tensors.keys) == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"])

    let target = Self.model([3, 4, 2], seed: 2)
    #expect(target.parameters[0].value != source.parameters[0].value)
    let metadata = try target.load(from: path)
    #expect(metadata == ["epoch": "7"])
    for ((name, loaded), (_, original)) in zip(target.namedParameters, source.namedParameters) {
      #expect(loaded.value == original.value, "\(name)")
    }
    let input = Tensor(shape: [2, 3], scalars: [0.1, -0.2, 0.3, 1, 2, -3])
    #expect(target.predict(input) == source.predict(input))
  }

  @Test func sequentialLoadErrorsNameTheParameter() throws {
    let directory = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/model.safetensors"
    try Self.model([3, 4, 2], seed: 1).save(to: path)

    func loadError(_ model: Sequential) -> CheckpointError? {
      do {
        try model.load(from: path)
        return nil
      } catch {
        return error
      }
    }
    #expect(
      loadError(Self.model([3, 5, 2], seed: 3))
        == CheckpointError(file: path, tensor: "layers.0.weight", reason: .shapeMismatch(expected: [5, 3], found: [4, 3])))
    #expect(
      loadError(Self.model([3, 4, 2, 2], seed: 3))
        == CheckpointError(file: path, tensor: "layers.4.weight", reason: .missingTensor))
    #expect(
      loadError(Self.model([3, 4], seed: 3)) == CheckpointError(file: path, tensor: "layers.2.bias", reason: .unexpectedTensor))
    #expect(
      loadError(Self.model([3, 4, 2], hasBias: false, seed: 3))
        == CheckpointError(file: path, tensor: "layers.0.bias", reason: .unexpectedTensor))

    // All or nothing: a mismatch in the last layer leaves the first layer untouched.
    let partial = Self.model([3, 4, 3], seed: 4)
    let before = partial.namedParameters.map(\.parameter.value)
    let error = loadError(partial)
    #expect(error?.tensor == "layers.2.weight")
    #expect(error?.description.contains("expects [3, 4]") == true)
    #expect(partial.namedParameters.map(\.parameter.value) == before)
  }
}
