import Foundation
import Testing

/// Bad input never crashes: each kind of bad input gives exit status 65, one message on standard
/// error naming the file and position (or the recipe key path) with the reason, nothing on
/// standard output, and no run folder or hidden staging folder left behind.
@Suite(.serialized) struct BadInputTests {
  static let fashionMNISTFolder = "/usr/share/datasets/fashion-mnist"
  static let fashionMNISTAvailable = FileManager.default.fileExists(
    atPath: fashionMNISTFolder + "/train-images-idx3-ubyte.gz")

  /// A recipe that trains in well under a second. Line numbers matter to the tests:
  /// `training:` is line 16, `epochs: 2` line 17, the last `units: 3` line 15.
  static let tinyRecipe = """
    version: 1
    name: tiny
    seed: 7
    data:
      source: synthetic
      synthetic:
        classes: 3
        features: 4
        samples: 120
    model:
      - type: dense
        units: 8
      - type: relu
      - type: dense
        units: 3
    training:
      epochs: 2
      batch_size: 16
      optimizer:
        type: sgd
        learning_rate: 0.1

    """

  /// A Fashion-MNIST recipe with a flattening MLP.
  static let fashionRecipe = """
    version: 1
    name: fashion
    seed: 1
    data:
      source: fashion_mnist
      train_size: 100
      test_size: 50
    model:
      - type: flatten
      - type: dense
        units: 10
    training:
      epochs: 1

    """

  // MARK: Recipe errors

  @Test(arguments: [
    ("  epochs: 2", "  epoch: 2", "17:3: training.epoch: unknown key; did you mean epochs?"),
    ("training:", "traning:", "16:1: traning: unknown key; did you mean training?"),
  ])
  func recipeTypoNamesLineColumnAndKeyPath(original: String, typo: String, expected: String) throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe.replacingOccurrences(of: original, with: typo))
    #expect(Self.tinyRecipe.contains(original))
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: "\(recipe):\(expected)")
  }

  @Test func badOverrideNamesTheOverride() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe)
    let outcome = try space.run(recipe, "--set", "training.epochs=0")
    try space.expectCleanFailure(outcome, status: 65, message: "override 'training.epochs=0'")
    #expect(outcome.standardError.contains("training.epochs"))
  }

  @Test func recipeThatIsAFolderOrMissing() throws {
    let space = try Workspace()
    defer { space.remove() }
    let outcome = try space.run(space.root.path)
    try space.expectCleanFailure(outcome, status: 65, message: "\(space.root.path): cannot read the recipe file")
    let missing = space.root.appendingPathComponent("nope.yaml").path
    let second = try space.run(missing)
    try space.expectCleanFailure(second, status: 65, message: "\(missing): no such recipe file")
  }

  // MARK: Data errors

  @Test func missingDataFolderNamesThePathAndTheHint() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.fashionRecipe)
    let missing = space.root.appendingPathComponent("no-such-folder").path
    let outcome = try space.run(recipe, "--set", "data.path=\(missing)")
    try space.expectCleanFailure(
      outcome, status: 65,
      message:
        "no such file: \(missing)/train-images-idx3-ubyte.gz (install the Debian package dataset-fashion-mnist, or set data.path)"
    )
  }

  @Test func truncatedIDXFileNamesTheFile() throws {
    let space = try Workspace()
    defer { space.remove() }
    let folder = space.root.appendingPathComponent("idx")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    // An uncompressed IDX file (zlib reads plain files transparently) whose header promises ten
    // 28×28 images, 7,840 bytes, but holds only 100.
    var bytes: [UInt8] = [0, 0, 8, 3]
    for dimension in [10, 28, 28] as [UInt32] { bytes += withUnsafeBytes(of: dimension.bigEndian, Array.init) }
    bytes += [UInt8](repeating: 7, count: 100)
    let images = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
    try Data(bytes).write(to: images)
    let recipe = try space.write("recipe.yaml", Self.fashionRecipe)
    let outcome = try space.run(recipe, "--set", "data.path=\(folder.path)")
    try space.expectCleanFailure(
      outcome, status: 65,
      message: "\(images.path): truncated: header promises 7840 bytes of data, file ends after 100")
  }

  @Test(.enabled(if: fashionMNISTAvailable)) func gzipStreamCutShortNamesTheFile() throws {
    let space = try Workspace()
    defer { space.remove() }
    let folder = space.root.appendingPathComponent("fmnist")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for name in [
      "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    ] {
      try FileManager.default.copyItem(
        atPath: Self.fashionMNISTFolder + "/" + name, toPath: folder.appendingPathComponent(name).path)
    }
    // Cut the training images to their first 64 KiB: a valid gzip header, then the stream ends.
    let images = folder.appendingPathComponent("train-images-idx3-ubyte.gz")
    let whole = try Data(contentsOf: images)
    try whole.prefix(65_536).write(to: images)
    let recipe = try space.write("recipe.yaml", Self.fashionRecipe)
    let outcome = try space.run(recipe, "--set", "data.path=\(folder.path)")
    try space.expectCleanFailure(outcome, status: 65, message: "\(images.path): cannot read: compressed stream ends early")
  }

  @Test func csvWithABadRowNamesLineAndColumn() throws {
    let space = try Workspace()
    defer { space.remove() }
    var rows = ["x,y,label"]
    for index in 0..<30 { rows.append("\(Double(index) / 10),\(index % 3),\(index % 2)") }
    rows[3] = "0.3,abc,1"  // line 4 of the file
    let csv = try space.write("table.csv", rows.joined(separator: "\n") + "\n")
    let recipe = try space.write(
      "recipe.yaml",
      """
      version: 1
      name: table
      data:
        source: csv
        path: table.csv
        label_column: label
      model:
        - type: dense
          units: 2

      """)
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: "\(csv):4: column 'y': ")
    // The same table without the bad row trains: the failure was the row, not the recipe.
    rows[3] = "0.3,1,1"
    _ = try space.write("table.csv", rows.joined(separator: "\n") + "\n")
    let fixed = try space.run(recipe)
    #expect(fixed.status == 0, "\(fixed.standardError)")
  }

  @Test func csvWithoutTheLabelColumnListsTheHeader() throws {
    let space = try Workspace()
    defer { space.remove() }
    let csv = try space.write("table.csv", "a,b\n1,2\n3,4\n")
    let recipe = try space.write(
      "recipe.yaml", "version: 1\nname: t\ndata: {source: csv, path: table.csv}\nmodel: [{type: dense, units: 2}]\n")
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: "\(csv):1: no column named 'label'; the header has 'a', 'b'")
  }

  // MARK: Model errors

  @Test func lastLayerThatDoesNotMatchTheClassesNamesTheLayer() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe.replacingOccurrences(of: "units: 3", with: "units: 5"))
    let outcome = try space.run(recipe)
    try space.expectCleanFailure(outcome, status: 65, message: "model[2] (dense): ")
    #expect(outcome.standardError.contains("3 classes"))
    // `validate` knows the synthetic classes without generating data, and says the same.
    let validation = try CommandLineTool.run(["validate", recipe])
    #expect(validation.status == 65)
    #expect(occurrences(of: "model[2] (dense): ", in: validation.standardError) == 1, "\(validation.standardError)")
  }

  @Test func denseOnImagesWithoutFlattenNamesTheLayer() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml", Self.fashionRecipe.replacingOccurrences(of: "  - type: flatten\n", with: ""))
    #expect(!(try String(contentsOfFile: recipe, encoding: .utf8)).contains("flatten"))
    // `validate` checks the model against the known Fashion-MNIST shape without reading data.
    let validation = try CommandLineTool.run(["validate", recipe])
    #expect(validation.status == 65)
    #expect(
      occurrences(of: "model[0] (dense): expects a vector per example, got shape [28, 28, 1]", in: validation.standardError) == 1,
      "\(validation.standardError)")
    if Self.fashionMNISTAvailable {
      let outcome = try space.run(recipe)
      try space.expectCleanFailure(outcome, status: 65, message: "model[0] (dense): expects a vector per example")
    }
  }

  // MARK: Atomic run folders

  @Test func failedRunLeavesAnEarlierRunIntact() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe)
    let first = try space.run(recipe)
    #expect(first.status == 0, "\(first.standardError)")
    let summaryURL = space.runFolder.appendingPathComponent("summary.json")
    let before = try Data(contentsOf: summaryURL)
    let filesBefore = try FileManager.default.contentsOfDirectory(atPath: space.runFolder.path).sorted()
    #expect(filesBefore.contains("model.safetensors"))

    // Fails after the staging folder exists (the model is built once the data is ready).
    let failed = try space.run(recipe, "--set", "model[2].units=4")
    try space.expectCleanFailure(failed, status: 65, message: "model[2] (dense): ", runFolderSurvives: true)
    #expect(try Data(contentsOf: summaryURL) == before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: space.runFolder.path).sorted() == filesBefore)

    // A later good run does replace it, and leaves nothing else beside it.
    let again = try space.run(recipe, "--set", "training.epochs=1")
    #expect(again.status == 0, "\(again.standardError)")
    #expect(try Data(contentsOf: summaryURL) != before)
    #expect(try FileManager.default.contentsOfDirectory(atPath: space.outputParent.path) == ["run"])
  }

  @Test func outputOverAFileOrAForeignFolderIsRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe)
    try FileManager.default.createDirectory(at: space.outputParent, withIntermediateDirectories: true)
    // A plain file where the run folder would go.
    try Data("keep me".utf8).write(to: space.runFolder)
    let overFile = try space.run(recipe)
    #expect(overFile.status == 65, "\(overFile.standardError)")
    #expect(occurrences(of: space.runFolder.path, in: overFile.standardError) >= 1, "\(overFile.standardError)")
    #expect(try Data(contentsOf: space.runFolder) == Data("keep me".utf8))
    // A folder holding something other than a run.
    try FileManager.default.removeItem(at: space.runFolder)
    try FileManager.default.createDirectory(at: space.runFolder, withIntermediateDirectories: true)
    let precious = space.runFolder.appendingPathComponent("thesis.tex")
    try Data("precious".utf8).write(to: precious)
    let overFolder = try space.run(recipe)
    #expect(overFolder.status == 65, "\(overFolder.standardError)")
    #expect(try Data(contentsOf: precious) == Data("precious".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: space.outputParent.path) == ["run"])
  }

  @Test func unwritableRunFolderIsARunFailure() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe)
    // The run folder's parent is a plain file: no folder can be made there (even as root).
    let blocker = try space.write("blocker", "not a folder")
    let outcome = try CommandLineTool.run(["run", recipe, "--output", blocker + "/run"])
    #expect(outcome.status == 1, "\(outcome.standardError)")
    #expect(
      occurrences(of: "\(blocker): cannot create the run folder: ", in: outcome.standardError) == 1, "\(outcome.standardError)")
    #expect(!outcome.standardError.contains("Error"), "\(outcome.standardError)")
    #expect(try String(contentsOfFile: blocker, encoding: .utf8) == "not a folder")
  }

  // MARK: Machine output and determinism

  @Test func jsonPrintsOneObjectOnStandardOutputOnly() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe)
    let outcome = try space.run(recipe, "--json")
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8))
    let summary = try #require(object as? [String: Any])
    #expect(summary["name"] as? String == "tiny")
    #expect(summary["epochs_run"] as? Int == 2)
    #expect(outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{"))
    // The log goes to standard error; the terminal summary is not printed.
    #expect(outcome.standardError.contains("tacit run \(recipe)"))
    #expect(outcome.standardError.contains("test accuracy"))
    #expect(!outcome.standardOutput.contains("test accuracy"))
    // What is printed is what the run folder holds.
    let stored = try Data(contentsOf: space.runFolder.appendingPathComponent("summary.json"))
    #expect(String(decoding: stored, as: UTF8.self) == outcome.standardOutput)
  }

  @Test func sameSeedSameBits() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.tinyRecipe)
    let folders = ["a", "b", "c"].map { space.root.appendingPathComponent("runs-\($0)/run") }
    for (folder, seed) in zip(folders, [7, 7, 8]) {
      let outcome = try CommandLineTool.run(["run", recipe, "--output", folder.path, "--set", "seed=\(seed)"])
      #expect(outcome.status == 0, "\(outcome.standardError)")
    }
    let models = try folders.map { try Data(contentsOf: $0.appendingPathComponent("model.safetensors")) }
    #expect(models[0] == models[1])
    #expect(models[0] != models[2], "a different seed must give different weights")
    let timing: Set<String> = ["seconds", "training_seconds", "training_examples_per_second"]
    let summaries = try folders.map { folder in
      let data = try Data(contentsOf: folder.appendingPathComponent("summary.json"))
      let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      return NSDictionary(dictionary: summary.filter { !timing.contains($0.key) })
    }
    #expect(summaries[0] == summaries[1])
    #expect(summaries[0]["test_accuracy"] != nil)
    #expect(summaries[0] != summaries[2])
  }
}

/// The number of times `needle` occurs in `text`.
func occurrences(of needle: String, in text: String) -> Int {
  text.components(separatedBy: needle).count - 1
}

/// A temporary folder holding recipes and data, with the run folder at `runs/run` inside it.
struct Workspace {
  let root: URL
  var outputParent: URL { root.appendingPathComponent("runs") }
  var runFolder: URL { outputParent.appendingPathComponent("run") }

  init() throws { root = try CommandLineTool.temporaryDirectory("bad-input") }

  func remove() { try? FileManager.default.removeItem(at: root) }

  /// Writes `text` to `name` in the workspace and returns its absolute path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let url = root.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
  }

  /// `tacit run RECIPE --output runs/run EXTRA…`.
  func run(_ recipe: String, _ extra: String...) throws -> CommandLineTool.Outcome {
    try CommandLineTool.run(["run", recipe, "--output", runFolder.path] + extra)
  }

  /// Checks a failed run: `status`, `message` exactly once on standard error, nothing on
  /// standard output, no crash report, and beside the run folder neither a new run folder nor a
  /// hidden staging folder.
  func expectCleanFailure(
    _ outcome: CommandLineTool.Outcome, status: Int32, message: String, runFolderSurvives: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    #expect(
      outcome.status == status, "status \(outcome.status), stderr: \(outcome.standardError)", sourceLocation: sourceLocation)
    #expect(
      occurrences(of: message, in: outcome.standardError) == 1, "expected once: \(message)\nstderr: \(outcome.standardError)",
      sourceLocation: sourceLocation)
    #expect(outcome.standardOutput.isEmpty, "stdout: \(outcome.standardOutput)", sourceLocation: sourceLocation)
    for crash in ["Fatal error", "Stack dump", "Illegal instruction", "Error: "] {
      #expect(!outcome.standardError.contains(crash), "stderr: \(outcome.standardError)", sourceLocation: sourceLocation)
    }
    let left = (try? FileManager.default.contentsOfDirectory(atPath: outputParent.path)) ?? []
    #expect(left == (runFolderSurvives ? ["run"] : []), "left behind: \(left)", sourceLocation: sourceLocation)
  }
}
