import Yams

/// Strict reading of one YAML mapping: every key the schema knows is read through this type,
/// and `finish()` reports the keys that were never asked for as unknown, with the closest known
/// key by edit distance.
///
/// Reading a key that is absent gives its default; reading a key that is present but wrong
/// (type or range) records the problem and also gives the default, so that reading goes on and
/// every problem is reported at once.
final class MappingReader {
  let reader: NodeReader
  /// Path of the mapping itself.
  let path: RecipeKeyPath
  /// The mapping node, `nil` when the section is absent (then every key reads its default).
  let node: Node?
  /// Keys in file order with their key and value nodes.
  private var entries: [(key: String, keyNode: Node, value: Node)] = []
  /// Keys the schema knows here, in the order they were asked for.
  private(set) var knownKeys: [String] = []

  init(reader: NodeReader, path: RecipeKeyPath, node: Node?) {
    self.reader = reader
    self.path = path
    self.node = node
    for (keyNode, value) in node?.mapping ?? [:] {
      guard let key = keyNode.scalar?.string else {
        reader.report("mapping keys must be plain names, got \(NodeReader.describe(keyNode))", at: path, node: keyNode)
        continue
      }
      entries.append((key, keyNode, value))
    }
  }

  /// Path of `key` in this mapping.
  func path(_ key: String) -> RecipeKeyPath { path.appending(key) }

  /// Marks `key` as known here and returns its value node, or `nil` if absent.
  func value(_ key: String) -> Node? {
    if !knownKeys.contains(key) { knownKeys.append(key) }
    return entries.first { $0.key == key }?.value
  }

  /// Marks `key` as known and returns its value unless it is absent or null.
  func nonNullValue(_ key: String) -> Node? {
    guard let value = value(key), !NodeReader.isNull(value) else { return nil }
    return value
  }

  /// Whether `key` is present (null counts as present).
  func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

  /// Whether `key` is present with a non-null value, without marking it as read (so the order
  /// of known keys in messages stays the order the sections are read in).
  func hasNonNullValue(_ key: String) -> Bool {
    entries.contains { $0.key == key && !NodeReader.isNull($0.value) }
  }

  /// Reports a problem at `key` (its value node's position), or at the mapping when absent.
  func report(_ message: String, key: String) {
    reader.report(message, at: path(key), node: entries.first { $0.key == key }?.value ?? node)
  }

  /// Reports that a required key is absent or null.
  func reportMissing(_ key: String, hint: String = "") {
    reader.report("missing required key" + hint, at: path(key), node: node)
  }

  /// Marks `keys` as known but not allowed here, reporting each one present with `reason`.
  func disallow(_ keys: [String], reason: String) {
    for key in keys where value(key) != nil {
      reader.report(reason, at: path(key), node: entries.first { $0.key == key }?.keyNode)
    }
  }

  /// Marks `keys` as known without reading them (used when an earlier problem makes their
  /// meaning unknown, so that they are not also reported as unknown keys).
  func ignore(_ keys: [String]) {
    for key in keys { _ = value(key) }
  }

  /// Reports every key that was never read as unknown, suggesting the closest known key.
  func finish() {
    for entry in entries where !knownKeys.contains(entry.key) {
      let hint = EditDistance.suggestion(for: entry.key, among: knownKeys)
      reader.report("unknown key" + hint, at: path(entry.key), node: entry.keyNode)
    }
  }

  // MARK: Typed values

  private func checked<Value: Comparable>(_ value: Value?, _ key: String, _ rule: NumberRule<Value>) -> Value? {
    guard let value else { return nil }
    let accepted = rule.accepts(value)
    let limit = accepted ? rule.limit(value) : nil
    if accepted && limit == nil { return value }
    let node = entries.first { $0.key == key }?.value
    let written = node.map(NodeReader.describe) ?? "\(value)"
    if let limit {
      reader.report("\(written) \(limit)", at: path(key), node: node)
    } else {
      reader.report("must \(rule.requirement), got \(written)", at: path(key), node: node)
    }
    return nil
  }

  /// The value `read` makes of `key`'s node, checked against `rule`; `nil` when the key is
  /// absent or null, or after reporting a value that cannot be read or breaks `rule`.
  private func optionalValue<Value: Comparable>(
    _ key: String, _ rule: NumberRule<Value>, _ read: (Node, RecipeKeyPath) -> Value?
  ) -> Value? {
    guard let node = nonNullValue(key) else { return nil }
    return checked(read(node, path(key)), key, rule)
  }

  /// `optional(key)` after reporting `key` as missing when it is absent or null.
  private func requiredValue<Value>(_ key: String, _ optional: (String) -> Value?) -> Value? {
    if nonNullValue(key) == nil { reportMissing(key) }
    return optional(key)
  }

  /// An optional integer (absent or null gives `nil`), checked against `rule`.
  func optionalInteger(_ key: String, _ rule: NumberRule<Int> = .any) -> Int? { optionalValue(key, rule, reader.integer) }

  /// An integer, `defaultValue` when absent (or invalid, after reporting).
  func integer(_ key: String, default defaultValue: Int, _ rule: NumberRule<Int> = .any) -> Int {
    optionalInteger(key, rule) ?? defaultValue
  }

  /// A required integer; `nil` after reporting when absent or invalid.
  func requiredInteger(_ key: String, _ rule: NumberRule<Int> = .any) -> Int? { requiredValue(key) { optionalInteger($0, rule) } }

  /// An optional finite number, checked against `rule`.
  func optionalNumber(_ key: String, _ rule: NumberRule<Double> = .any) -> Double? { optionalValue(key, rule, reader.number) }

  /// A finite number, `defaultValue` when absent (or invalid, after reporting).
  func number(_ key: String, default defaultValue: Double, _ rule: NumberRule<Double> = .any) -> Double {
    optionalNumber(key, rule) ?? defaultValue
  }

  /// A required finite number; `nil` after reporting when absent or invalid.
  func requiredNumber(_ key: String, _ rule: NumberRule<Double> = .any) -> Double? {
    requiredValue(key) { optionalNumber($0, rule) }
  }

  /// A boolean, `defaultValue` when absent (or invalid, after reporting).
  func boolean(_ key: String, default defaultValue: Bool) -> Bool {
    guard let node = nonNullValue(key) else { return defaultValue }
    return reader.boolean(node, at: path(key)) ?? defaultValue
  }

  /// An optional string (absent or null gives `nil`).
  func optionalString(_ key: String) -> String? {
    guard let node = nonNullValue(key) else { return nil }
    return reader.string(node, at: path(key))
  }

  /// A required string; `nil` after reporting when absent or invalid.
  func requiredString(_ key: String) -> String? { requiredValue(key, optionalString) }

  /// One of an enumeration's spellings; `nil` when absent, or after reporting an unknown one
  /// with the closest spelling.
  func optionalChoice<Choice: RawRepresentable & CaseIterable>(_ key: String, as _: Choice.Type) -> Choice?
  where Choice.RawValue == String {
    guard let text = optionalString(key) else { return nil }
    if let choice = Choice(rawValue: text) { return choice }
    let spellings = Choice.allCases.map(\.rawValue)
    report("unknown value '\(text)'" + EditDistance.suggestion(for: text, among: spellings), key: key)
    return nil
  }

  /// One of an enumeration's spellings, `defaultValue` when absent (or invalid, after reporting).
  func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default defaultValue: Choice) -> Choice
  where Choice.RawValue == String {
    optionalChoice(key, as: Choice.self) ?? defaultValue
  }

  /// A nested mapping; absent or null reads as empty (all defaults).
  func child(_ key: String) -> MappingReader {
    reader.mapping(value(key), at: path(key))
  }
}

extension MappingReader {
  /// A list of an enumeration's spellings (`[loss, lira_online]`), `defaultValue` when absent or
  /// null; unknown spellings are reported at their item (`audit.attacks[2]`) with the closest
  /// spelling, and repeated ones are reported too.
  func choiceList<Choice: RawRepresentable & CaseIterable & Equatable>(_ key: String, default defaultValue: [Choice])
    -> [Choice]
  where Choice.RawValue == String {
    guard let node = nonNullValue(key) else { return defaultValue }
    guard let items = node.sequence else {
      report("must be a list, e.g. [\(Choice.allCases.prefix(2).map(\.rawValue).joined(separator: ", "))]", key: key)
      return defaultValue
    }
    var choices: [Choice] = []
    for (index, item) in items.enumerated() {
      let itemPath = path(key).appending(index: index)
      guard let text = reader.string(item, at: itemPath) else { continue }
      guard let choice = Choice(rawValue: text) else {
        let spellings = Choice.allCases.map(\.rawValue)
        reader.report(
          "unknown value '\(text)'" + EditDistance.suggestion(for: text, among: spellings), at: itemPath, node: item)
        continue
      }
      if choices.contains(choice) {
        reader.report("'\(text)' is listed twice", at: itemPath, node: item)
        continue
      }
      choices.append(choice)
    }
    return choices
  }
}
