import Foundation
import TacitData
import TacitRecipe
import TacitTensor
import TacitTraining

/// `tacit shadow`: trains one shard of a recipe's reference models, for `tacit audit merge`.
///
/// Reference model K depends only on the recipe and K (DESIGN.md §5): its half of the audit
/// records, initialisation, data order and seeded noise all come from split ("reference", K) of
/// the audit generator. So the K of a recipe can be trained anywhere, in any grouping: shard I of
/// N trains the K with K mod N = I, and `tacit audit merge` (which trains the target and audits
/// it) gives exactly the audit an unsharded `tacit run` gives for the same seed.
public enum ShadowPipeline {
  /// Shard `index` of `count` (0 ≤ index < count).
  public struct Shard: Equatable, Sendable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
      self.index = index
      self.count = count
    }
  }

  /// The shard `I/N` names (0 ≤ I < N, both whole numbers); `nil` for anything else.
  public static func shard(parsing flag: String) -> Shard? {
    let parts = flag.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index >= 0, index < count
    else { return nil }
    return Shard(index: index, count: count)
  }

  /// What is wrong with a `--shard` value that `shard(parsing:)` refuses.
  public static func shardFlagProblem(_ flag: String) -> String {
    "--shard must be I/N with 0 ≤ I < N, e.g. 0/4; got '\(flag)'"
  }

  /// The shard to train: `--shard I/N` when given; else Slurm's job-array variables
  /// (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT`); else a
  /// Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` of `shardCount`. Errors say what is missing
  /// and name the environment variable at fault (a set variable that is not a whole number
  /// included). `tacit shadow` checks the flag itself first, as a usage error.
  public static func shard(flag: String?, shardCount: Int?, environment: [String: String]) throws -> Shard {
    if let flag {
      guard let shard = shard(parsing: flag) else { throw PipelineError(shardFlagProblem(flag)) }
      return shard
    }
    /// The value of the environment variable `name` as a whole number; `nil` when unset.
    func integer(_ name: String) throws -> Int? {
      guard let text = environment[name] else { return nil }
      guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
        throw PipelineError("environment variable \(name) is '\(text)', not a whole number")
      }
      return value
    }
    if let task = try integer("SLURM_ARRAY_TASK_ID") {
      let minimum = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
      guard let count = try shardCount ?? integer("SLURM_ARRAY_TASK_COUNT") else {
        throw PipelineError("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; pass --shard-count N")
      }
      guard count >= 1 else {
        throw PipelineError("SLURM_ARRAY_TASK_COUNT is \(count); a job array has at least 1 task")
      }
      let index = task - minimum
      guard index >= 0, index < count else {
        throw PipelineError(
          "SLURM_ARRAY_TASK_ID \(task) (minimum \(minimum)) is outside the \(count) shards; submit the array as --array=0-\(count - 1)"
        )
      }
      return Shard(index: index, count: count)
    }
    if let index = try integer("JOB_COMPLETION_INDEX") {
      guard let count = shardCount, count >= 1 else {
        throw PipelineError("JOB_COMPLETION_INDEX is set: pass --shard-count N (the Indexed Job's completions)")
      }
      guard index >= 0, index < count else {
        throw PipelineError("JOB_COMPLETION_INDEX \(index) is outside the \(count) shards (--shard-count)")
      }
      return Shard(index: index, count: count)
    }
    throw PipelineError(
      "which shard? pass --shard I/N, or run under a Slurm job array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with --shard-count)"
    )
  }

  /// Checks that each of `folders` is a shard folder `tacit shadow` wrote: a `.tacit-run` marker
  /// of kind "shard", or (older shard folders, written before the marker) no marker and a
  /// `shard.json`. `tacit audit merge` calls it first, so that run folders or any other folders
  /// are refused before anything is trained; throws a `PipelineError` (an input error, exit 65)
  /// naming the first folder that is not one.
  public static func checkShardFolders(_ folders: [String]) throws {
    for folder in folders {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
        throw PipelineError("\(folder): no such shard folder")
      }
      guard isDirectory.boolValue else {
        throw PipelineError("\(folder): is a file, not a shard folder written by `tacit shadow`")
      }
      switch try RunFolderMarker.markedKind(of: folder) {
      case .shard: continue
      case .run:
        throw PipelineError(
          "\(folder): is a tacit run folder, not a shard folder; `tacit audit merge` takes the folders `tacit shadow` wrote")
      case nil:
        guard FileManager.default.fileExists(atPath: folder + "/shard.json") else {
          throw PipelineError(
            "\(folder): is not a shard folder written by `tacit shadow` (no \(RunFolderMarker.fileName) marker of kind "
              + "shard, no shard.json)")
        }
      }
    }
  }

  /// Trains the shard's reference models and writes the shard folder (atomically); returns a
  /// one-line summary.
  public static func run(
    recipePath: String, overrides: [String], shard: Shard, outputDirectory: String, threads: Int,
    log: (String) -> Void
  ) throws -> String {
    let start = TacitTraining.Clock.seconds()
    let recipe = try RunPipeline.loadRecipe(path: recipePath, overrides: overrides)
    let section = recipe.audit
    guard section.enabled, section.referenceModels > 0 else {
      throw PipelineError("audit.reference_models: \(recipePath) asks for no reference models, so there is nothing to shard")
    }
    guard recipe.distillation == nil else {
      throw PipelineError(
        "distillation: tacit shadow does not shard reference teacher/student pairs yet; run the recipe on one machine")
    }
    guard section.memberFraction < 1 else {
      throw PipelineError(
        "audit.member_fraction: 1 leaves no non-members, so the audit uses no reference models; nothing to shard")
    }
    BLAS.setThreadCount(1)
    Allocator.configureForTraining()
    let folder = try RunFolder(path: outputDirectory, kind: .shard, recipePath: recipePath)
    defer { folder.discard() }
    if let line = folder.staleFoldersLine { log(line) }
    let context = try RunContext.make(recipe)
    let trainingSet = context.targetTrainingSet
    let plan = try context.plan(for: recipe, on: trainingSet, units: context.units(of: trainingSet))
    let indices = ReferenceStore.indices(shard: shard.index, of: shard.count, referenceModels: section.referenceModels)
    log(
      "tacit shadow \(recipePath): shard \(shard.index)/\(shard.count) trains reference models "
        + (indices.isEmpty ? "none (more shards than reference models)" : indices.map(String.init).joined(separator: ", "))
        + " of \(section.referenceModels), \(threads) at a time")
    let references = try ReferenceTraining.train(
      indices: indices, recipe: recipe, targetPlan: plan, context: context, populationRecords: context.populationRecords,
      parallelism: threads, note: log)
    for reference in references {
      try folder.write(ReferenceStore.fileName(reference.index), data: ReferenceStore.encode(reference))
    }
    let resolved = recipe.resolvedYAML()
    let manifest = ReferenceStore.Manifest(
      recipeFingerprint: ReferenceStore.fingerprint(of: resolved), shardIndex: shard.index, shardCount: shard.count,
      referenceModels: section.referenceModels, references: indices)
    try folder.write("shard.json", manifest.json())
    try folder.write("recipe.yaml", resolved)
    try folder.commit()
    let line = String(
      format: "shard %d/%d: %d reference models in %.1f s → %@", shard.index, shard.count, indices.count,
      TacitTraining.Clock.seconds() - start, folder.path)
    log(line)
    return line
  }
}
