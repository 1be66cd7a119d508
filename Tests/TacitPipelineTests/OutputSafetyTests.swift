import Foundation
import Testing

@testable import TacitPipeline

/// A run replaces only a folder Tacit wrote (issue 12, item 1): every way a hostile or careless
/// output path could delete files is refused with exit status 65 and a message naming the path
/// or key, and every file is still there afterwards; stale staging folders of ended processes
/// are removed on the next run, those of running processes left alone.
@Suite(.serialized) struct OutputSafetyTests {
  /// A temporary folder standing for a user's project: the tiny recipe, a file of theirs, and
  /// (after `firstRun`) the run folder `runs/tiny`. Commands run with it as working directory.
  struct Project {
    let root: URL
    var runsFolder: URL { root.appendingPathComponent("runs") }
    var defaultRun: URL { runsFolder.appendingPathComponent("tiny") }
    var recipe: URL { root.appendingPathComponent("recipe.yaml") }
    var precious: URL { root.appendingPathComponent("thesis.tex") }

    init() throws {
      root = try CommandLineTool.temporaryDirectory("output-safety")
      try Data(BadInputTests.tinyRecipe.utf8).write(to: recipe)
      try Data("precious".utf8).write(to: precious)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// `tacit ARGUMENTS…` with the project (or `directory`) as working directory.
    func tacit(_ arguments: [String], in directory: URL? = nil) throws -> CommandLineTool.Outcome {
      try CommandLineTool.run(arguments, in: directory ?? root)
    }

    /// Trains `runs/tiny` (the default output) and returns a snapshot of the project.
    func firstRun(sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Data] {
      let outcome = try tacit(["run", "recipe.yaml"])
      #expect(outcome.status == 0, "\(outcome.standardError)", sourceLocation: sourceLocation)
      return try snapshot()
    }

    /// Every file under the project (hidden ones included) with its contents.
    func snapshot() throws -> [String: Data] {
      try OutputSafetyTests.snapshot(of: root)
    }
  }

  /// Every file under `folder` (hidden ones included), by relative path, with its contents.
  static func snapshot(of folder: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let base = folder.standardizedFileURL.path
    let enumerator = FileManager.default.enumerator(atPath: base)
    while let relative = enumerator?.nextObject() as? String {
      var isDirectory: ObjCBool = false
      let path = base + "/" + relative
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
        files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
      }
    }
    return files
  }

  /// Checks a refused command: exit status 65, `message` on standard error, no crash, and the
  /// project exactly as `before` (nothing deleted, nothing left behind).
  func expectRefused(
    _ outcome: CommandLineTool.Outcome, _ message: String, project: Project, before: [String: Data],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    #expect(outcome.status == 65, "status \(outcome.status): \(outcome.standardError)", sourceLocation: sourceLocation)
    #expect(
      outcome.standardError.contains(message), "expected: \(message)\nstderr: \(outcome.standardError)",
      sourceLocation: sourceLocation)
    for crash in ["Fatal error", "Stack dump", "Illegal instruction"] {
      #expect(!outcome.standardError.contains(crash), "\(outcome.standardError)", sourceLocation: sourceLocation)
    }
    let after = try project.snapshot()
    #expect(after.keys.sorted() == before.keys.sorted(), sourceLocation: sourceLocation)
    #expect(after == before, "a file changed", sourceLocation: sourceLocation)
  }

  // MARK: name

  @Test(arguments: [
    ("..", "must not start with '.'"), (".", "must not start with '.'"), (".hidden", "must not start with '.'"),
    ("a/b", "must use only letters"), ("\"\"", "must not be empty"),
  ])
  func nameThatIsNotAPlainFileNameIsRefused(name: String, message: String) throws {
    let project = try Project()
    defer { project.remove() }
    let before = try project.firstRun()
    let outcome = try project.tacit(["run", "recipe.yaml", "--set", "name=\(name)"])
    try expectRefused(outcome, "override 'name=\(name)': name: \(message)", project: project, before: before)
  }

  @Test func nameErrorsInTheFileGiveTheirPosition() throws {
    let project = try Project()
    defer { project.remove() }
    try Data(BadInputTests.tinyRecipe.replacingOccurrences(of: "name: tiny", with: "name: ..").utf8).write(to: project.recipe)
    let outcome = try project.tacit(["validate", "recipe.yaml"])
    #expect(outcome.status == 65, "\(outcome.standardError)")
    #expect(outcome.standardError.contains("recipe.yaml:2:7: name: must not start with '.'"), "\(outcome.standardError)")
    let long = try project.tacit(["validate", "recipe.yaml", "--set", "name=\(String(repeating: "a", count: 101))"])
    #expect(long.status == 65)
    #expect(long.standardError.contains("name: must be at most 100 characters"), "\(long.standardError)")
    #expect(try project.tacit(["validate", "recipe.yaml", "--set", "name=a.b_c-1"]).status == 0)
  }

  // MARK: Folders a run must never replace

  @Test func theWorkingDirectoryAndItsAncestorsAreRefused() throws {
    let project = try Project()
    defer { project.remove() }
    let before = try project.firstRun()
    try expectRefused(
      try project.tacit(["run", "recipe.yaml", "--output", "."]), ": is the working directory", project: project,
      before: before)
    try expectRefused(
      try project.tacit(["run", "../../recipe.yaml", "--output", ".."], in: project.defaultRun),
      ": is a folder holding the working directory", project: project, before: before)
    // Even a genuine run folder is not replaced while it is the working directory.
    try expectRefused(
      try project.tacit(["run", "../../recipe.yaml", "--output", "."], in: project.defaultRun),
      ": is the working directory", project: project, before: before)
  }

  @Test func runsItselfIsRefused() throws {
    let project = try Project()
    defer { project.remove() }
    let before = try project.firstRun()
    try expectRefused(
      try project.tacit(["run", "recipe.yaml", "--output", "runs"]), "runs: is runs/ itself", project: project,
      before: before)
    try expectRefused(
      try project.tacit(["run", "recipe.yaml", "--output", "runs/."]), "runs: is runs/ itself", project: project,
      before: before)
  }

  @Test func aFolderHoldingTheRecipeIsRefused() throws {
    let project = try Project()
    defer { project.remove() }
    let before = try project.firstRun()
    // The recipe's own folder, given as an absolute path from elsewhere.
    let elsewhere = FileManager.default.temporaryDirectory
    try expectRefused(
      try project.tacit(["run", project.recipe.path, "--output", project.root.path], in: elsewhere),
      "\(project.root.path): holds the recipe file", project: project, before: before)
    // Re-running a run's resolved recipe into its own folder (the default output for its name).
    try expectRefused(
      try project.tacit(["run", "runs/tiny/recipe.yaml"]), "holds the recipe file runs/tiny/recipe.yaml", project: project,
      before: before)
  }

  @Test func aRunFolderWithAnythingElseIsRefused() throws {
    let project = try Project()
    defer { project.remove() }
    _ = try project.firstRun()
    try Data("notes".utf8).write(to: project.defaultRun.appendingPathComponent("notes.txt"))
    let before = try project.snapshot()
    try expectRefused(
      try project.tacit(["run", "recipe.yaml"]), "runs/tiny: holds notes.txt, which tacit does not write",
      project: project, before: before)
  }

  @Test func aForeignSummaryFolderIsRefused() throws {
    let project = try Project()
    defer { project.remove() }
    let foreign = project.root.appendingPathComponent("results")
    try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
    try Data("{}".utf8).write(to: foreign.appendingPathComponent("summary.json"))
    try Data("a,b\n".utf8).write(to: foreign.appendingPathComponent("data.csv"))
    let before = try project.snapshot()
    try expectRefused(
      try project.tacit(["run", "recipe.yaml", "--output", "results"]), "results: holds data.csv", project: project,
      before: before)
    // A lone summary.json is not a run folder either (every run folder holds recipe.yaml).
    try FileManager.default.removeItem(at: foreign.appendingPathComponent("data.csv"))
    let lone = try project.snapshot()
    try expectRefused(
      try project.tacit(["run", "recipe.yaml", "--output", "results"]), "results: has no .tacit-run marker and no recipe.yaml",
      project: project, before: lone)
  }

  /// The rule itself, through `RunFolder`: what a marked or unmarked folder may hold.
  @Test func theMarkerRule() throws {
    let root = try CommandLineTool.temporaryDirectory("marker-rule")
    defer { try? FileManager.default.removeItem(at: root) }
    func folder(_ name: String, _ files: [String: String]) throws -> String {
      let url = root.appendingPathComponent(name)
      for (file, contents) in files {
        let path = url.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: path)
      }
      return url.path
    }
    func refusal(_ path: String, kind: RunFolderMarker.Kind = .run) -> String? {
      do {
        let staging = try RunFolder(path: path, kind: kind, recipePath: nil)
        staging.discard()
        return nil
      } catch {
        return "\(error)"
      }
    }
    let marker = RunFolderMarker.contents(.run)
    let files = ["recipe.yaml": "x", "summary.json": "{}", "model.safetensors": "x", "log.txt": "x"]
    // Replaceable: a marked run, a distillation run, an unmarked (older) run, an empty folder.
    #expect(refusal(try folder("marked", files.merging([".tacit-run": marker]) { $1 })) == nil)
    #expect(
      refusal(
        try folder(
          "distilled",
          [
            ".tacit-run": marker, "recipe.yaml": "x", "summary.json": "{}", "teacher/model.safetensors": "x",
            "student/summary.json": "{}", "comparison.html": "x",
          ])) == nil)
    #expect(refusal(try folder("older", files)) == nil)
    try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
    #expect(refusal(root.appendingPathComponent("empty").path) == nil)
    #expect(
      refusal(try folder("shard", [".tacit-run": RunFolderMarker.contents(.shard), "shard.json": "{}"]), kind: .shard)
        == nil)
    // Refused, naming what does not fit.
    let cases: [(String, [String: String], String)] = [
      ("extra", files.merging([".tacit-run": marker, "notes.txt": "x"]) { $1 }, "holds notes.txt"),
      ("hidden", files.merging([".tacit-run": marker, ".git/config": "x"]) { $1 }, "holds .git"),
      ("inner", files.merging([".tacit-run": marker, "teacher/thesis.tex": "x"]) { $1 }, "holds teacher/thesis.tex"),
      ("newer", files.merging([".tacit-run": "{\"format\": \"tacit-folder-2\", \"kind\": \"run\"}"]) { $1 }, "tacit-folder-2"),
      ("garbled", files.merging([".tacit-run": "hello"]) { $1 }, "not a tacit folder marker"),
      (
        "a-shard", [".tacit-run": RunFolderMarker.contents(.shard), "shard.json": "{}"],
        "is a tacit shard folder, not a tacit run folder"
      ),
      ("foreign", ["thesis.tex": "x"], "is not a folder tacit wrote"),
    ]
    for (name, contents, message) in cases {
      let path = try folder(name, contents)
      let before = try Self.snapshot(of: URL(fileURLWithPath: path))
      let text = refusal(path)
      #expect(text?.contains(message) == true, "\(name): \(text ?? "replaceable")")
      #expect(try Self.snapshot(of: URL(fileURLWithPath: path)) == before, "\(name)")
    }
    // A symbolic link in the folder, or as the folder, is not Tacit's.
    let linked = try folder("linked", files.merging([".tacit-run": marker]) { $1 })
    try FileManager.default.createSymbolicLink(atPath: linked + "/metrics.json", withDestinationPath: "/etc/hostname")
    #expect(refusal(linked)?.contains("holds metrics.json") == true)
    let link = root.appendingPathComponent("link").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root.appendingPathComponent("marked").path)
    #expect(refusal(link)?.contains("is not a folder") == true)
    // Inside a folder Tacit wrote: never, even where nothing exists yet.
    #expect(refusal(root.appendingPathComponent("marked/sub/run").path)?.contains("is inside \(root.path)/marked") == true)
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("marked/sub").path))
  }

  @Test func aRunWritesItsMarkerAndReplacesAnOlderUnmarkedRun() throws {
    let project = try Project()
    defer { project.remove() }
    _ = try project.firstRun()
    let marker = project.defaultRun.appendingPathComponent(".tacit-run")
    #expect(try String(contentsOf: marker, encoding: .utf8) == "{\"format\": \"tacit-folder-1\", \"kind\": \"run\"}\n")
    // A run folder from before the marker is still replaced.
    try FileManager.default.removeItem(at: marker)
    let again = try project.tacit(["run", "recipe.yaml", "--set", "training.epochs=1"])
    #expect(again.status == 0, "\(again.standardError)")
    #expect(FileManager.default.fileExists(atPath: marker.path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: project.runsFolder.path) == ["tiny"])
  }

  // MARK: distillation.teacher_run

  @Test func teacherRunInOrAroundTheOutputIsRefused() throws {
    let project = try Project()
    defer { project.remove() }
    let teacherRecipe = project.root.appendingPathComponent("teacher.yaml")
    try Data(DistillationRunTests.teacher.utf8).write(to: teacherRecipe)
    let trained = try project.tacit(["run", "teacher.yaml", "--output", "models/teacher"])
    #expect(trained.status == 0, "\(trained.standardError)")
    try Data(
      DistillationRunTests.student(teacher: "teacher_run: models/teacher", transfer: "public").utf8
    ).write(to: project.root.appendingPathComponent("student.yaml"))
    let before = try project.snapshot()
    for (output, relation) in [
      ("models/teacher", "is the output folder"), ("models", "is inside the output folder"),
      ("models/teacher/student", "holds the output folder"),
    ] {
      try expectRefused(
        try project.tacit(["run", "student.yaml", "--output", output]),
        "distillation.teacher_run: \(project.root.standardizedFileURL.path)/models/teacher \(relation)", project: project,
        before: before)
    }
  }

  // MARK: Stale staging folders

  /// The PID of a process that has ended.
  static func endedProcess() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    let identifier = process.processIdentifier
    try #require(kill(identifier, 0) != 0, "process \(identifier) still exists")
    return identifier
  }

  @Test func staleStagingFoldersOfEndedProcessesAreRemovedAndLiveOnesKept() throws {
    let project = try Project()
    defer { project.remove() }
    let (first, second) = (try Self.endedProcess(), try Self.endedProcess())
    let alive = ProcessInfo.processInfo.processIdentifier  // this test runner, alive while tacit runs
    let runs = project.runsFolder
    func staging(_ name: String, _ files: [String: String]) throws {
      let folder = runs.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      for (file, contents) in files { try Data(contents.utf8).write(to: folder.appendingPathComponent(file)) }
    }
    let marker = RunFolderMarker.contents(.run)
    try staging(".tiny.partial-\(first)", [".tacit-run": marker, "model.safetensors": "half"])  // killed mid-run
    try staging(".tiny.replaced-\(first)", ["summary.json": "{}", "recipe.yaml": "x"])  // an older run, unmarked
    try staging(".tiny.partial-\(alive)", [".tacit-run": marker])  // a run still going
    try staging(".tiny.partial-\(second)", ["thesis.tex": "x"])  // not Tacit's
    try staging(".other.partial-\(first)", [".tacit-run": marker])  // another run folder's
    let outcome = try project.tacit(["run", "recipe.yaml"])
    #expect(outcome.status == 0, "\(outcome.standardError)")
    let left = try FileManager.default.contentsOfDirectory(atPath: runs.path).sorted()
    #expect(left == [".other.partial-\(first)", ".tiny.partial-\(alive)", ".tiny.partial-\(second)", "tiny"].sorted())
    #expect(try Data(contentsOf: runs.appendingPathComponent(".tiny.partial-\(second)/thesis.tex")) == Data("x".utf8))
    let lines = outcome.standardError.split(separator: "\n").filter { $0.hasPrefix("stale staging folders") }
    #expect(lines.count == 1, "\(outcome.standardError)")
    let line = String(lines.first ?? "")
    #expect(line.contains("removed .tiny.partial-\(first), .tiny.replaced-\(first) (their process has ended)"), "\(line)")
    #expect(line.contains("left alone .tiny.partial-\(alive) (their process is still running)"), "\(line)")
    #expect(line.contains("not removed .tiny.partial-\(second) (they hold files tacit does not write"), "\(line)")
    let log = try String(contentsOf: project.defaultRun.appendingPathComponent("log.txt"), encoding: .utf8)
    #expect(log.contains(line))
  }

  @Test func aFailedRunLeavesNoStagingFolderAndCleansNothingItShouldNot() throws {
    let project = try Project()
    defer { project.remove() }
    let before = try project.firstRun()
    // Refused before the staging folder is made: the folder and its neighbours are untouched.
    try Data("notes".utf8).write(to: project.defaultRun.appendingPathComponent("notes.txt"))
    let alive = ProcessInfo.processInfo.processIdentifier
    let live = project.runsFolder.appendingPathComponent(".tiny.partial-\(alive)")
    try FileManager.default.createDirectory(at: live, withIntermediateDirectories: true)
    let withNotes = try project.snapshot()
    #expect(withNotes.count == before.count + 1)
    try expectRefused(try project.tacit(["run", "recipe.yaml"]), "holds notes.txt", project: project, before: withNotes)
    #expect(FileManager.default.fileExists(atPath: live.path))
  }
}
