import Foundation
import TacitRecipe

/// Runs side by side: what `tacit compare` reads from run folders and shows as a terminal table,
/// as JSON, and as a self-contained HTML page (`RunComparison+HTML.swift`).
///
/// Each run folder gives `summary.json` (name, test accuracy, the privacy claim, and the audit's
/// summary when the audit ran) and `audit.json` (the audit with its ROC curves; absent when the
/// recipe turned the audit off). The audit is read from `audit.json` when it exists, else from
/// `summary.json`'s `audit` object (the same keys, the same numbers); with neither the run shows
/// "audit off". Numbers are carried exactly as read, never recomputed or rounded again; a `null`
/// in a file (JSON has no NaN) stays `nil` here and `null` in the comparison's JSON.
///
/// Names: each run is shown by its recorded `name`; when two runs share one, each of them is shown
/// by its folder's name instead (by its full path if folder names collide too).
///
/// Errors name the folder or file: a missing folder, a folder without `summary.json`, malformed
/// JSON or a key of the wrong type are `PipelineError` input errors (exit 65).
public struct RunComparison: Sendable {
  /// One attack's figures in one run.
  public struct Attack: Sendable {
    /// The attack's name as recorded, e.g. `loss`, `lira_online`.
    public var name: String
    public var auc: Double?
    public var advantage: Double?
    /// TPR at the FPR keyed as in the files (`"0.1"`, `"0.01"`, `"0.001"`).
    public var truePositiveRates: [String: Double]
    /// The thinned ROC curve of `audit.json` as (FPR, TPR) points; empty without `audit.json`.
    public var roc: [(falsePositiveRate: Double, truePositiveRate: Double)]
  }

  /// A run's audit: verdict, bound and attacks.
  public struct Audit: Sendable {
    /// `PASS`, `VIOLATION`, `MEASURED` or `NONE`, as recorded.
    public var verdict: String
    public var epsilonLowerBound: Double?
    /// The confidence of `epsilonLowerBound`, e.g. 0.95.
    public var confidence: Double?
    /// Which attack or canary audit gave the bound (`audit.json`'s `bound_source`), if recorded.
    public var boundSource: String?
    /// The attacks in the order of `AuditSection.Attack` (unknown names after, alphabetically).
    public var attacks: [Attack]
    /// Whether the audit came from `audit.json` (with ROC curves) rather than `summary.json`.
    public var hasDetails: Bool

    public func attack(named name: String) -> Attack? { attacks.first { $0.name == name } }

    /// The attack with the highest AUC (the first one on a tie), if any has an AUC.
    public var strongestAttack: Attack? {
      attacks.filter { $0.auc != nil }.max { $0.auc! < $1.auc! }
    }
  }

  /// One run folder.
  public struct Run: Sendable {
    /// The name shown: the recorded name, or the folder's when names collide.
    public var name: String
    /// `summary.json`'s `name`.
    public var recordedName: String
    /// The run folder's absolute path.
    public var folder: String
    public var testAccuracy: Double?
    /// The ε claimed for the audited records: the run's privacy account (the audit's
    /// `epsilon_claimed` when it has one; a distillation student's own ε covers other records);
    /// `nil` when no claim covers them.
    public var epsilonClaimed: Double?
    /// `nil` when the audit was turned off.
    public var audit: Audit?
  }

  public let runs: [Run]

  /// Runs compared in the given order, each shown by its recorded name, or by its folder's name
  /// when another run has the same name, or by its folder's path when folder names collide too.
  public init(runs: [Run]) {
    func shared(_ names: [String]) -> Set<String> {
      Set(Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +).filter { $0.value > 1 }.keys)
    }
    var runs = runs
    let sharedNames = shared(runs.map(\.recordedName))
    for index in runs.indices {
      runs[index].name =
        sharedNames.contains(runs[index].recordedName)
        ? URL(fileURLWithPath: runs[index].folder).lastPathComponent : runs[index].recordedName
    }
    let sharedFolderNames = shared(runs.map(\.name))
    for index in runs.indices where sharedFolderNames.contains(runs[index].name) { runs[index].name = runs[index].folder }
    self.runs = runs
  }

  /// Reads the run folders `folders` (paths as the user gave them) in order.
  public init(folders: [String]) throws {
    self.init(runs: try folders.map(Self.readRun))
  }

  /// Every attack of any run, in the order of `AuditSection.Attack`, unknown names after.
  public var attackNames: [String] {
    Self.ordered(Set(runs.flatMap { $0.audit?.attacks.map(\.name) ?? [] }))
  }

  static func ordered(_ names: Set<String>) -> [String] {
    let known = AuditSection.Attack.allCases.map(\.rawValue)
    return known.filter(names.contains) + names.subtracting(known).sorted()
  }

  // MARK: - Reading

  static func readRun(_ path: String) throws -> Run {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw PipelineError("\(path): no such run folder")
    }
    guard isDirectory.boolValue else { throw PipelineError("\(path): not a folder (give a run folder of tacit run)") }
    let folder = URL(fileURLWithPath: path).standardizedFileURL
    let summaryPath = folder.appendingPathComponent("summary.json").path
    guard FileManager.default.fileExists(atPath: summaryPath) else {
      throw PipelineError("\(path): not a tacit run folder (no summary.json)")
    }
    let summary = try JSONFile(path: summaryPath)
    let name = try summary.string("name", in: summary.root)
    let testAccuracy = try summary.number("test_accuracy", in: summary.root)
    let privacy = try summary.optionalObject("privacy", in: summary.root)
    var epsilonClaimed = try privacy.flatMap { try summary.number("epsilon", in: $0, path: "privacy.epsilon") }
    var audit: Audit?
    let auditPath = folder.appendingPathComponent("audit.json").path
    var auditSource: (object: [String: Any], file: JSONFile, prefix: String)?
    if FileManager.default.fileExists(atPath: auditPath) {
      let file = try JSONFile(path: auditPath)
      audit = try readAudit(file.root, prefix: "", file: file, details: true)
      auditSource = (file.root, file, "")
    } else if let object = try summary.optionalObject("audit", in: summary.root) {
      audit = try readAudit(object, prefix: "audit.", file: summary, details: false)
      auditSource = (object, summary, "audit.")
    }
    // The claim the audit tested is the one covering the audited records: the run's own ε, except
    // for a distillation student, whose ε covers its transfer set and not its teacher's records.
    if let auditSource, auditSource.object["epsilon_claimed"] != nil {
      epsilonClaimed = try auditSource.file.number(
        "epsilon_claimed", in: auditSource.object, path: auditSource.prefix + "epsilon_claimed")
    }
    return Run(
      name: name, recordedName: name, folder: folder.path, testAccuracy: testAccuracy, epsilonClaimed: epsilonClaimed,
      audit: audit)
  }

  /// An audit object (`audit.json`, or `summary.json`'s `audit` at `prefix` "audit.").
  static func readAudit(_ object: [String: Any], prefix: String, file: JSONFile, details: Bool) throws -> Audit {
    let attackObjects = try file.object("attacks", in: object, path: prefix + "attacks")
    let detailObjects = details ? try file.optionalObject("attack_details", in: object) ?? [:] : [:]
    let attacks = try ordered(Set(attackObjects.keys)).map { name -> Attack in
      let path = prefix + "attacks." + name
      let attack = try file.object(name, in: attackObjects, path: path)
      let rates = try file.object("tpr_at_fpr", in: attack, path: path + ".tpr_at_fpr")
      var truePositiveRates: [String: Double] = [:]
      for key in rates.keys { truePositiveRates[key] = try file.number(key, in: rates, path: path + ".tpr_at_fpr." + key) }
      var roc: [(Double, Double)] = []
      if let detail = try file.optionalObject(name, in: detailObjects, path: "attack_details." + name),
        let curve = try file.optionalObject("roc", in: detail, path: "attack_details.\(name).roc")
      {
        let rocPath = "attack_details.\(name).roc"
        let rates = try file.numbers("fpr", in: curve, path: rocPath + ".fpr")
        let hits = try file.numbers("tpr", in: curve, path: rocPath + ".tpr")
        guard rates.count == hits.count else {
          throw PipelineError("\(file.path): \(rocPath): fpr has \(rates.count) points, tpr \(hits.count)")
        }
        roc = Array(zip(rates, hits))
      }
      return Attack(
        name: name, auc: try file.number("auc", in: attack, path: path + ".auc"),
        advantage: try file.number("advantage", in: attack, path: path + ".advantage"),
        truePositiveRates: truePositiveRates, roc: roc)
    }
    return Audit(
      verdict: try file.string("verdict", in: object, path: prefix + "verdict"),
      epsilonLowerBound: try file.number("epsilon_lower_bound", in: object, path: prefix + "epsilon_lower_bound"),
      confidence: try file.number("confidence", in: object, path: prefix + "confidence"),
      boundSource: object["bound_source"] as? String, attacks: attacks, hasDetails: details)
  }

  /// A parsed JSON file whose accessors throw errors naming the file and the key path.
  struct JSONFile {
    let path: String
    let root: [String: Any]

    init(path: String) throws {
      guard let data = FileManager.default.contents(atPath: path) else { throw PipelineError("\(path): cannot read") }
      let parsed: Any
      do {
        parsed = try JSONSerialization.jsonObject(with: data)
      } catch {
        throw PipelineError("\(path): malformed JSON")
      }
      guard let root = parsed as? [String: Any] else { throw PipelineError("\(path): malformed: not a JSON object") }
      self.path = path
      self.root = root
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
      guard let number = Self.double(value) else { throw PipelineError("\(path): `\(keyPath ?? key)` is not a number") }
      return number
    }

    func numbers(_ key: String, in object: [String: Any], path keyPath: String) throws -> [Double] {
      guard let array = try value(key, in: object, path: keyPath) as? [Any] else {
        throw PipelineError("\(path): `\(keyPath)` is not an array")
      }
      return try array.map { element in
        guard let number = Self.double(element) else {
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

    /// A JSON number as a `Double` (integers included). Booleans are not numbers: JSONSerialization
    /// gives them as `NSNumber`s of type `c` (and `0 is Bool` holds for any `NSNumber` 0 or 1).
    static func double(_ value: Any) -> Double? {
      guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
      return number.doubleValue
    }
  }

  // MARK: - JSON

  /// `{"runs": [{name, folder, test_accuracy, epsilon_claimed, epsilon_lower_bound, confidence,
  /// verdict, attacks: {NAME: {auc, tpr_at_fpr: {"0.01", "0.001"}, advantage}}}]}`; a run whose
  /// audit was off has `null` bound, confidence and verdict and no attacks.
  public func json() -> String {
    func value(_ number: Double?) -> Any { number.map { $0 as Any } ?? NSNull() }
    let objects: [[String: Any]] = runs.map { run in
      var attacks: [String: Any] = [:]
      for attack in run.audit?.attacks ?? [] {
        attacks[attack.name] = [
          "auc": value(attack.auc), "advantage": value(attack.advantage),
          "tpr_at_fpr": ["0.01": value(attack.truePositiveRates["0.01"]), "0.001": value(attack.truePositiveRates["0.001"])],
        ]
      }
      return [
        "name": run.name, "folder": run.folder, "test_accuracy": value(run.testAccuracy),
        "epsilon_claimed": value(run.epsilonClaimed), "epsilon_lower_bound": value(run.audit?.epsilonLowerBound),
        "confidence": value(run.audit?.confidence), "verdict": run.audit.map { $0.verdict as Any } ?? NSNull(),
        "attacks": attacks,
      ]
    }
    return JSONText.encode(["runs": objects])
  }

  // MARK: - Table

  /// The side-by-side cells: a header row of run names, then one row per figure; a row whose
  /// cells are all `nil` heads a group (an attack).
  var rows: [(label: String, cells: [String]?)] {
    func figure(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "—" }
    var rows: [(label: String, cells: [String]?)] = [
      ("test accuracy", runs.map { run in run.testAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "—" }),
      ("claimed ε", runs.map { run in run.epsilonClaimed.map { String(format: "%.3f", $0) } ?? "none" }),
      (
        "ε lower bound",
        runs.map { run in
          guard let audit = run.audit else { return "—" }
          return figure(audit.epsilonLowerBound, "%.3f") + (audit.confidence.map { String(format: " at %.0f%%", 100 * $0) } ?? "")
        }
      ),
      ("  from", runs.map { $0.audit?.boundSource ?? "—" }),
      ("verdict", runs.map { $0.audit?.verdict ?? "audit off" }),
    ]
    for name in attackNames {
      rows.append((label: name, cells: nil))
      let attacks = runs.map { $0.audit?.attack(named: name) }
      rows.append(("  AUC", attacks.map { figure($0?.auc, "%.4f") }))
      rows.append(("  TPR at 1% FPR", attacks.map { figure($0?.truePositiveRates["0.01"], "%.4f") }))
      rows.append(("  TPR at 0.1% FPR", attacks.map { figure($0?.truePositiveRates["0.001"], "%.4f") }))
    }
    return rows
  }

  /// What the table cannot show: runs whose audit was off or came without `audit.json`.
  var notes: [String] {
    runs.compactMap { run in
      guard let audit = run.audit else { return "\(run.name): audit off (no audit.json, summary.json's audit is null)" }
      return audit.hasDetails ? nil : "\(run.name): no audit.json; figures from summary.json, no ROC curves"
    } + (runs.contains { $0.name != $0.recordedName } ? ["runs sharing a name are shown by their folder's name"] : [])
  }

  /// The terminal table: runs as columns, figures as rows, then the folders and notes.
  public func table() -> String {
    let rows = self.rows
    let labelWidth = max(16, rows.map(\.label.count).max() ?? 0) + 2
    let widths = runs.indices.map { index in
      max(runs[index].name.count, rows.compactMap { $0.cells?[index].count }.max() ?? 0) + 2
    }
    func line(_ label: String, _ cells: [String]) -> String {
      let padded = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined()
      return (label.padding(toLength: labelWidth, withPad: " ", startingAt: 0) + padded)
        .replacingOccurrences(of: " +$", with: "", options: .regularExpression)
    }
    var lines = [line("", runs.map(\.name))]
    lines += rows.map { line($0.label, $0.cells ?? []) }
    lines.append("")
    lines += runs.map { "\($0.name): \($0.folder)" }
    lines += notes.map { "note: " + $0 }
    return lines.joined(separator: "\n")
  }

  // MARK: - Writing

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
    try Self.writeAtomically(html(), to: directory + "/comparison.html")
    try Self.writeAtomically(json() + "\n", to: directory + "/comparison.json")
  }

  static func writeAtomically(_ contents: String, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let temporary = url.deletingLastPathComponent()
      .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)").path
    do {
      try RunFolder.fileOperation("write", temporary) { try Data(contents.utf8).write(to: URL(fileURLWithPath: temporary)) }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw PipelineError("\(path): cannot move into place: \(reason)", isInputError: false)
    }
  }
}
