import Foundation
import Testing

@testable import TacitText

/// The real fortune files of Debian's `fortunes` and `fortunes-min` packages, when installed.
///
/// Oracle: each fortune file's `.dat` index, written by `strfile(8)` when the package was built,
/// holds its number of records (a big-endian UInt32 at byte 4 of the header); the reader must find
/// exactly that many in every file.
@Suite struct FortunesTests {
  static let directory = TextRecordReader.defaultFortunesDirectory

  /// The record count strfile stored in `name.dat`.
  static func strfileCount(_ name: String) throws -> Int {
    let header = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + ".dat")).prefix(8))
    try #require(header.count == 8)
    return header[4...7].reduce(0) { $0 << 8 | Int($1) }
  }

  @Test(
    .enabled(
      if: FileManager.default.fileExists(atPath: directory + "/wisdom"), "install the Debian packages fortunes and fortunes-min"))
  func everyFortuneFileReadsAsManyRecordsAsStrfileCounted() throws {
    let files = try TextRecordReader.fortuneNames()
    let reader = TextRecordReader(format: .fortune)
    var total = 0
    var all: [TextRecord] = []
    for file in files {
      let records = try reader.read(file: file)
      #expect(records.count == (try Self.strfileCount(file)), "file \(file)")
      #expect(records.allSatisfy { $0.file == file })
      total += records.count
      all += records
    }
    #expect(files.count >= 40)
    #expect((15_000...15_500).contains(total), "\(total) records in \(files.count) files")
    let pool = TextPool(all)
    let short = TextPool(all, maxBytes: 256)
    #expect(pool.records.count < total && short.records.count < pool.records.count)
    print("fortunes: \(files.count) files; \(pool.summary); with max_bytes 256: \(short.summary)")
  }
}
