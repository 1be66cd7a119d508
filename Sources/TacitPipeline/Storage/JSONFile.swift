import Foundation
import TacitReport

/// A parsed JSON file (through `JSONText`) whose accessors throw `PipelineError` input errors
/// naming the file and the key path: a missing file, malformed JSON, a missing key or one of the
/// wrong type.
struct JSONFile {
  let path: String
  let root: [String: Any]

  init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else { throw PipelineError("\(path): cannot read") }
    self.root = try Self.object(
      in: data, malformed: PipelineError("\(path): malformed JSON"),
      notAnObject: PipelineError("\(path): malformed: not a JSON object"))
    self.path = path
  }

  /// The JSON object `data` holds (parsed through `JSONText`): `malformed` is thrown when it is not
  /// JSON, `notAnObject` when it is JSON but not an object.
  static func object(in data: Data, malformed: PipelineError, notAnObject: PipelineError) throws -> [String: Any] {
    let parsed: Any
    do {
      parsed = try JSONText.decode(data)
    } catch {
      throw malformed
    }
    guard let object = parsed as? [String: Any] else { throw notAnObject }
    return object
  }

  func value(_ key: String, in object: [String: Any], path keyPath: String?) throws -> Any {
    guard let value = object[key] else { throw PipelineError("\(path): missing `\(keyPath ?? key)`") }
    return value
  }

  func string(_ key: String, in object: [String: Any], path keyPath: String? = nil) throws -> String {
    guard let text = try value(key, in: object, path: keyPath) as? String else {
      throw PipelineError("\(path): `\(keyPath ?? key)` is not a string")
    }
    return text
  }

  /// A number, or `nil` for `null`.
  func number(_ key: String, in object: [String: Any], path keyPath: String? = nil) throws -> Double? {
    let value = try value(key, in: object, path: keyPath)
    if value is NSNull { return nil }
    guard let number = JSONText.number(value) else { throw PipelineError("\(path): `\(keyPath ?? key)` is not a number") }
    return number
  }

  func numbers(_ key: String, in object: [String: Any], path keyPath: String) throws -> [Double] {
    guard let array = try value(key, in: object, path: keyPath) as? [Any] else {
      throw PipelineError("\(path): `\(keyPath)` is not an array")
    }
    return try array.map { element in
      guard let number = JSONText.number(element) else {
        throw PipelineError("\(path): `\(keyPath)` holds something other than numbers")
      }
      return number
    }
  }

  func object(_ key: String, in object: [String: Any], path keyPath: String? = nil) throws -> [String: Any] {
    guard let nested = try self.object(key, in: object, path: keyPath, allowingNull: false) else {
      throw PipelineError("\(path): `\(keyPath ?? key)` is null")
    }
    return nested
  }

  /// An object, or `nil` when the key is absent or `null`.
  func optionalObject(_ key: String, in object: [String: Any], path keyPath: String? = nil) throws -> [String: Any]? {
    guard object[key] != nil else { return nil }
    return try self.object(key, in: object, path: keyPath, allowingNull: true)
  }

  private func object(_ key: String, in object: [String: Any], path keyPath: String?, allowingNull: Bool) throws
    -> [String: Any]?
  {
    let value = try value(key, in: object, path: keyPath)
    if value is NSNull && allowingNull { return nil }
    guard let nested = value as? [String: Any] else {
      throw PipelineError("\(path): `\(keyPath ?? key)` is not an object")
    }
    return nested
  }
}
