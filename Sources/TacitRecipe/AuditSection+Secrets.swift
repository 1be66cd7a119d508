import Yams

extension AuditSection {
  /// `audit.secrets`: secret-sharer canaries (Carlini et al. 2019) for language models.
  ///
  /// ```yaml
  /// audit:
  ///   secrets:
  ///     format: "my PIN is {digits:6}"   # one {digits:N} (1 ≤ N ≤ 12), at the end
  ///     insertions: [1, 4, 16]           # how many copies of a canary the target trains on
  ///     per_insertion: 2                 # canaries per insertion count
  ///     sample: 10000                    # candidates scored for the extrapolation (spaces over 10⁶)
  /// ```
  ///
  /// Each canary is the format with N random digits (split "secrets" of the audit generator); the
  /// target trains on `insertions[i]` copies of each of its canaries (extra records, each a privacy
  /// unit: a canary inserted k times has k-fold group privacy; k = 0 makes control canaries, the
  /// exposure a secret the model never saw gets from the format and the other canaries). After training, each canary's
  /// exposure ranks its secret among all 10^N candidates by log p(secret | text before it):
  /// exactly when 10^N ≤ 10⁶, else extrapolated from `sample` random candidates. They sit beside
  /// `audit.canaries` (the gradient canaries that bound ε): memorisation and the ε bound are
  /// separate measurements.
  public struct Secrets: Sendable, Equatable {
    /// The text before the secret.
    public var prefix: String
    /// The secret's digits N (|R| = 10^N).
    public var digits: Int
    public var insertions: [Int]
    public var perInsertion: Int
    public var sample: Int

    public init(prefix: String, digits: Int, insertions: [Int], perInsertion: Int, sample: Int) {
      precondition((1...12).contains(digits), "a secret has 1 to 12 digits, got \(digits)")
      self.prefix = prefix
      self.digits = digits
      self.insertions = insertions
      self.perInsertion = perInsertion
      self.sample = sample
    }

    /// The format as written: prefix and `{digits:N}`.
    public var format: String { prefix + "{digits:\(digits)}" }
    /// The largest space whose candidates are all scored (exact exposure): 10⁶.
    public static let exactLimit = 1_000_000
    /// |R| = 10^N.
    public var spaceSize: Double { Double.pow10(digits) }
  }

  /// Reads `audit.secrets` (text data only); `nil` when absent or after reporting.
  static func readSecrets(_ section: MappingReader, textData: Bool) -> Secrets? {
    guard section.nonNullValue("secrets") != nil else { return nil }
    guard textData else {
      section.report("secret-sharer canaries are text records; they need data.source: text", key: "secrets")
      return nil
    }
    let child = section.child("secrets")
    let format = child.requiredString("format")
    let perInsertion = child.integer("per_insertion", default: 1, .closed(1, 100))
    let sample = child.integer("sample", default: 10_000, .closed(100, 1_000_000))
    let insertions = readInsertions(child)
    child.finish()
    guard let format, let insertions, let (prefix, digits) = parseFormat(format, reader: child) else { return nil }
    return Secrets(prefix: prefix, digits: digits, insertions: insertions, perInsertion: perInsertion, sample: sample)
  }

  /// `insertions`: a non-empty list of distinct counts in 0…1000 (default [1, 4, 16]); 0 makes
  /// control canaries, drawn like the others and never trained on.
  private static func readInsertions(_ section: MappingReader) -> [Int]? {
    guard let node = section.nonNullValue("insertions") else { return [1, 4, 16] }
    guard let items = node.sequence, !items.isEmpty else {
      section.report("must be a non-empty list of insertion counts, e.g. [1, 4, 16]", key: "insertions")
      return nil
    }
    var counts: [Int] = []
    for (index, item) in items.enumerated() {
      let path = section.path("insertions").appending(index: index)
      guard let count = section.reader.integer(item, at: path) else { return nil }
      guard (0...1000).contains(count), !counts.contains(count) else {
        section.reader.report("must be a count in 0…1000, each listed once, got \(count)", at: path, node: item)
        return nil
      }
      counts.append(count)
    }
    return counts
  }

  /// The prefix and N of a format holding one `{digits:N}` at its end.
  private static func parseFormat(_ format: String, reader: MappingReader) -> (String, Int)? {
    let pieces = format.components(separatedBy: "{digits:")
    guard pieces.count == 2, pieces[1].hasSuffix("}"), let digits = Int(pieces[1].dropLast()), (1...12).contains(digits)
    else {
      reader.report(
        "must hold one {digits:N} placeholder (1 ≤ N ≤ 12) at its end, e.g. \"my PIN is {digits:6}\"; got \"\(format)\"",
        key: "format")
      return nil
    }
    return (pieces[0], digits)
  }

  func emitSecrets(into emitter: inout RecipeEmitter) {
    guard let secrets else { return }
    emitter.section("secrets") { writer in
      writer.entry("format", RecipeEmitter.quoted(secrets.format))
      writer.entry("insertions", "[" + secrets.insertions.map(String.init).joined(separator: ", ") + "]")
      writer.entry("per_insertion", String(secrets.perInsertion))
      writer.entry("sample", String(secrets.sample))
    }
  }
}

extension Double {
  /// 10^n for a small non-negative integer n, exact.
  static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }
}
