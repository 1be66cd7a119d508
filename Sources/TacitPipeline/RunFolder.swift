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
  public init(path: String) throws {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    self.path = url.path
    let parent = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
    let staging = parent.appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
    if FileManager.default.fileExists(atPath: staging.path) { try FileManager.default.removeItem(at: staging) }
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    stagingPath = staging.path
  }

  /// The staging path of a file in the run.
  public func file(_ name: String) -> String { stagingPath + "/" + name }

  /// Writes `contents` to the file `name` in the staging folder.
  public func write(_ name: String, _ contents: String) throws {
    try Data(contents.utf8).write(to: URL(fileURLWithPath: file(name)))
  }

  /// Writes `data` to the file `name` in the staging folder.
  public func write(_ name: String, data: Data) throws {
    try data.write(to: URL(fileURLWithPath: file(name)))
  }

  /// Moves the staging folder to `path`, replacing an earlier run there only after the new one is
  /// complete.
  public func commit() throws {
    let manager = FileManager.default
    if manager.fileExists(atPath: path) {
      let old = stagingPath.replacingOccurrences(of: ".partial-", with: ".replaced-")
      try manager.moveItem(atPath: path, toPath: old)
      try manager.moveItem(atPath: stagingPath, toPath: path)
      try? manager.removeItem(atPath: old)
    } else {
      try manager.moveItem(atPath: stagingPath, toPath: path)
    }
    committed = true
  }

  /// Removes the staging folder of a run that did not complete.
  public func discard() {
    if !committed { try? FileManager.default.removeItem(atPath: stagingPath) }
  }

  deinit { discard() }
}
