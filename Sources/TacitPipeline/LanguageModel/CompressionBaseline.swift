import Foundation
import TacitData
import TacitNN
import TacitText
import TacitTraining

/// A language model's bits per byte set against general-purpose compressors on the same test
/// text: a model that does not beat `xz -9e` has learned less about the text than a dictionary
/// coder (the comparison of Delétang et al. 2024, "Language Modeling Is Compression").
///
/// The test text is the test records decoded from their tokens (a byte-level record's bytes
/// exactly) and joined with a newline, so each compressor also pays for the record boundaries
/// the model pays for by predicting EOS. Compressors: `xz -9e` (LZMA2, extreme preset) when the
/// `xz` program is installed (Debian's `xz-utils`), and zlib at level 9 in process. Bits per byte
/// = 8 · compressed size / text size.
enum CompressionBaseline {
  /// `xz -9e` and zlib-9 bits per byte of `dataset`'s records (token records, decoded with
  /// `tokenizer`); `xz` is `nil` when the program is not found or fails.
  static func measure(_ dataset: LabeledDataset, tokenizer: any Tokenizer) -> (xz: Double?, zlib: Double, bytes: Int) {
    // Whole records, windowed ones put back together (TokenWindows.records).
    let texts = TokenWindows.records(dataset.features).map { tokens in
      tokenizer.decode(tokens.filter { tokenizer.tokenByteLengths[$0] > 0 })
    }
    let bytes = Array(texts.joined(separator: "\n").utf8)
    guard !bytes.isEmpty else { return (nil, .nan, 0) }
    let size = Double(bytes.count)
    return (xzSize(bytes).map { 8 * Double($0) / size }, 8 * Double(Zlib.compressedSize(bytes, level: 9)) / size, bytes.count)
  }

  /// The size of `bytes` compressed by `xz -9e`, or `nil` without a working `xz`.
  static func xzSize(_ bytes: [UInt8]) -> Int? {
    guard let program = ["/usr/bin/xz", "/bin/xz"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
      return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = ["-9e", "-c", "-T1"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    // Write from another thread so that a full output pipe cannot block the writer.
    let writer = Thread {
      input.fileHandleForWriting.write(Data(bytes))
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let compressed = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? compressed.count : nil
  }
}
