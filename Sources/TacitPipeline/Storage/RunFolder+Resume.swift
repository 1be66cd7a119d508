import Foundation

/// Resuming a run that a crash interrupted (`tacit run RECIPE --resume`).
///
/// A run trains in its staging folder `.NAME.partial-PID`, which holds, besides the files of a
/// run, the step ledger (`StepLedger`, rewritten before every epoch) and the last epoch's
/// checkpoint (`TrainingCheckpointFile`, rewritten after every epoch). When the process dies the
/// folder stays. Such a folder is *resumable*: its process has ended and it holds a step ledger.
///
/// - The clean-up of stale staging folders (`removeStaleStagingFolders`) keeps resumable folders
///   and says so: removing one would lose the steps its ledger counts and the epochs it trained.
/// - `--resume` takes the resumable folder beside the output whose ledger names the same recipe
///   fingerprint (the newest ledger when there are several), renames it to this process's
///   staging name (so no other run's clean-up takes it), and the run continues from its
///   checkpoint. A resumable folder of another recipe is refused, and so is an output with no
///   resumable folder at all.
/// - Before the run moves into place, the ledger and the checkpoint are removed
///   (`removeResumeFiles`): a finished run folder holds the same files as one never interrupted;
///   what the ledger counted is in privacy.json and summary.json.
extension RunFolder {
  /// The files a staging folder holds only while its run trains (the checkpoint, the step ledger
  /// and a private feature normalisation's release), with the temporary files of their atomic
  /// writes (`.checkpoint.safetensors.tmp-…`, `.steps-ledger.json.partial-…`).
  static func isResumeFile(_ name: String) -> Bool {
    let files = [TrainingCheckpointFile.fileName, StepLedger.fileName, FeatureNormRelease.fileName]
    return files.contains(name) || files.contains { name.hasPrefix(".\($0).tmp-") || name.hasPrefix(".\($0).partial-") }
  }

  /// Whether the staging folder at `path` holds a step ledger (its process's end makes it resumable).
  static func holdsStepLedger(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: path + "/" + StepLedger.fileName)
  }

  /// Finds the resumable staging folder beside the folder at `path` for the recipe with
  /// `fingerprint` and renames it to this process's staging name `staging`; returns its former
  /// name and its ledger. Throws an input error when there is none, or only ones of other recipes.
  static func claimInterruptedRun(beside path: String, fingerprint: String, as staging: String) throws
    -> (formerName: String, ledger: StepLedger)
  {
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent().path
    let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
    let ownProcess = ProcessInfo.processInfo.processIdentifier
    var candidates: [(name: String, ledger: StepLedger, modified: Date)] = []
    var otherRecipes: [String] = []
    for name in names.sorted() where name.hasPrefix(".\(url.lastPathComponent).partial-") {
      guard let process = stagingProcess(name, of: url.lastPathComponent), process != ownProcess, !isRunning(process),
        holdsStepLedger(parent + "/" + name), let ledger = try StepLedger.read(from: parent + "/" + name)
      else { continue }
      guard ledger.recipeFingerprint == fingerprint else {
        otherRecipes.append("\(name) (recipe fingerprint \(ledger.recipeFingerprint))")
        continue
      }
      let attributes = try? FileManager.default.attributesOfItem(atPath: parent + "/" + name + "/" + StepLedger.fileName)
      candidates.append((name, ledger, attributes?[.modificationDate] as? Date ?? .distantPast))
    }
    guard let newest = candidates.max(by: { $0.modified < $1.modified }) else {
      if !otherRecipes.isEmpty {
        throw PipelineError(
          "--resume: the interrupted run beside \(path) was made from another recipe: \(otherRecipes.joined(separator: ", ")); "
            + "this recipe's fingerprint is \(fingerprint). Resume with the same recipe file and --set values, or run without --resume"
        )
      }
      throw PipelineError(
        "--resume: nothing to resume for \(path): no staging folder .\(url.lastPathComponent).partial-PID of an ended run "
          + "with a step ledger beside it; run without --resume to start afresh")
    }
    try fileOperation("take over the interrupted run \(newest.name)", parent) {
      try FileManager.default.moveItem(atPath: parent + "/" + newest.name, toPath: staging)
    }
    return (newest.name, newest.ledger)
  }

  /// Removes the step ledger and the checkpoint from the staging folder (before `commit`).
  func removeResumeFiles() throws {
    for name in try RunFolderMarker.entries(of: stagingPath) where RunFolder.isResumeFile(name) {
      try RunFolder.fileOperation("remove", file(name)) { try FileManager.default.removeItem(atPath: file(name)) }
    }
  }
}
