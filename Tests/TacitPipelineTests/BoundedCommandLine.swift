import Foundation

/// Runs the built `tacit` under a memory ceiling and a time limit, and tells how it ended: an
/// exit status, a signal (a trap, an abort, the kernel's kill), or the time limit.
///
/// The ceiling is `ulimit -v` (RLIMIT_AS) set by `/bin/sh` before it `exec`s `tacit`, so an
/// allocation the ceiling refuses makes the process abort (a signal) instead of swapping the
/// machine: a memory bomb shows as a crash.
struct BoundedCommandLine {
  /// How a bounded run ended.
  struct Outcome {
    /// The exit status, or the signal number when `signalled`.
    var status: Int32
    /// Whether a signal ended the process (a crash, or the kill after `timedOut`).
    var signalled: Bool
    /// Whether the time limit ran out first (the process was then killed).
    var timedOut: Bool
    var standardError: String
  }

  /// The address-space ceiling: 4 GiB, far above what any fuzzed case needs (tens of MB) and
  /// far below the machine's 24 GiB.
  static let memoryLimitKilobytes = 4 << 20
  /// The time limit of one run; a case takes well under a second.
  static let secondsLimit = 120.0

  /// `tacit ARGUMENTS…` in `directory`, bounded.
  static func run(_ arguments: [String], in directory: URL) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments =
      ["-c", "ulimit -v \(memoryLimitKilobytes) && exec \"$0\" \"$@\"", CommandLineTool.executableURL.path] + arguments
    process.currentDirectoryURL = directory
    let errorURL = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorURL) }
    let error = try FileHandle(forWritingTo: errorURL)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = error
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(secondsLimit)
    var timedOut = false
    while process.isRunning {
      if Date() > deadline {
        timedOut = true
        kill(process.processIdentifier, SIGKILL)
        break
      }
      usleep(2_000)
    }
    process.waitUntilExit()
    try error.close()
    return Outcome(
      status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
      standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
  }
}
