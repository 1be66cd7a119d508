/// A path to a value in the recipe: `training.optimizer.learning_rate`, `model[2].units`.
///
/// Mapping keys are joined with `.`; list items are written `[index]`, counted from 0. The same
/// spelling is used in error messages and in command-line overrides.
struct RecipeKeyPath: Equatable, Hashable, Sendable, CustomStringConvertible {
  /// One step of a path.
  enum Component: Equatable, Hashable, Sendable {
    /// A key in a mapping.
    case key(String)
    /// An item in a list, from 0.
    case index(Int)
  }

  var components: [Component]

  init(_ components: [Component] = []) {
    self.components = components
  }

  /// The path one key further down.
  func appending(_ key: String) -> RecipeKeyPath {
    RecipeKeyPath(components + [.key(key)])
  }

  /// The path one list item further down.
  func appending(index: Int) -> RecipeKeyPath {
    RecipeKeyPath(components + [.index(index)])
  }

  /// Whether `self` starts with all of `prefix`'s components.
  func hasPrefix(_ prefix: RecipeKeyPath) -> Bool {
    components.starts(with: prefix.components)
  }

  var description: String {
    var text = ""
    for component in components {
      switch component {
      case .key(let key): text += text.isEmpty ? key : "." + key
      case .index(let index): text += "[\(index)]"
      }
    }
    return text
  }

  /// Parses `a.b[2].c`: keys of letters, digits and `_`, list indices in brackets.
  /// Returns `nil` for anything else (empty keys, `a..b`, `a[x]`, `[1]` at the start).
  init?(parsing text: String) {
    var components: [Component] = []
    var remaining = Substring(text)
    var expectKey = true
    while !remaining.isEmpty {
      if remaining.first == "[" {
        guard !components.isEmpty, let close = remaining.firstIndex(of: "]"),
          let index = Int(remaining[remaining.index(after: remaining.startIndex)..<close]), index >= 0
        else { return nil }
        components.append(.index(index))
        remaining = remaining[remaining.index(after: close)...]
        expectKey = false
      } else {
        if !expectKey {
          guard remaining.first == "." else { return nil }
          remaining = remaining.dropFirst()
        }
        let key = remaining.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard !key.isEmpty else { return nil }
        components.append(.key(String(key)))
        remaining = remaining.dropFirst(key.count)
        expectKey = false
      }
    }
    guard !components.isEmpty else { return nil }
    self.components = components
  }
}
