import Foundation
import Testing

@testable import TacitText

/// A fresh temporary folder, removed when the value is deinitialised.
final class TemporaryFolder {
  let path: String

  init() throws {
    path = (NSTemporaryDirectory() as NSString).appendingPathComponent("tacit-text-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `bytes` to `name` in the folder and returns its path.
  @discardableResult
  func write(_ name: String, bytes: [UInt8]) throws -> String {
    let file = (path as NSString).appendingPathComponent(name)
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }

  /// Writes `text` as UTF-8 to `name` and returns its path.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, bytes: Array(text.utf8))
  }
}

/// The records `reader` reads from `text`, as a file named `name`.
func records(_ text: String, format: TextFormat, name: String = "data.txt") throws -> [TextRecord] {
  try TextRecordReader(format: format).records(in: Array(text.utf8), file: name, path: "/data/\(name)")
}

/// The error `body` throws as a `TextError`, recording an issue when it throws none or another kind.
func textError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> TextError? {
  do {
    try body()
    Issue.record("expected a TextError, nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as TextError {
    return error
  } catch {
    Issue.record("expected a TextError, got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// The folder of the committed GPT-2 BPE fixture (see Scripts/make_tokenizer_fixture.py).
func fixtureFolder() throws -> String {
  let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
  return url.appendingPathComponent("gpt2-bpe").path
}
