import Foundation

/// The ledger of DP-SGD epochs a run has started, kept in its staging folder
/// (`steps-ledger.json`) while it trains, so that a run resumed after a crash counts every step
/// of every attempt.
///
/// Before an epoch's first step the run appends the epoch to its attempt and rewrites the file
/// atomically: a kill at any point inside the epoch leaves the whole epoch counted
/// (pessimistically: the killed attempt released nothing, but its steps touched the data and are
/// counted anyway). A resumed attempt starts again after its checkpoint's epoch, so the epochs
/// the killed attempt started after its last checkpoint are taken twice; the extra steps are
/// `(epochs started, all attempts) − (distinct epochs started)` times the steps per epoch, and the
/// run's accountants count the planned T plus those (`PrivacyPlan.counting(extraSteps:)`).
///
/// The file: `{"format": "tacit-step-ledger-1", "recipe_fingerprint": …, "steps_per_epoch": S,
/// "attempts": [{"process": PID, "resumed_after_epoch": E, "started_epochs": [E+1, …]}, …]}`.
struct StepLedger: Codable, Equatable {
  /// One attempt: a process that trained the run, from the epoch after `resumedAfterEpoch`.
  struct Attempt: Codable, Equatable {
    var process: Int32
    /// The checkpoint's epoch it resumed from (0: from the start).
    var resumedAfterEpoch: Int
    var startedEpochs: [Int]

    enum CodingKeys: String, CodingKey {
      case process
      case resumedAfterEpoch = "resumed_after_epoch"
      case startedEpochs = "started_epochs"
    }
  }

  static let fileName = "steps-ledger.json"
  static let currentFormat = "tacit-step-ledger-1"

  var format = StepLedger.currentFormat
  /// `ReferenceStore.fingerprint(of:)` of the resolved recipe the run trains.
  var recipeFingerprint: String
  var stepsPerEpoch: Int
  var attempts: [Attempt]

  enum CodingKeys: String, CodingKey {
    case format
    case recipeFingerprint = "recipe_fingerprint"
    case stepsPerEpoch = "steps_per_epoch"
    case attempts
  }

  /// Every epoch started by every attempt, in order.
  var startedEpochs: [Int] { attempts.flatMap(\.startedEpochs) }

  /// The steps taken again because an attempt was interrupted (see the type's description).
  var extraSteps: Int { (startedEpochs.count - Set(startedEpochs).count) * stepsPerEpoch }

  /// Starts this process's attempt, resuming after `epoch` (0: from the start).
  mutating func startAttempt(resumedAfterEpoch epoch: Int) {
    attempts.append(
      Attempt(process: ProcessInfo.processInfo.processIdentifier, resumedAfterEpoch: epoch, startedEpochs: []))
  }

  /// Records that the current attempt is about to take the steps of `epoch`.
  mutating func recordStart(of epoch: Int) {
    precondition(!attempts.isEmpty, "an epoch starts within an attempt")
    attempts[attempts.count - 1].startedEpochs.append(epoch)
  }

  /// Writes the ledger into the staging folder `folder` atomically.
  func write(into folder: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try RunFolder.fileOperation("encode the step ledger", folder) { try encoder.encode(self) }
    try AtomicFile.write(String(decoding: data, as: UTF8.self) + "\n", to: folder + "/" + StepLedger.fileName)
  }

  /// The ledger in `folder`, `nil` when it holds none; throws a `PipelineError` for a file that
  /// is not a ledger this version reads.
  static func read(from folder: String) throws -> StepLedger? {
    let path = folder + "/" + fileName
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    guard let ledger = try? JSONDecoder().decode(StepLedger.self, from: data), ledger.format == currentFormat,
      ledger.stepsPerEpoch >= 1
    else {
      throw PipelineError("\(path): not a step ledger this version of tacit reads (format \(currentFormat)); cannot resume")
    }
    return ledger
  }
}
