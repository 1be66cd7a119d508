import Foundation

/// Reading a whole user-named file into memory, within a size limit.
enum TextFile {
  /// The bytes of the regular file at `path`.
  ///
  /// - Throws: `TextError.missingFile` (with `hint`), `.unreadable` (a folder, no permission),
  ///   `.tooLarge` when the file holds more than `limit` bytes; the size is checked before reading
  ///   and again while reading (at most `limit + 1` bytes are read, so a file that grows or a
  ///   special file is still bounded).
  static func bytes(at path: String, limit: Int, hint: String? = nil) throws -> [UInt8] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw TextError.missingFile(path: path, hint: hint)
    }
    if isDirectory.boolValue { throw TextError.unreadable(path: path, reason: "it is a folder, not a file") }
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limit {
      throw TextError.tooLarge(path: path, bytes: size, limit: limit)
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw TextError.unreadable(path: path, reason: "permission denied")
    }
    defer { try? handle.close() }
    let data: Data
    do {
      data = try handle.read(upToCount: limit + 1) ?? Data()
    } catch {
      throw TextError.unreadable(path: path, reason: error.localizedDescription)
    }
    if data.count > limit { throw TextError.tooLarge(path: path, bytes: data.count, limit: limit) }
    return [UInt8](data)
  }
}
