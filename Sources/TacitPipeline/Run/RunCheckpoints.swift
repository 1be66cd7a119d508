import Foundation
import TacitReport
import TacitTraining

/// The per-epoch checkpoints and the step ledger of a plain run's target training, in its
/// staging folder (`RunFolder+Resume.swift`): where a resumed run continues from, and what it
/// records while it trains.
///
/// Before each epoch the ledger records the epoch (`StepLedger`, rewritten atomically); after it,
/// the trainer's checkpoint is rewritten atomically (`TrainingCheckpointFile`). Both are removed
/// before the run folder moves into place. Cost per epoch: one small JSON file and one
/// safetensors file of a few copies of the parameters, each written to a temporary file and
/// renamed; `writeSeconds` adds up the time spent.
final class RunCheckpoints {
  let folder: RunFolder
  /// `ReferenceStore.fingerprint(of:)` of the resolved recipe.
  let fingerprint: String
  /// The checkpoint of the interrupted attempt (`nil` for a fresh run, or when the attempt was
  /// killed before its first epoch ended).
  let resumeFrom: TrainerCheckpoint?
  private(set) var ledger: StepLedger
  /// Seconds spent writing the ledger and the checkpoints, and how many checkpoints were written.
  private(set) var writeSeconds = 0.0
  private(set) var checkpointsWritten = 0

  /// Opens the ledger for this attempt: a new one, or the interrupted run's (`folder.resumed`)
  /// with its checkpoint read and checked against `fingerprint`; records the attempt.
  ///
  /// - Throws: `PipelineError` when the interrupted run's ledger counts another number of steps
  ///   per epoch, or its checkpoint is unreadable or of another recipe.
  init(folder: RunFolder, fingerprint: String, stepsPerEpoch: Int) throws {
    self.folder = folder
    self.fingerprint = fingerprint
    if let resumed = folder.resumed {
      guard resumed.ledger.stepsPerEpoch == stepsPerEpoch else {
        throw PipelineError(
          "\(folder.file(StepLedger.fileName)): the interrupted run took \(resumed.ledger.stepsPerEpoch) steps per epoch, "
            + "this one takes \(stepsPerEpoch); cannot resume")
      }
      ledger = resumed.ledger
      resumeFrom = try TrainingCheckpointFile.read(from: folder.stagingPath, fingerprint: fingerprint)
    } else {
      ledger = StepLedger(recipeFingerprint: fingerprint, stepsPerEpoch: stepsPerEpoch, attempts: [])
      resumeFrom = nil
    }
    ledger.startAttempt(resumedAfterEpoch: resumeFrom?.state.epoch ?? 0)
    try timed { try ledger.write(into: folder.stagingPath) }
  }

  /// The trainer's hooks: record each epoch in the ledger before it starts, write each checkpoint.
  var trainerCheckpoints: TrainerCheckpoints {
    TrainerCheckpoints(
      resumeFrom: resumeFrom,
      epochStarting: { [self] epoch in
        ledger.recordStart(of: epoch)
        try timed { try ledger.write(into: folder.stagingPath) }
      },
      epochEnded: { [self] checkpoint in
        try timed { try TrainingCheckpointFile.write(checkpoint, fingerprint: fingerprint, into: folder.stagingPath) }
        checkpointsWritten += 1
      })
  }

  /// The steps the interrupted attempts took that this run takes again (`StepLedger.extraSteps`).
  var extraSteps: Int { ledger.extraSteps }

  /// The log lines of a resumed run before training: what it took over, and the epochs its
  /// checkpoint holds (their lines as the interrupted attempt logged them).
  func resumeLines(secureNoise: Bool) -> [String] {
    guard let resumed = folder.resumed else { return [] }
    let previous = ledger.attempts.dropLast()
    var lines = [
      "resuming the interrupted run \(resumed.formerName) (attempt \(ledger.attempts.count)): "
        + (resumeFrom.map { "its checkpoint holds epoch \($0.state.epoch)" } ?? "it was killed before its first checkpoint")
        + "; the earlier attempts started epochs \(previous.flatMap(\.startedEpochs).map(String.init).joined(separator: ", "))"
        + " and released nothing, but their steps count"
    ]
    if secureNoise {
      lines.append(
        "privacy.noise: secure — the resumed epochs draw fresh secure noise and batches (noise is never replayed), "
          + "so the model is not the one the interrupted attempt would have finished; every step is counted")
    }
    for metrics in resumeFrom?.state.epochs ?? [] { lines.append(EpochLine.format(metrics) + "  [from the checkpoint]") }
    return lines
  }

  /// The log line after training: checkpoints written and the time they took.
  var overheadLine: String {
    String(
      format: "checkpoints: %d written into the staging folder in %.3f s (with the step ledger)", checkpointsWritten, writeSeconds
    )
  }

  private func timed(_ body: () throws -> Void) throws {
    let start = Clock.seconds()
    defer { writeSeconds += Clock.seconds() - start }
    try body()
  }
}
