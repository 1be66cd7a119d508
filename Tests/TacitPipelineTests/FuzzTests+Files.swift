import Foundation
import PropertyBased
import Testing

/// The fuzz tests of files `tacit` reads: score CSVs (`tacit audit scores`, `tacit audit
/// canaries`), IDX headers and CSV data headers.
extension FuzzTests {
  /// Score fields: numbers at the extremes, non-numbers, blanks.
  static let scoreFields = [
    "0", "1", "-1", "0.5", "1e308", "-1e308", "1e309", "4.9e-324", "nan", "NaN", "inf", "-inf", "abc", "", " 3 ", "\"1\"",
    "99999999999999999999", "0x10", "1,2",
  ]
  /// Label fields: the two valid values and everything near them.
  static let labelFields = ["0", "1", "1", "0", "2", "-1", "", "1.0", "yes", "true", "1e308", "\"1\""]
  /// Headers: the two valid ones, reversed, partial, repeated, empty.
  static let scoreHeaders = [
    "score,member", "score,included", "member,score", "score", "", "score,member,extra", "score,score", "\u{FEFF}score,member",
    "SCORE,MEMBER",
  ]

  /// A score CSV: mostly `validHeader` and 0–60 valid rows (a score in [−5, 5], a 0/1 label),
  /// then 0–2 fields replaced by anything from `scoreFields` or `labelFields`; `\n` or `\r\n`
  /// line ends; one case in five another header, one in ten random bytes.
  static func scoreFile(validHeader: String) -> Generator<Data, some SendableSequenceType> {
    zip(
      Gen.int(in: 0...9), zip(Gen<Double>.value(in: -5...5), Gen.bool).array(of: 0...60),
      zip(Gen.int(in: 0...59), Gen.bool, Gen.element(of: scoreFields), Gen.element(of: labelFields)).array(of: 0...2),
      Gen.bool, Gen.element(of: scoreHeaders), Gen<UInt8>.value(in: 0...255).array(of: 0...200)
    ).map { kind, rows, edits, crlf, otherHeader, bytes -> Data in
      if kind == 0 { return Data(bytes) }
      var fields = rows.map { ["\($0)", $1 ? "1" : "0"] }
      for (row, isScore, score, label) in edits where row < fields.count {
        if isScore { fields[row][0] = score! } else { fields[row][1] = label! }
      }
      let lines = [kind <= 2 ? otherHeader! : validHeader] + fields.map { $0.joined(separator: ",") }
      return Data(lines.joined(separator: crlf ? "\r\n" : "\n").utf8)
    }
  }

  /// `tacit audit scores` and `tacit audit canaries` over generated score files.
  @Test func auditSurvivesScoreFiles() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-scores")
    defer { try? FileManager.default.removeItem(at: folder) }
    let flags = Gen.element(of: [
      ["--delta", "1e-5"], ["--delta", "0"], ["--claimed-epsilon", "1e308", "--delta", "0.5"],
      ["--positive-guesses", "9223372036854775807", "--delta", "1e-5"], ["--negative-guesses", "3", "--delta", "1e-5"],
      ["--confidence", "0.999999999", "--delta", "1e-5"], ["--delta", "1e-5", "--claimed-epsilon", "0"],
    ])
    var random = Self.generator(4)
    var statuses: [Int32: Int] = [:]
    for index in 0..<80 {
      let file = folder.appendingPathComponent("scores-\(index).csv")
      let isScores = index % 2 == 0
      let contents = Self.scoreFile(validHeader: isScores ? "score,member" : "score,included").run(using: &random)
      try contents.write(to: file)
      let chosen = flags.run(using: &random)!
      let command = isScores ? ["audit", "scores", file.path] : ["audit", "canaries", file.path] + chosen
      let extra = index % 4 == 0 ? ["--bootstrap", index % 8 == 0 ? "20" : "1000000000"] : []
      let arguments = command + (command[1] == "scores" ? extra : [])
      Self.expectClean(
        try BoundedCommandLine.run(arguments, in: folder),
        arguments.joined(separator: " ") + " on: " + String(decoding: contents.prefix(400), as: UTF8.self).debugDescription,
        statuses: &statuses)
    }
    Self.expectBothOutcomes(statuses)
  }

  /// IDX extents at the extremes.
  static let extents: [UInt32] = [0, 1, 2, 5, 28, 255, 1 << 16, 1 << 30, 1 << 31, UInt32.max]

  /// An IDX image and label pair: mostly valid (1–12 images of 28×28, labels 0–9), else one
  /// corruption of either file: an extent from `extents`, another element type or rank, a byte
  /// too many or too few, or random bytes.
  static let idxPair = zip(
    Gen.int(in: 0...11), Gen.int(in: 1...12), Gen.element(of: extents), Gen.int(in: 0...2), Gen.bool,
    Gen<UInt8>.value(in: 0...255).array(of: 0...64)
  ).map { corruption, count, extent, axis, corruptsImages, bytes -> (images: Data, labels: Data) in
    var images = idxHeader(rank: 3, extents: [UInt32(count), 28, 28]) + [UInt8](repeating: 128, count: count * 784)
    var labels = idxHeader(rank: 1, extents: [UInt32(count)]) + (0..<count).map { UInt8($0 % 10) }
    func corrupt(_ file: inout [UInt8], rank: Int) {
      switch corruption {
      case 6:
        file.replaceSubrange((4 + 4 * (axis % rank))..<(8 + 4 * (axis % rank)), with: idxHeader(rank: 0, extents: [extent!]))
      case 7: file[2] = 0x0D
      case 8: file[3] = UInt8(axis + 2)
      case 9: file.append(0)
      case 10: file.removeLast()
      case 11: file = bytes
      default: break
      }
    }
    if corruptsImages { corrupt(&images, rank: 3) } else { corrupt(&labels, rank: 1) }
    return (Data(images), Data(labels))
  }

  /// The magic number `0x0000 08 rank` and the big-endian extents (rank 0: the extents only).
  static func idxHeader(rank: UInt8, extents: [UInt32]) -> [UInt8] {
    (rank == 0 ? [] : [0, 0, 8, rank]) + extents.flatMap { withUnsafeBytes(of: $0.bigEndian, Array.init) }
  }

  /// One-epoch `tacit run`s of a Fashion-MNIST recipe on generated IDX files (the same pair for
  /// training and test).
  @Test func runSurvivesIDXHeaders() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-idx")
    defer { try? FileManager.default.removeItem(at: folder) }
    let recipe = folder.appendingPathComponent("recipe.yaml")
    try Data(
      BadInputTests.fashionRecipe.replacingOccurrences(of: "train_size: 100", with: "train_size: 4")
        .replacingOccurrences(of: "test_size: 50", with: "test_size: 2").utf8
    ).write(to: recipe)
    var random = Self.generator(5)
    var statuses: [Int32: Int] = [:]
    for index in 0..<24 {
      let data = folder.appendingPathComponent("data-\(index)")
      try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
      let (images, labels) = Self.idxPair.run(using: &random)
      for prefix in ["train", "t10k"] {
        try images.write(to: data.appendingPathComponent("\(prefix)-images-idx3-ubyte.gz"))
        try labels.write(to: data.appendingPathComponent("\(prefix)-labels-idx1-ubyte.gz"))
      }
      let arguments = [
        "run", recipe.path, "--output", folder.appendingPathComponent("run-\(index)").path, "--set", "data.path=\(data.path)",
      ]
      Self.expectClean(
        try BoundedCommandLine.run(arguments, in: folder),
        "IDX images \(images.prefix(24).map { $0 }) (\(images.count) bytes), labels \(labels.prefix(24).map { $0 }) (\(labels.count) bytes)",
        statuses: &statuses)
    }
    Self.expectBothOutcomes(statuses)
  }

  /// CSV column names: the label column, duplicates, blanks, quotes, separators inside quotes.
  static let columnNames = ["label", "label", "x", "y", "", " ", "\"a,b\"", "\"", "\"\"", "label ", "LABEL", "\u{FEFF}x", "x"]
  /// CSV data fields.
  static let csvFields = ["0", "1", "2", "-1", "1e308", "1e39", "nan", "", "a", "0.5", "9999999999", "2147483648", "\"1\""]

  /// A CSV data file: mostly the header `x,y,label` and 0–30 valid rows (labels 0–2), then 0–2
  /// header names or fields replaced from `columnNames` / `csvFields`; `\n` or `\r\n`.
  static let csvFile = zip(
    zip(Gen<Double>.value(in: -3...3), Gen<Double>.value(in: -3...3), Gen.int(in: 0...2)).array(of: 0...30),
    zip(Gen.int(in: 0...2), Gen.element(of: columnNames)).array(of: 0...2),
    zip(Gen.int(in: 0...29), Gen.int(in: 0...2), Gen.element(of: csvFields)).array(of: 0...2), Gen.bool
  ).map { rows, headerEdits, fieldEdits, crlf -> String in
    var header = ["x", "y", "label"]
    for (column, name) in headerEdits { header[column] = name! }
    var fields = rows.map { ["\($0)", "\($1)", "\($2)"] }
    for (row, column, value) in fieldEdits where row < fields.count { fields[row][column] = value! }
    return ([header] + fields).map { $0.joined(separator: ",") }.joined(separator: crlf ? "\r\n" : "\n")
  }

  /// One-epoch `tacit run`s on generated CSV data files.
  @Test func runSurvivesCSVHeaders() throws {
    let folder = try CommandLineTool.temporaryDirectory("fuzz-csv")
    defer { try? FileManager.default.removeItem(at: folder) }
    let recipe = folder.appendingPathComponent("recipe.yaml")
    try Data(
      BadInputTests.tinyRecipe.replacingOccurrences(
        of: "  source: synthetic\n  synthetic:\n    classes: 3\n    features: 4\n    samples: 120\n",
        with: "  source: csv\n  path: data.csv\n"
      ).replacingOccurrences(of: "epochs: 2", with: "epochs: 1").utf8
    ).write(to: recipe)
    var random = Self.generator(6)
    var statuses: [Int32: Int] = [:]
    for index in 0..<24 {
      let text = Self.csvFile.run(using: &random)
      try Data(text.utf8).write(to: folder.appendingPathComponent("data.csv"))
      let arguments = ["run", recipe.path, "--output", folder.appendingPathComponent("run-\(index)").path]
      Self.expectClean(try BoundedCommandLine.run(arguments, in: folder), "CSV:\n" + text, statuses: &statuses)
    }
    Self.expectBothOutcomes(statuses)
  }
}
