import Foundation

/// Runs the built `tacit` executable (it sits next to the test bundle) and captures its output.
struct CommandLineTool {
  struct Outcome {
    var status: Int32
    var standardOutput: String
    var standardError: String
  }

  static var executableURL: URL {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidate = bundle.appendingPathComponent("tacit")
    // On Linux the test runner is `…/TacitPackageTests.xctest`; its folder holds the products.
    if !FileManager.default.fileExists(atPath: candidate.path) {
      candidate = Bundle.main.bundleURL.appendingPathComponent("tacit")
    }
    return candidate
  }

  /// The package root (two levels above this file's folder).
  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  @discardableResult
  static func run(_ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]) throws
    -> Outcome
  {
    let process = Process()
    process.executableURL = executableURL
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.currentDirectoryURL = directory
    // Output goes to files, not pipes: a chatty child can never block on a full pipe.
    let scratch = try temporaryDirectory("output")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outputURL = scratch.appendingPathComponent("stdout"), errorURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    let output = try FileHandle(forWritingTo: outputURL), error = try FileHandle(forWritingTo: errorURL)
    process.standardOutput = output
    process.standardError = error
    try process.run()
    process.waitUntilExit()
    try output.close()
    try error.close()
    return Outcome(
      status: process.terminationStatus,
      standardOutput: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
      standardError: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
  }

  /// A fresh temporary folder.
  static func temporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tacit-test-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
