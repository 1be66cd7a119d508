import Foundation

/// Files written atomically: the contents go into a hidden temporary file beside the target
/// (`.NAME.partial-PID`), which is renamed over the target only once complete. A reader never
/// sees a half-written file; a failed write leaves an earlier file intact.
enum AtomicFile {
  /// Writes `contents` to `path` atomically; errors name the file and the system's reason.
  static func write(_ contents: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)").path
    do {
      try RunFolder.fileOperation("write", temporary) { try Data(contents.utf8).write(to: URL(fileURLWithPath: temporary)) }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw PipelineError("\(path): cannot move into place: \(reason)", isInputError: false)
    }
  }
}
