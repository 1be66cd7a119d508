import Foundation
import TacitAudit

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
/// Reading the folders and writing the comparison's files is the pipeline's storage
/// (`RunComparison+Reading.swift`, `RunComparison+Writing.swift` in TacitPipeline); errors name the
/// folder or file.
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

    public init(
      name: String, auc: Double?, advantage: Double?, truePositiveRates: [String: Double],
      roc: [(falsePositiveRate: Double, truePositiveRate: Double)]
    ) {
      self.name = name
      self.auc = auc
      self.advantage = advantage
      self.truePositiveRates = truePositiveRates
      self.roc = roc
    }
  }

  /// A run's audit: verdict, bound and attacks.
  public struct Audit: Sendable {
    /// The recorded verdict (`PASS`, `VIOLATION`, `UNTESTABLE`, `MEASURED` or `NONE` in the files).
    public var verdict: AuditVerdict
    public var epsilonLowerBound: Double?
    /// The confidence of `epsilonLowerBound`, e.g. 0.95.
    public var confidence: Double?
    /// Which attack or canary audit gave the bound (`audit.json`'s `bound_source`), if recorded.
    public var boundSource: String?
    /// The attacks in the recipe schema's order (unknown names after, alphabetically).
    public var attacks: [Attack]
    /// Whether the audit came from `audit.json` (with ROC curves) rather than `summary.json`.
    public var hasDetails: Bool

    public init(
      verdict: AuditVerdict, epsilonLowerBound: Double?, confidence: Double?, boundSource: String?, attacks: [Attack],
      hasDetails: Bool
    ) {
      self.verdict = verdict
      self.epsilonLowerBound = epsilonLowerBound
      self.confidence = confidence
      self.boundSource = boundSource
      self.attacks = attacks
      self.hasDetails = hasDetails
    }

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
    /// Test accuracy (next-token accuracy for a language model).
    public var testAccuracy: Double?
    /// A language model's test bits per byte and perplexity; `nil` for other models.
    public var testBitsPerByte: Double?
    public var testPerplexity: Double?
    /// The ε claimed for the audited records: the run's privacy account (the audit's
    /// `epsilon_claimed` when it has one; a distillation student's own ε covers other records);
    /// `nil` when no claim covers them.
    public var epsilonClaimed: Double?
    /// `nil` when the audit was turned off.
    public var audit: Audit?

    /// A run shown by its recorded name (`RunComparison.init` renames runs sharing a name).
    public init(
      recordedName: String, folder: String, testAccuracy: Double?, epsilonClaimed: Double?, audit: Audit?,
      testBitsPerByte: Double? = nil, testPerplexity: Double? = nil
    ) {
      self.testBitsPerByte = testBitsPerByte
      self.testPerplexity = testPerplexity
      self.name = recordedName
      self.recordedName = recordedName
      self.folder = folder
      self.testAccuracy = testAccuracy
      self.epsilonClaimed = epsilonClaimed
      self.audit = audit
    }
  }

  public let runs: [Run]
  /// Attack names in the order rows and charts show them (the recipe schema's order); names not
  /// in it come after, alphabetically.
  public let attackOrder: [String]

  /// Runs compared in the given order, each shown by its recorded name, or by its folder's name
  /// when another run has the same name, or by its folder's path when folder names collide too.
  public init(runs: [Run], attackOrder: [String]) {
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
    self.attackOrder = attackOrder
  }

  /// Every attack of any run, in `attackOrder`, unknown names after.
  public var attackNames: [String] {
    Self.ordered(Set(runs.flatMap { $0.audit?.attacks.map(\.name) ?? [] }), by: attackOrder)
  }

  /// `names` in the order of `known`, then the others alphabetically.
  public static func ordered(_ names: Set<String>, by known: [String]) -> [String] {
    known.filter(names.contains) + names.subtracting(known).sorted()
  }
}
