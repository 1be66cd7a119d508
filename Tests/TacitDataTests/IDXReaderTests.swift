import CZlib
import TacitTensor
import Testing

@testable import TacitData

@Suite struct IDXReaderTests {
  /// Two 2×3 images with pixel `i` holding `i·10 + 1`, and their labels 7, 3.
  let imageData: [UInt8] = (0..<12).map { UInt8($0 * 10 + 1) }
  let labelData: [UInt8] = [7, 3]

  @Test func readsGzipAndPlainImagesAlike() throws {
    let directory = try TemporaryDirectory()
    let bytes = idxBytes(dimensions: [2, 2, 3], data: imageData)
    let gzipped = try directory.writeGzip(bytes, to: "images.gz")
    let plain = try directory.write(bytes, to: "images")
    // The gzip file really is compressed (magic 1f 8b), so zlib did the decompression.
    #expect(try rawBytes(gzipped).prefix(2) == [0x1f, 0x8b])
    for path in [gzipped, plain] {
      let images = try IDXReader.readImages(path: path)
      #expect(images.shape == [2, 2, 3, 1])
      #expect(images.scalars == imageData.map(Float.init))
    }
  }

  @Test func readsLabelsAndGenericDimensions() throws {
    let directory = try TemporaryDirectory()
    let labels = try IDXReader.readLabels(path: directory.writeGzip(idxBytes(dimensions: [2], data: labelData), to: "l.gz"))
    #expect(labels == [7, 3])
    let array = try IDXReader.read(path: directory.write(idxBytes(dimensions: [2, 1, 2, 3], data: imageData), to: "4d"))
    #expect(array.dimensions == [2, 1, 2, 3])
    #expect(array.magic == 0x0804)
    #expect(array.count == 12)
    #expect(array[11] == 111)
  }

  @Test func largeFileCrossesChunkBoundaries() throws {
    // 5 MiB + 3 bytes of data: more than one 4 MiB read chunk, decoded byte for byte.
    let count = (5 << 20) + 3
    var data = [UInt8](repeating: 0, count: count)
    var state: UInt32 = 12345
    for index in 0..<count {
      state = state &* 1_664_525 &+ 1_013_904_223
      data[index] = UInt8(truncatingIfNeeded: state >> 24)
    }
    let directory = try TemporaryDirectory()
    let path = try directory.writeGzip(idxBytes(dimensions: [count], data: data), to: "big.gz")
    let array = try IDXReader.read(path: path)
    #expect(array.count == count)
    #expect(array.withElements { Array($0) } == data)
  }

  @Test func truncatedDataNamesBothSizes() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.writeGzip(idxBytes(dimensions: [2, 2, 3], data: Array(imageData.prefix(9))), to: "t.gz")
    let error = #expect(throws: DataError.self) { try IDXReader.readImages(path: path) }
    #expect(error == .truncated(path: path, promisedBytes: 12, availableBytes: 9))
    #expect(error?.description == "\(path): truncated: header promises 12 bytes of data, file ends after 9")
  }

  @Test func truncatedHeaderAndTrailingBytes() throws {
    let directory = try TemporaryDirectory()
    let short = try directory.write(Array(idxBytes(dimensions: [2, 2, 3], data: []).prefix(10)), to: "short")
    #expect(throws: DataError.malformed(path: short, offset: 10, reason: "file ends after 10 bytes, inside the 16-byte header")) {
      try IDXReader.readImages(path: short)
    }
    let long = try directory.write(idxBytes(dimensions: [2], data: [1, 2, 3]), to: "long")
    let error = #expect(throws: DataError.self) { try IDXReader.readLabels(path: long) }
    guard case .malformed(_, let offset, _) = error else { Issue.record("wrong error \(String(describing: error))"); return }
    #expect(offset == 10)  // 8-byte header + 2 promised bytes
  }

  /// A gzip bomb (a 16-byte label header, then 256 MiB of zeros, about 250 KB compressed) stops
  /// after the first 4 MiB read: an error at the end of the data the header describes.
  @Test func gzipBombStopsAtTheSizeTheHeaderDescribes() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/bomb.gz"
    let handle = try #require(gzopen(path, "wb"))
    var header = idxBytes(dimensions: [16], data: [])
    #expect(gzwrite(handle, &header, UInt32(header.count)) == Int32(header.count))
    var zeros = [UInt8](repeating: 0, count: 1 << 20)
    for _ in 0..<256 { #expect(gzwrite(handle, &zeros, UInt32(zeros.count)) == Int32(zeros.count)) }
    #expect(gzclose(handle) == Z_OK)
    #expect(try rawBytes(path).count < 2 << 20)

    var calls = 0
    var direct: DataError?
    do {
      _ = try GzipFile.read(path: path) { prefix in
        calls += 1
        return prefix.count >= 8 ? 24 : nil
      }
    } catch let error as DataError {
      direct = error
    }
    #expect(calls == 1)
    #expect(
      direct?.description
        == "\(path): offset 24: decompresses to more than the 24 bytes its header describes; stopped reading there "
        + "(a corrupt file, or a decompression bomb)")
    let error = #expect(throws: DataError.self) { try IDXReader.readLabels(path: path) }
    guard case .malformed(let errorPath, let offset, _) = error else {
      Issue.record("wrong error \(String(describing: error))")
      return
    }
    #expect(errorPath == path)
    #expect(offset == 24)  // 8-byte header + 16 labels
  }

  /// Dimensions describing more than 1 GiB of elements are refused before anything is allocated.
  @Test func hugeDimensionsAreRefused() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.writeGzip(idxBytes(dimensions: [65536, 256, 256], data: [1, 2, 3]), to: "huge.gz")
    let error = #expect(throws: DataError.self) { try IDXReader.readImages(path: path) }
    #expect(
      error?.description
        == "\(path): offset 4: dimensions [65536, 256, 256] describe 4294967296 elements, more than tacit reads (1073741824, 1 GiB)"
    )
  }

  @Test func badMagicIsReported() throws {
    let directory = try TemporaryDirectory()
    // A label file handed to the image reader.
    let path = try directory.write(idxBytes(dimensions: [2], data: labelData), to: "labels")
    let error = #expect(throws: DataError.self) { try IDXReader.readImages(path: path) }
    #expect(error == .badMagic(path: path, found: 0x801, expected: 0x803))
    #expect(error?.description.contains("bad magic number 0x00000801, expected 0x00000803") == true)
    // Not IDX at all: "hell" read as a big-endian UInt32.
    let text = try directory.write("hello, world", to: "text")
    #expect(throws: DataError.badMagic(path: text, found: 0x6865_6c6c, expected: 0x803)) {
      try IDXReader.readImages(path: text)
    }
  }

  @Test func missingFileCarriesTheHint() throws {
    let directory = try TemporaryDirectory()
    let path = directory.path + "/nothing-here.gz"
    let error = #expect(throws: DataError.self) { try IDXReader.readImages(path: path) }
    #expect(
      error?.description
        == "no such file: \(path) (install the Debian package dataset-fashion-mnist, or set data.path)")
    #expect(throws: DataError.unreadable(path: directory.path, reason: "is a directory")) {
      try GzipFile.read(path: directory.path)
    }
  }

  @Test func cutGzipStreamIsAnError() throws {
    let directory = try TemporaryDirectory()
    let full = try directory.writeGzip(idxBytes(dimensions: [4096], data: (0..<4096).map { UInt8($0 % 251) }), to: "f.gz")
    let bytes = try rawBytes(full)
    let cut = try directory.write(Array(bytes.prefix(bytes.count / 2)), to: "cut.gz")
    let error = #expect(throws: DataError.self) { try GzipFile.read(path: cut) }
    guard case .unreadable(let path, let reason) = error else { Issue.record("wrong error \(String(describing: error))"); return }
    #expect(path == cut)
    #expect(reason.contains("ends early"))
  }

  @Test func fashionLayoutLoadsAndChecksCounts() throws {
    let directory = try TemporaryDirectory()
    let image = (0..<(28 * 28)).map { UInt8($0 % 256) }
    try directory.writeGzip(idxBytes(dimensions: [3, 28, 28], data: image + image + image), to: "train-images-idx3-ubyte.gz")
    try directory.writeGzip(idxBytes(dimensions: [3], data: [0, 9, 4]), to: "train-labels-idx1-ubyte.gz")
    try directory.writeGzip(idxBytes(dimensions: [1, 28, 28], data: image), to: "t10k-images-idx3-ubyte.gz")
    let testLabels = try directory.writeGzip(idxBytes(dimensions: [2], data: [1, 2]), to: "t10k-labels-idx1-ubyte.gz")
    let error = #expect(throws: DataError.self) { try FashionMNIST.load(directory: directory.path) }
    #expect(
      error
        == .countMismatch(
          imagesPath: directory.path + "/t10k-images-idx3-ubyte.gz", imageCount: 1,
          labelsPath: testLabels, labelCount: 2))

    try directory.writeGzip(idxBytes(dimensions: [1], data: [10]), to: "t10k-labels-idx1-ubyte.gz")
    #expect(throws: DataError.malformed(path: testLabels, offset: 8, reason: "label 10 of record 0 is not below 10")) {
      try FashionMNIST.load(directory: directory.path)
    }

    try directory.writeGzip(idxBytes(dimensions: [1], data: [5]), to: "t10k-labels-idx1-ubyte.gz")
    let (train, test) = try FashionMNIST.load(directory: directory.path)
    #expect(train.count == 3 && test.count == 1)
    #expect(train.exampleShape == [28, 28, 1])
    #expect(train.labels == [0, 9, 4] && test.labels == [5])
    #expect(train.features.scalars[28 * 28 + 300] == Float(300 % 256))
    #expect(train.classNames?[9] == "Ankle boot")
  }
}
