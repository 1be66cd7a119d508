import Foundation
import Yams

/// Command-line overrides: `key.path=value` settings applied to the YAML tree before it is
/// read, so that overridden values are checked exactly like values in the file.
///
/// Path syntax: mapping keys joined by `.`, list items as `[index]` counted from 0:
/// `training.epochs=2`, `data.train_size=500`, `model[2].units=64`. (`model.2.units` is
/// rejected with a hint to write `model[2]`.) The value is parsed as YAML: a scalar (`0.01`,
/// `adam`, `null`, `"quoted"`) or a flow collection (`{type: adam, learning_rate: 0.01}`,
/// `[1, 2]`). An empty value (`training.epochs=`) is an error, whatever the key's type: it
/// would otherwise read as null and silently mean the default. Write `null` to ask for the
/// default, `""` for an empty string.
///
/// Missing mappings along the path are created; list items must already exist. A key unknown
/// to the schema is created like any other and then reported by the strict reader, with a
/// suggestion, as coming from the override.
enum Override {
  /// A problem with an override's path, at `path`.
  struct Problem: Error {
    let path: RecipeKeyPath
    let message: String
  }

  /// Applies the override `text` to `root`, recording any problem in `reader`; returns the
  /// new tree (unchanged when the override is bad).
  static func apply(_ text: String, to root: Node?, reader: NodeReader) -> Node? {
    let label = "override '\(text)'"
    func fail(_ keyPath: String, _ message: String) -> Node? {
      reader.append(RecipeError(file: label, line: nil, column: nil, keyPath: keyPath, message: message))
      return root
    }
    guard let equals = text.firstIndex(of: "=") else {
      return fail("", "expected key.path=value, such as training.epochs=2")
    }
    let pathText = text[..<equals].trimmingCharacters(in: .whitespaces)
    guard let path = RecipeKeyPath(parsing: pathText) else {
      return fail(pathText, "bad key path; write keys joined by '.' and list items as [index], such as model[2].units")
    }
    let valueText = text[text.index(after: equals)...]
    guard !valueText.allSatisfy(\.isWhitespace) else {
      return fail(
        path.description,
        "empty value; write a value after '=', or \(path)=null for the default, \(path)=\"\" for an empty string")
    }
    let value: Node
    do {
      value = try Yams.compose(yaml: String(valueText)).map(withoutMarks) ?? Node("null")
    } catch {
      let problem = Recipe.syntaxError(error, yaml: "", fileName: "").message
      return fail(path.description, "bad value: \(problem)")
    }
    do {
      let updated = try setting(value, at: path.components[...], in: root, walked: RecipeKeyPath())
      reader.recordOverride(path: path, text: text)
      return updated
    } catch {
      return fail(error.path.description, error.message + " (cannot set \(path))")
    }
  }

  /// A copy of `node` without marks, so that problems in it are attributed to the override.
  static func withoutMarks(_ node: Node) -> Node {
    switch node {
    case .scalar(let scalar):
      return .scalar(Node.Scalar(scalar.string, scalar.tag, scalar.style))
    case .mapping(let mapping):
      return .mapping(Node.Mapping(mapping.map { (withoutMarks($0.key), withoutMarks($0.value)) }, mapping.tag, mapping.style))
    case .sequence(let sequence):
      return .sequence(Node.Sequence(sequence.map(withoutMarks), sequence.tag, sequence.style))
    case .alias:
      return node
    }
  }

  /// `node` with the value at `remaining` (below `walked`) replaced by `value`.
  private static func setting(
    _ value: Node, at remaining: ArraySlice<RecipeKeyPath.Component>, in node: Node?, walked: RecipeKeyPath
  ) throws(Problem) -> Node {
    guard let first = remaining.first else { return value }
    let rest = remaining.dropFirst()
    switch first {
    case .key(let key):
      let here = walked.appending(key)
      guard let node, !NodeReader.isNull(node) else {
        return Node([(Node(key), try setting(value, at: rest, in: nil, walked: here))])
      }
      guard let mapping = node.mapping else {
        if node.sequence != nil, let index = Int(key) {
          throw Problem(path: walked, message: "is a list; write \(walked.appending(index: index)) for its items")
        }
        throw Problem(path: walked, message: "is \(NodeReader.describe(node)), not a mapping, so it has no key '\(key)'")
      }
      var pairs = mapping.map { ($0.key, $0.value) }
      if let position = pairs.firstIndex(where: { $0.0.scalar?.string == key }) {
        pairs[position].1 = try setting(value, at: rest, in: pairs[position].1, walked: here)
      } else {
        pairs.append((Node(key), try setting(value, at: rest, in: nil, walked: here)))
      }
      return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))

    case .index(let index):
      guard let node, let sequence = node.sequence else {
        let what = node.map { "is \(NodeReader.describe($0)), not a list" } ?? "is not set, so it has no items"
        throw Problem(path: walked, message: what)
      }
      let here = walked.appending(index: index)
      guard index < sequence.count else {
        throw Problem(path: here, message: "index out of range; \(walked) has \(sequence.count) items, numbered from 0")
      }
      var items = Array(sequence)
      items[index] = try setting(value, at: rest, in: items[index], walked: here)
      return .sequence(Node.Sequence(items, sequence.tag, sequence.style, sequence.mark))
    }
  }
}
