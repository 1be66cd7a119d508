/// One problem found in a recipe: where it is and what is wrong.
///
/// `description` reads `file:line:column: key.path: message`, the form compilers use, so
/// editors and terminals can jump to the spot. Parts that are unknown are left out: a missing
/// file has no line, a YAML syntax error has no key path, and a problem in a value that came
/// from a command-line override names the override (`override 'training.epochs=0'`) in place
/// of the file and has no line.
public struct RecipeError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The recipe file name as given to the loader, or `override '<text>'` for an override.
  public var file: String
  /// Line number, starting at 1; `nil` when the problem has no position in the file.
  public var line: Int?
  /// Column number (in Unicode scalars), starting at 1; `nil` together with `line`.
  public var column: Int?
  /// The dotted key path of the offending value (`training.optimizer.learning_rate`,
  /// `model[2].units`); empty for problems of the file as a whole.
  public var keyPath: String
  /// What is wrong and, where possible, how to fix it.
  public var message: String

  /// A problem at `file:line:column`, at `keyPath`.
  public init(file: String, line: Int?, column: Int?, keyPath: String, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.keyPath = keyPath
    self.message = message
  }

  /// `file:line:column: key.path: message`, leaving out the unknown parts.
  public var description: String {
    var text = file
    if let line {
      text += ":\(line)"
      if let column { text += ":\(column)" }
    }
    if !keyPath.isEmpty { text += ": \(keyPath)" }
    return text + ": " + message
  }
}

/// Every problem found in a recipe, reported together so that one edit fixes them all.
///
/// Problems located in the file come first, sorted by line and column; problems without a
/// position (overrides, a missing file) follow in the order they were found.
public struct RecipeErrors: Error, Sendable, Equatable, CustomStringConvertible {
  /// The problems, at least one.
  public var errors: [RecipeError]

  /// A list of problems; `errors` must not be empty.
  public init(_ errors: [RecipeError]) {
    precondition(!errors.isEmpty, "RecipeErrors needs at least one error")
    self.errors = errors
  }

  /// The problems, one per line.
  public var description: String {
    errors.map(\.description).joined(separator: "\n")
  }

  /// The problems in reading order: positioned ones by line and column, then the others in the
  /// order found.
  static func sorted(_ errors: [RecipeError]) -> [RecipeError] {
    let numbered = Array(errors.enumerated())
    return numbered.sorted { left, right in
      let leftKey = (left.element.line ?? Int.max, left.element.column ?? 0, left.offset)
      let rightKey = (right.element.line ?? Int.max, right.element.column ?? 0, right.offset)
      return leftKey < rightKey
    }.map(\.element)
  }
}
