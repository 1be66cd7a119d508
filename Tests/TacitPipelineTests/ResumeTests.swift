import Foundation
import Testing

/// `tacit run RECIPE --resume` after a SIGKILL at a random point (issue 12 item 5): the resumed
/// seeded run ends with the uninterrupted run's model and curves, and its privacy ledger counts
/// every step of every attempt, exactly: the uninterrupted run's T plus the steps of the epochs
/// the killed attempt started after its last checkpoint.
@Suite(.serialized) struct ResumeTests {
  /// About 100 DP-SGD steps per epoch on a model of 300k parameters (a few tenths of a second
  /// per epoch, so the kill lands inside the run), six epochs, seeded noise, gradient canaries.
  static let recipe = """
    version: 1
    name: killed
    seed: 21
    data:
      source: synthetic
      synthetic:
        classes: 4
        features: 64
        samples: 4000
    model:
      - type: dense
        units: 512
      - type: relu
      - type: dense
        units: 512
      - type: relu
      - type: dense
        units: 4
    training:
      epochs: 6
      batch_size: 16
      optimizer:
        type: sgd
        learning_rate: 0.02
        momentum: 0.9
    privacy:
      noise_multiplier: 1.0
      max_grad_norm: 1.0
      noise: seeded
    audit:
      reference_models: 0
      canaries:
        count: 20
        kind: gradient

    """

  /// The files of a finished run folder (no checkpoint, no ledger).
  static let runFiles = [
    ".tacit-run", "audit.json", "log.txt", "metrics.json", "model.safetensors", "privacy.json", "recipe.yaml",
    "report.html", "summary.json",
  ]

  /// Starts `tacit run` with `arguments`, waits until its standard error holds `epochLines` epoch
  /// lines, then kills it with SIGKILL; returns its standard error so far. Fails when the run
  /// ended before the kill.
  func runAndKill(_ arguments: [String], afterEpochLines epochLines: Int) throws -> String {
    let scratch = try CommandLineTool.temporaryDirectory("killed-output")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let errorURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
    let error = try FileHandle(forWritingTo: errorURL)
    let process = Process()
    process.executableURL = CommandLineTool.executableURL
    process.arguments = arguments
    process.currentDirectoryURL = CommandLineTool.packageRoot
    process.standardOutput = FileHandle.nullDevice
    process.standardError = error
    try process.run()
    var text = ""
    while process.isRunning {
      text = String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
      if text.split(separator: "\n").filter({ $0.hasPrefix("epoch ") }).count >= epochLines { break }
      usleep(2000)
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try error.close()
    #expect(process.terminationReason == .uncaughtSignal, "the run ended before the kill: \(text)")
    return text
  }

  func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  /// metrics.json without the per-epoch timings.
  func curves(_ folder: URL) throws -> [[String: Any]] {
    let epochs = try #require(try json(folder.appendingPathComponent("metrics.json"))["epochs"] as? [[String: Any]])
    return epochs.map { $0.filter { $0.key != "seconds" } }
  }

  /// The hidden staging folders beside `folder`.
  func stagingFolders(beside folder: URL) throws -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path)) ?? []
    return names.filter { $0.hasPrefix(".\(folder.lastPathComponent).partial-") }
  }

  /// The killed attempt's started epochs, from the step ledger in its staging folder.
  func startedEpochs(beside folder: URL) throws -> [Int] {
    let staging = try #require(try stagingFolders(beside: folder).first, "the killed run's staging folder stays")
    let ledger = try json(folder.deletingLastPathComponent().appendingPathComponent(staging + "/steps-ledger.json"))
    let attempts = try #require(ledger["attempts"] as? [[String: Any]])
    return try #require(attempts.last?["started_epochs"] as? [Int])
  }

  /// The checkpoint epoch the resumed run reports in its log.
  func checkpointEpoch(_ log: String) -> Int {
    guard let range = log.range(of: "its checkpoint holds epoch ") else { return 0 }
    return Int(log[range.upperBound...].prefix { $0.isNumber }) ?? 0
  }

  @Test func seededRunKilledAtARandomEpochAndResumedEndsWithTheUninterruptedModel() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.recipe)
    let reference = space.root.appendingPathComponent("reference")
    let uninterrupted = try CommandLineTool.run(["run", recipe, "--output", reference.path])
    #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: reference.path).sorted() == Self.runFiles)

    let killAfter = Int.random(in: 1...4)
    let killed = try runAndKill(["run", recipe, "--output", space.runFolder.path], afterEpochLines: killAfter)
    let started = try startedEpochs(beside: space.runFolder)
    #expect(started == Array(1...started.count) && started.count >= killAfter, "kill after \(killAfter) lines: \(killed)")

    let resumed = try space.run(recipe, "--resume")
    #expect(resumed.status == 0, "\(resumed.standardError)")
    let checkpoint = checkpointEpoch(resumed.standardError)
    #expect(checkpoint >= killAfter - 1 && checkpoint <= started.count, "checkpoint \(checkpoint), started \(started)")
    #expect(
      try Data(contentsOf: space.runFolder.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: reference.appendingPathComponent("model.safetensors")),
      "killed after \(killAfter) epoch lines, resumed from epoch \(checkpoint)")
    #expect(NSArray(array: try curves(space.runFolder)).isEqual(to: try curves(reference)))
    #expect(try FileManager.default.contentsOfDirectory(atPath: space.runFolder.path).sorted() == Self.runFiles)
    #expect(try stagingFolders(beside: space.runFolder).isEmpty)

    // The ledger: the uninterrupted T plus the epochs the killed attempt started after its checkpoint.
    let planned = try json(reference.appendingPathComponent("privacy.json"))
    let counted = try json(space.runFolder.appendingPathComponent("privacy.json"))
    let plannedSteps = try #require(planned["steps"] as? Int)
    let stepsPerEpoch = try #require(planned["steps_per_epoch"] as? Int)
    let extra = (started.count - checkpoint) * stepsPerEpoch
    #expect(counted["steps"] as? Int == plannedSteps + extra)
    #expect((counted["steps"] as? Int ?? 0) >= plannedSteps)
    let summary = try json(space.runFolder.appendingPathComponent("summary.json"))
    let privacy = try #require(summary["privacy"] as? [String: Any])
    if extra > 0 {
      #expect(counted["resumed_extra_steps"] as? Int == extra)
      #expect(privacy["resumed_extra_steps"] as? Int == extra)
      #expect(resumed.standardError.contains("resumed after an interruption: \(extra) extra steps counted"))
      #expect(try #require(counted["claimed_epsilon"] as? Double) > (try #require(planned["claimed_epsilon"] as? Double)))
    } else {
      #expect(counted["claimed_epsilon"] as? Double == planned["claimed_epsilon"] as? Double)
    }
  }

  @Test func resumeRefusesAnotherRecipeAndAFreshRunKeepsTheInterruptedOne() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.recipe)
    _ = try runAndKill(["run", recipe, "--output", space.runFolder.path], afterEpochLines: 2)
    let interrupted = try stagingFolders(beside: space.runFolder)
    #expect(interrupted.count == 1)

    let changed = try space.run(recipe, "--resume", "--set", "training.epochs=7")
    #expect(changed.status == 65, "\(changed.standardError)")
    #expect(changed.standardError.contains("was made from another recipe"), "\(changed.standardError)")
    #expect(try stagingFolders(beside: space.runFolder) == interrupted, "a refused resume leaves the interrupted run")

    let fresh = try space.run(recipe, "--set", "training.epochs=1")
    #expect(fresh.status == 0, "\(fresh.standardError)")
    #expect(fresh.standardError.contains("kept \(interrupted[0]) (interrupted runs"), "\(fresh.standardError)")
    #expect(try stagingFolders(beside: space.runFolder) == interrupted, "the clean-up keeps a resumable folder")

    let resumed = try space.run(recipe, "--resume")
    #expect(resumed.status == 0, "\(resumed.standardError)")
    #expect(try stagingFolders(beside: space.runFolder).isEmpty)
  }

  @Test func nothingToResumeIsRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.recipe)
    let outcome = try space.run(recipe, "--resume")
    #expect(outcome.status == 65)
    #expect(outcome.standardError.contains("--resume: nothing to resume for"), "\(outcome.standardError)")
    #expect(!FileManager.default.fileExists(atPath: space.runFolder.path))
    #expect(try stagingFolders(beside: space.runFolder).isEmpty)
  }

  /// Under secure noise the resumed epochs draw fresh noise (never replayed): the run completes,
  /// says so, and counts the re-run steps.
  @Test func secureNoiseResumesWithFreshNoiseAndCountsEveryStep() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("recipe.yaml", Self.recipe.replacingOccurrences(of: "noise: seeded", with: "noise: secure"))
    _ = try runAndKill(["run", recipe, "--output", space.runFolder.path], afterEpochLines: 2)
    let started = try startedEpochs(beside: space.runFolder)
    let resumed = try space.run(recipe, "--resume")
    #expect(resumed.status == 0, "\(resumed.standardError)")
    #expect(resumed.standardError.contains("noise is never replayed"))
    let checkpoint = checkpointEpoch(resumed.standardError)
    let privacy = try json(space.runFolder.appendingPathComponent("privacy.json"))
    let stepsPerEpoch = try #require(privacy["steps_per_epoch"] as? Int)
    #expect(
      privacy["steps"] as? Int == (6 + started.count - checkpoint) * stepsPerEpoch, "started \(started), checkpoint \(checkpoint)"
    )
    #expect(privacy["noise"] as? String == "secure")
  }
}
