import TacitTensor
import Testing

@testable import TacitData

@Suite struct CSVReaderTests {
  let reader = CSVReader(labelColumn: "label")

  @Test func readsAFileWithIntegerLabels() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.write("a,label,b\n1.5,2,-3\n0,0,4e2\r\n 7 ,1, 8\n\n\n", to: "table.csv")
    let table = try reader.read(path: path, name: "t")
    #expect(table.featureNames == ["a", "b"])
    #expect(table.labelNames == nil)
    #expect(table.dataset.features.shape == [3, 2])
    #expect(table.dataset.features.scalars == [1.5, -3, 0, 400, 7, 8])
    #expect(table.dataset.labels == [2, 0, 1])
    #expect(table.dataset.classCount == 3)
    #expect(table.dataset.name == "t")
  }

  @Test func readsGzippedCSV() throws {
    let directory = try TemporaryDirectory()
    let path = try directory.writeGzip(Array("x,label\n1,0\n2,1".utf8), to: "t.csv.gz")
    let table = try reader.read(path: path)
    #expect(table.dataset.features.scalars == [1, 2])
    #expect(table.dataset.labels == [0, 1])
  }

  /// Issue 12: a gzipped CSV that decompresses to more than the bound (here 1 MiB; 1 GiB by
  /// default) stops after one 4 MiB read with an error at the bound, instead of inflating the
  /// whole bomb (24 MiB of zeros behind a header, about 24 KB compressed).
  @Test func gzipBombStopsAtTheBound() throws {
    let directory = try TemporaryDirectory()
    let bomb = Array("x,label\n".utf8) + [UInt8](repeating: 48, count: 24 << 20)
    let path = try directory.writeGzip(bomb, to: "bomb.csv.gz")
    let error = #expect(throws: DataError.self) { try reader.read(path: path, maximumBytes: 1 << 20) }
    #expect(
      error?.description
        == "\(path): offset \(1 << 20): decompresses to more than the \(1 << 20) bytes a CSV data file may hold; "
        + "stopped reading there (a decompression bomb, or a file to split or convert)")
    #expect(CSVReader.maximumBytes == 1 << 30)
  }

  @Test func quotedFieldsHoldSeparatorsQuotesAndLineBreaks() throws {
    let text =
      "\"x, first\",\"label\",y\n\"1\",\"big, red\",2\n3,\"say \"\"hi\"\"\",\"4\"\n5,\"two\nlines\",6\n7,\"big, red\",8\n"
    let table = try reader.parse(text, path: "q.csv", name: "q")
    #expect(table.featureNames == ["x, first", "y"])
    #expect(table.dataset.features.scalars == [1, 2, 3, 4, 5, 6, 7, 8])
    // String labels become classes in sorted order: "big, red" < "say \"hi\"" < "two\nlines".
    #expect(table.labelNames == ["big, red", "say \"hi\"", "two\nlines"])
    #expect(table.dataset.labels == [0, 1, 2, 0])
    #expect(table.dataset.classNames == table.labelNames)
  }

  @Test func stringLabelsAreSortedByUnicodeScalars() throws {
    let table = try reader.parse("label,x\ncat,1\nBird,2\ndog,3\ncat,4\n10,5\n", path: "s.csv", name: "s")
    #expect(table.labelNames == ["10", "Bird", "cat", "dog"])
    #expect(table.dataset.labels == [2, 1, 3, 2, 0])
    #expect(table.dataset.classCount == 4)
  }

  @Test func wrongFieldCountGivesTheLine() throws {
    // Line 5 holds the bad row: the record starting on line 2 spans two lines (quoted line break).
    let text = "x,label\n1,\"a\nb\"\n2,c\n3,c,9\n"
    #expect(throws: DataError.badRecord(path: "b.csv", line: 5, column: nil, reason: "3 fields, the header has 2")) {
      try reader.parse(text, path: "b.csv", name: "b")
    }
    let error = #expect(throws: DataError.self) { try reader.parse("x,label\n1,0\n2\n", path: "b.csv", name: "b") }
    #expect(error?.description == "b.csv:3: 1 fields, the header has 2")
    #expect(
      throws: DataError.badRecord(
        path: "e.csv", line: 3, column: nil,
        reason: "empty line (only empty lines at the end of the file are ignored)")
    ) {
      try reader.parse("x,label\n1,0\n\n2,1\n", path: "e.csv", name: "e")
    }
  }

  @Test func nonNumericValueNamesTheColumn() throws {
    let error = #expect(throws: DataError.self) {
      try reader.parse("height,label,weight\n1,0,2\n3,1,heavy\n", path: "n.csv", name: "n")
    }
    #expect(error == .badRecord(path: "n.csv", line: 3, column: "weight", reason: "'heavy' is not a finite number"))
    #expect(error?.description == "n.csv:3: column 'weight': 'heavy' is not a finite number")
    #expect(throws: DataError.badRecord(path: "n.csv", line: 2, column: "height", reason: "'nan' is not a finite number")) {
      try reader.parse("height,label\nnan,0\n", path: "n.csv", name: "n")
    }
    #expect(throws: DataError.badRecord(path: "n.csv", line: 2, column: "height", reason: "missing value")) {
      try reader.parse("height,label\n,0\n", path: "n.csv", name: "n")
    }
  }

  @Test func missingOrNegativeLabels() throws {
    #expect(throws: DataError.badRecord(path: "m.csv", line: 3, column: "label", reason: "missing label")) {
      try reader.parse("x,label\n1,0\n2,\n", path: "m.csv", name: "m")
    }
    #expect(
      throws: DataError.badRecord(
        path: "m.csv", line: 3, column: "label",
        reason: "class label -1 is negative; integer labels must be ≥ 0")
    ) {
      try reader.parse("x,label\n1,0\n2,-1\n", path: "m.csv", name: "m")
    }
  }

  /// A label column of numbers holds whole-number classes: `1.5` is an error naming its line and
  /// value (it used to turn the column into text labels), `2.0` is class 2; text stays allowed.
  @Test func nonIntegerNumericLabelsAreErrors() throws {
    let reason =
      "class label 1.5 is not an integer; in a column of numbers every label must be a class 0, 1, 2, … "
      + "(text labels such as 'cat' are numbered in sorted order)"
    let error = #expect(throws: DataError.self) { try reader.parse("x,label\n1,0\n2,1\n3,1.5\n", path: "f.csv", name: "f") }
    #expect(error == .badRecord(path: "f.csv", line: 4, column: "label", reason: reason))
    #expect(error?.description == "f.csv:4: column 'label': " + reason)
    for (label, message) in [
      ("nan", "class label nan is not an integer"), ("-2.0", "class label -2.0 is negative"),
      ("1e12", "class label 1e12 is too large for a class number"),
    ] {
      let error = #expect(throws: DataError.self) {
        try reader.parse("x,label\n1,0\n2,\(label)\n", path: "f.csv", name: "f")
      }
      #expect(error?.description.hasPrefix("f.csv:3: column 'label': \(message)") == true, "\(String(describing: error))")
    }
    let whole = try reader.parse("x,label\n1,0\n2,2.0\n3,1\n", path: "w.csv", name: "w")
    #expect(whole.dataset.labels == [0, 2, 1])
    #expect(whole.labelNames == nil)
    let text = try reader.parse("x,label\n1,cat\n2,1.5\n", path: "t.csv", name: "t")
    #expect(text.labelNames == ["1.5", "cat"])
  }

  /// A test file keeps the training file's classes; a label outside them names its line.
  @Test func testLabelsOutsideTheTrainingClassesNameTheLine() throws {
    let training = try reader.parse("x,label\n1,0\n2,1\n3,1\n", path: "train.csv", name: "train")
    let test = try reader.parse("x,label\n1,1\n", path: "test.csv", name: "test", classesOf: (training, "train.csv"))
    #expect(test.dataset.classCount == 2)
    let error = #expect(throws: DataError.self) {
      try reader.parse("x,label\n1,0\n2,7\n", path: "test.csv", name: "test", classesOf: (training, "train.csv"))
    }
    #expect(
      error?.description == "test.csv:3: column 'label': class label 7 is not among the 2 classes of train.csv (0…1)")
    let textError = #expect(throws: DataError.self) {
      try reader.parse("x,label\n1,0\n2,cat\n", path: "test.csv", name: "test", classesOf: (training, "train.csv"))
    }
    #expect(
      textError?.description == "test.csv:3: column 'label': class label 'cat' is not a number, but the labels of train.csv are")

    // Text labels: the test file's strings are numbered as the training file's, not its own.
    let named = try reader.parse("x,label\n1,cat\n2,dog\n3,emu\n", path: "train.csv", name: "train")
    let namedTest = try reader.parse("x,label\n1,emu\n2,dog\n", path: "test.csv", name: "test", classesOf: (named, "train.csv"))
    #expect(namedTest.dataset.labels == [2, 1])
    #expect(namedTest.dataset.classCount == 3)
    #expect(namedTest.labelNames == ["cat", "dog", "emu"])
    let unknown = #expect(throws: DataError.self) {
      try reader.parse("x,label\n1,cat\n2,yak\n", path: "test.csv", name: "test", classesOf: (named, "train.csv"))
    }
    #expect(unknown?.description == "test.csv:3: column 'label': class label 'yak' is not one of the 3 classes of train.csv")
  }

  @Test func missingLabelColumnListsTheHeader() throws {
    let error = #expect(throws: DataError.self) { try reader.parse("a,class,b\n1,0,2\n", path: "h.csv", name: "h") }
    #expect(error == .missingColumn(path: "h.csv", column: "label", header: ["a", "class", "b"]))
    #expect(error?.description == "h.csv:1: no column named 'label'; the header has 'a', 'class', 'b'")
  }

  @Test func malformedQuotesAndEmptyInputs() throws {
    #expect(throws: DataError.badRecord(path: "u.csv", line: 2, column: nil, reason: "quoted field is never closed")) {
      try reader.parse("x,label\n\"1,0\n2,1\n", path: "u.csv", name: "u")
    }
    #expect(throws: DataError.self) { try reader.parse("x,label\n\"1\"2,0\n", path: "u.csv", name: "u") }
    #expect(throws: DataError.badRecord(path: "z.csv", line: 1, column: nil, reason: "empty file, expected a header row")) {
      try reader.parse("\n\n", path: "z.csv", name: "z")
    }
    #expect(throws: DataError.badRecord(path: "z.csv", line: 2, column: nil, reason: "no data rows after the header")) {
      try reader.parse("x,label\n", path: "z.csv", name: "z")
    }
  }

  @Test func otherSeparator() throws {
    let table = try CSVReader(labelColumn: "y", separator: ";").parse("a;y;b\n1.5;\"p;q\";2\n", path: "s", name: "s")
    #expect(table.labelNames == ["p;q"])
    #expect(table.dataset.features.scalars == [1.5, 2])
    #expect(throws: DataError.badRecord(path: "s", line: 2, column: "a", reason: "'1,5' is not a finite number")) {
      try CSVReader(labelColumn: "y", separator: ";").parse("a;y;b\n1,5;\"p;q\";2\n", path: "s", name: "s")
    }
  }
}
