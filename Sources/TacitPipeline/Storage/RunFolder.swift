import Foundation

/// A run folder written atomically: files go into a hidden temporary folder beside the target,
/// which replaces the target only once every file is written. A run that fails part-way leaves
/// no half-written folder and leaves an earlier run at the same path intact.
public final class RunFolder {
  /// The final location of the run.
  public let path: String
  /// The temporary folder files are written into until `commit()`.
  public let stagingPath: String
  private var committed = false

  /// Creates the staging folder for a run at `path` (its parent folders are created as needed).
  /// Throws `PipelineError` when `path` is a file, or a non-empty folder that is not a run.
  public init(path: String) throws {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    self.path = url.path
    let parent = url.deletingLastPathComponent()
    try RunFolder.checkReplaceable(url.path)
    let staging = parent.appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
    try RunFolder.fileOperation("create the run folder", parent.path) {
      try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
      if FileManager.default.fileExists(atPath: staging.path) { try FileManager.default.removeItem(at: staging) }
      try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    }
    stagingPath = staging.path
  }

  /// Only an earlier run (a folder holding `summary.json`), an earlier reference-model shard
  /// (`shard.json`) or an empty folder may be replaced:
  /// `--output .` or a typo must never delete someone's files.
  static func checkReplaceable(_ path: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
    guard isDirectory.boolValue else {
      throw PipelineError("\(path): exists and is not a folder; choose another run folder (--output)")
    }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    guard entries.isEmpty || entries.contains("summary.json") || entries.contains("shard.json") else {
      throw PipelineError(
        "\(path): exists and does not hold a tacit run or shard (no summary.json or shard.json); choose another folder (--output) or remove it"
      )
    }
  }

  /// Runs a file-system operation, turning its error into a run failure (exit status 1) that
  /// names `path` and the system's reason, e.g. `runs: cannot create the run folder: Not a directory`.
  static func fileOperation<T>(_ action: String, _ path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch {
      let nsError = error as NSError
      var reason = nsError.localizedDescription
      if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(underlying.code)))
      }
      throw PipelineError("\(path): cannot \(action): \(reason)", isInputError: false)
    }
  }

  /// The staging path of a file in the run.
  public func file(_ name: String) -> String { stagingPath + "/" + name }

  /// Creates the folder `name` inside the staging folder (for a distillation run's `teacher/` and
  /// `student/`).
  public func makeFolder(_ name: String) throws {
    try RunFolder.fileOperation("create the folder", file(name)) {
      try FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: true)
    }
  }

  /// Writes `contents` to the file `name` in the staging folder.
  public func write(_ name: String, _ contents: String) throws {
    try write(name, data: Data(contents.utf8))
  }

  /// Writes `data` to the file `name` in the staging folder.
  public func write(_ name: String, data: Data) throws {
    try RunFolder.fileOperation("write", file(name)) { try data.write(to: URL(fileURLWithPath: file(name))) }
  }

  /// Moves the staging folder to `path`, replacing an earlier run there only after the new one is
  /// complete.
  public func commit() throws {
    try RunFolder.fileOperation("move the run into place", path) { try moveIntoPlace() }
    committed = true
  }

  private func moveIntoPlace() throws {
    let manager = FileManager.default
    if manager.fileExists(atPath: path) {
      let old = stagingPath.replacingOccurrences(of: ".partial-", with: ".replaced-")
      try manager.moveItem(atPath: path, toPath: old)
      do {
        try manager.moveItem(atPath: stagingPath, toPath: path)
      } catch {
        try? manager.moveItem(atPath: old, toPath: path)  // put the earlier run back
        throw error
      }
      try? manager.removeItem(atPath: old)
    } else {
      try manager.moveItem(atPath: stagingPath, toPath: path)
    }
  }

  /// Removes the staging folder of a run that did not complete.
  public func discard() {
    if !committed { try? FileManager.default.removeItem(atPath: stagingPath) }
  }

  deinit { discard() }
}
