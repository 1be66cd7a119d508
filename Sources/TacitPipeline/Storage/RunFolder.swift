import Foundation

/// A run folder written atomically: files go into a hidden temporary folder beside the target,
/// which replaces the target only once every file is written. A run that fails part-way leaves
/// no half-written folder and leaves an earlier run at the same path intact.
///
/// A run only ever replaces a folder Tacit wrote (`RunFolder+Safety.swift`): an earlier run or
/// shard folder, recognised by its `.tacit-run` marker (`RunFolderMarker`), or an empty folder;
/// never the working directory or a folder holding it, the folder of the recipe file, `runs/`
/// itself, or a folder inside another run. Staging folders left by runs whose process has ended
/// are removed when the next run writes to the same path.
public final class RunFolder {
  /// The final location of the run.
  public let path: String
  /// The temporary folder files are written into until `commit()`.
  public let stagingPath: String
  /// What the folder holds; written into its marker.
  public let kind: RunFolderMarker.Kind
  /// One log line naming the stale staging folders removed (or left alone) beside `path`, `nil`
  /// when there were none.
  public let staleFoldersLine: String?
  /// With `--resume`: the former name of the interrupted run's staging folder this run took over,
  /// and its step ledger (`RunFolder+Resume.swift`); `nil` for a fresh run.
  let resumed: (formerName: String, ledger: StepLedger)?
  private var committed = false

  /// Creates the staging folder for a folder of `kind` at `path` (its parent folders are created
  /// as needed) and writes the marker into it.
  ///
  /// Throws `PipelineError` when `path` is a file, or a folder a run must not replace
  /// (`checkReplaceable`); `recipePath` is the recipe file the run reads, which the run folder
  /// must not hold. With `resumeFingerprint` (`--resume`), the staging folder is the interrupted
  /// run's for the recipe with that fingerprint, taken over (`claimInterruptedRun`).
  public init(path: String, kind: RunFolderMarker.Kind, recipePath: String?, resumeFingerprint: String? = nil) throws {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    self.path = url.path
    self.kind = kind
    let parent = url.deletingLastPathComponent()
    try RunFolder.checkReplaceable(url.path, kind: kind, recipePath: recipePath)
    let staging = parent.appendingPathComponent(RunFolder.stagingName(of: url.lastPathComponent, "partial"))
    stagingPath = staging.path
    if let resumeFingerprint {
      // Taken over first, under this process's name, so that the clean-up leaves it alone.
      resumed = try RunFolder.claimInterruptedRun(beside: url.path, fingerprint: resumeFingerprint, as: staging.path)
      staleFoldersLine = RunFolder.removeStaleStagingFolders(beside: url.path, sparing: staging.lastPathComponent)
      return
    }
    resumed = nil
    staleFoldersLine = RunFolder.removeStaleStagingFolders(beside: url.path)
    try RunFolder.fileOperation("create the run folder", parent.path) {
      try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    }
    try write(RunFolderMarker.fileName, RunFolderMarker.contents(kind))
  }

  /// The hidden sibling `.NAME.partial-PID` (the staging folder) or `.NAME.replaced-PID` (an
  /// earlier run being replaced) of the folder `name`, for this process.
  static func stagingName(of name: String, _ role: String) -> String {
    ".\(name).\(role)-\(ProcessInfo.processInfo.processIdentifier)"
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
      let old = URL(fileURLWithPath: path).deletingLastPathComponent()
        .appendingPathComponent(RunFolder.stagingName(of: URL(fileURLWithPath: path).lastPathComponent, "replaced")).path
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

  /// Removes the staging folder of a run that did not complete; a resumed run's is kept, so that
  /// the interrupted run it took over (its ledger and checkpoint) can still be resumed.
  public func discard() {
    if !committed && resumed == nil { try? FileManager.default.removeItem(atPath: stagingPath) }
  }

  deinit { discard() }
}
