import Yams

/// Reads typed values out of a composed YAML tree, collecting every problem instead of stopping
/// at the first.
///
/// Each problem is recorded with the node's position (`Node.mark`) and its key path. Nodes that
/// came from a command-line override carry no mark; problems in them are attributed to the
/// override that set the closest enclosing path.
///
/// Scalars are read strictly: integers are plain decimal scalars (`12`, `-3`, no quotes, no
/// `0x`, no `1_000`), numbers are plain decimal or exponent scalars and must be finite, booleans
/// are `true`/`false` (`True`, `TRUE`), null is `null`, `~` or nothing. Quoted scalars are
/// always strings.
final class NodeReader {
  /// The recipe file name used in messages.
  let fileName: String
  /// The directory relative paths in the recipe are resolved against.
  let baseDirectory: String
  /// Problems found so far, in the order found.
  private(set) var errors: [RecipeError] = []
  /// The key paths set by overrides and the override text, for nodes without a mark.
  private(set) var overrideOrigins: [(path: RecipeKeyPath, text: String)] = []

  init(fileName: String, baseDirectory: String) {
    self.fileName = fileName
    self.baseDirectory = baseDirectory
  }

  /// Notes that the value at `path` came from the override `text`.
  func recordOverride(path: RecipeKeyPath, text: String) {
    overrideOrigins.append((path, text))
  }

  /// Records a problem at `path`, located by `node`'s mark (or by the override that set it).
  func report(_ message: String, at path: RecipeKeyPath, node: Node?) {
    if let mark = node?.mark {
      errors.append(
        RecipeError(file: fileName, line: mark.line, column: mark.column, keyPath: path.description, message: message))
      return
    }
    let origin = overrideOrigins.last { path.hasPrefix($0.path) }
    let file = origin.map { "override '\($0.text)'" } ?? fileName
    errors.append(RecipeError(file: file, line: nil, column: nil, keyPath: path.description, message: message))
  }

  /// Records a problem that is already fully located (syntax and override errors).
  func append(_ error: RecipeError) {
    errors.append(error)
  }

  // MARK: Scalars

  /// Whether `node` is YAML null (`null`, `~`, or an empty value).
  static func isNull(_ node: Node) -> Bool {
    guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  /// A short description of what `node` holds, for "expected X, got Y" messages.
  static func describe(_ node: Node) -> String {
    if node.mapping != nil { return "a mapping" }
    if node.sequence != nil { return "a list" }
    guard let scalar = node.scalar else { return "an alias" }
    if isNull(node) { return "null" }
    if scalar.style == .plain || scalar.style == .any { return scalar.string }
    return "'\(scalar.string)'"
  }

  /// The plain (unquoted) text of a scalar, or `nil` for quoted scalars and collections.
  private static func plainText(_ node: Node) -> String? {
    guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else { return nil }
    return scalar.string
  }

  /// An integer, or `nil` after reporting "expected an integer".
  func integer(_ node: Node, at path: RecipeKeyPath) -> Int? {
    if let text = Self.plainText(node), let value = Int(text) { return value }
    report("expected an integer, got \(Self.describe(node))", at: path, node: node)
    return nil
  }

  /// A non-negative 64-bit integer, or `nil` after reporting the problem.
  func unsignedInteger(_ node: Node, at path: RecipeKeyPath) -> UInt64? {
    if let text = Self.plainText(node), let value = UInt64(text) { return value }
    report("expected an integer in 0...\(UInt64.max), got \(Self.describe(node))", at: path, node: node)
    return nil
  }

  /// A finite number (integers are accepted), or `nil` after reporting the problem.
  func number(_ node: Node, at path: RecipeKeyPath) -> Double? {
    if let text = Self.plainText(node), let value = Double(text), value.isFinite,
      text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) })
    {
      return value
    }
    report("expected a number, got \(Self.describe(node))", at: path, node: node)
    return nil
  }

  /// `true` or `false`, or `nil` after reporting the problem.
  func boolean(_ node: Node, at path: RecipeKeyPath) -> Bool? {
    switch Self.plainText(node) {
    case "true", "True", "TRUE": return true
    case "false", "False", "FALSE": return false
    default:
      report("expected true or false, got \(Self.describe(node))", at: path, node: node)
      return nil
    }
  }

  /// A string (any non-null scalar), or `nil` after reporting the problem.
  func string(_ node: Node, at path: RecipeKeyPath) -> String? {
    if let scalar = node.scalar, !Self.isNull(node) { return scalar.string }
    report("expected a string, got \(Self.describe(node))", at: path, node: node)
    return nil
  }

  /// A mapping reader over `node`; a null or absent node reads as an empty mapping. Anything
  /// else is reported and read as an empty mapping, so that defaults still resolve.
  func mapping(_ node: Node?, at path: RecipeKeyPath) -> MappingReader {
    if let node, node.mapping == nil, !Self.isNull(node) {
      report("expected a mapping, got \(Self.describe(node))", at: path, node: node)
      return MappingReader(reader: self, path: path, node: nil)
    }
    return MappingReader(reader: self, path: path, node: node)
  }
}
