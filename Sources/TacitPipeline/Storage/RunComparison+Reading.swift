import Foundation
import TacitAudit
import TacitRecipe
import TacitReport

/// Reading run folders for `tacit compare` and a distillation run's comparison.
///
/// Each run folder gives `summary.json` (name, test accuracy, the privacy claim, and the audit's
/// summary when the audit ran) and `audit.json` (the audit with its ROC curves; absent when the
/// recipe turned the audit off). Errors name the folder or file: a missing folder, a folder
/// without `summary.json`, malformed JSON, a key of the wrong type or an unknown verdict are
/// `PipelineError` input errors (exit 65).
extension RunComparison {
  /// The recipe schema's attacks, the order of the comparison's rows and charts.
  static let schemaAttackOrder = AuditSection.Attack.allCases.map(\.rawValue)

  /// Runs compared in the given order, attacks in the recipe schema's order.
  init(runs: [Run]) {
    self.init(runs: runs, attackOrder: Self.schemaAttackOrder)
  }

  /// Reads the run folders `folders` (paths as the user gave them) in order.
  public init(folders: [String]) throws {
    self.init(runs: try folders.map(Self.readRun))
  }

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
    // A language model's figures (absent for other models).
    let bitsPerByte =
      summary.root["test_bits_per_byte"] == nil ? nil : try summary.number("test_bits_per_byte", in: summary.root)
    let perplexity =
      summary.root["test_perplexity"] == nil ? nil : try summary.number("test_perplexity", in: summary.root)
    return Run(
      recordedName: name, folder: folder.path, testAccuracy: testAccuracy, epsilonClaimed: epsilonClaimed,
      audit: audit, testBitsPerByte: bitsPerByte, testPerplexity: perplexity)
  }

  /// An audit object (`audit.json`, or `summary.json`'s `audit` at `prefix` "audit.").
  static func readAudit(_ object: [String: Any], prefix: String, file: JSONFile, details: Bool) throws -> Audit {
    let attackObjects = try file.object("attacks", in: object, path: prefix + "attacks")
    let detailObjects = details ? try file.optionalObject("attack_details", in: object) ?? [:] : [:]
    let attacks = try ordered(Set(attackObjects.keys), by: schemaAttackOrder).map { name -> Attack in
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
    let verdictText = try file.string("verdict", in: object, path: prefix + "verdict")
    guard let verdict = AuditVerdict(rawValue: verdictText) else {
      throw PipelineError(
        "\(file.path): `\(prefix)verdict` is '\(verdictText)', not one of "
          + AuditVerdict.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return Audit(
      verdict: verdict,
      epsilonLowerBound: try file.number("epsilon_lower_bound", in: object, path: prefix + "epsilon_lower_bound"),
      confidence: try file.number("confidence", in: object, path: prefix + "confidence"),
      boundSource: object["bound_source"] as? String, attacks: attacks, hasDetails: details)
  }
}
