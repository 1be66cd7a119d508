import Foundation
import TacitReport

extension RunComparison {
  /// Writes `DIR/comparison.html` and `DIR/comparison.json`, each atomically (a temporary file in
  /// `directory`, then a rename). Creates `directory` if needed; never deletes anything in it.
  public func write(to directory: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else { throw PipelineError("\(directory): exists and is not a folder (--output)") }
    } else {
      try RunFolder.fileOperation("create the folder", directory) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      }
    }
    try AtomicFile.write(html(), to: directory + "/comparison.html")
    try AtomicFile.write(json() + "\n", to: directory + "/comparison.json")
  }
}
