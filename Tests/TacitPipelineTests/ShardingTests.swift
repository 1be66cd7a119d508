import Foundation
import Testing

/// Reference models trained in shards by separate processes, merged: the same audit as one
/// unsharded run with the same seed.
@Suite(.serialized) struct ShardingTests {
  static let recipe = """
    version: 1
    name: sharded
    seed: 9
    data:
      source: synthetic
      synthetic:
        classes: 3
        features: 8
        samples: 400
        separation: 1.5
    model:
      - type: dense
        units: 32
      - type: relu
      - type: dense
        units: 3
    training:
      epochs: 20
      batch_size: 16
      optimizer:
        type: adam
        learning_rate: 0.01
    audit:
      reference_models: 5
      bootstrap: 10
      population_size: 50

    """

  func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  @Test func mergedShardsEqualTheUnshardedRun() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("sharded.yaml", Self.recipe)
    let unsharded = space.root.appendingPathComponent("unsharded")
    let whole = try CommandLineTool.run(["run", recipe, "--output", unsharded.path])
    #expect(whole.status == 0, "\(whole.standardError)")
    // Each reference model is announced as it finishes.
    for index in 0..<5 { #expect(whole.standardError.contains("reference model \(index) trained (")) }
    #expect(whole.standardError.contains("(5 of 5, "))

    // Shard 0 from the flag, shard 1 from Slurm's job-array variables: separate processes.
    let shard0 = space.root.appendingPathComponent("shard0"), shard1 = space.root.appendingPathComponent("shard1")
    let first = try CommandLineTool.run(["shadow", recipe, "--shard", "0/2", "--output", shard0.path])
    #expect(first.status == 0, "\(first.standardError)")
    #expect(first.standardError.contains("reference model 4 trained (3 of 3, "), "\(first.standardError)")
    let second = try CommandLineTool.run(
      ["shadow", recipe, "--output", shard1.path],
      environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "2"])
    #expect(second.status == 0, "\(second.standardError)")
    let manifest0 = try json(shard0.appendingPathComponent("shard.json"))
    let manifest1 = try json(shard1.appendingPathComponent("shard.json"))
    #expect(manifest0["references"] as? [Int] == [0, 2, 4])
    #expect(manifest1["references"] as? [Int] == [1, 3])
    // Each folder is marked with its kind; a run never replaces a shard folder, nor a shard a run.
    #expect(
      try String(contentsOf: shard0.appendingPathComponent(".tacit-run"), encoding: .utf8)
        == "{\"format\": \"tacit-folder-1\", \"kind\": \"shard\"}\n")
    let runOverShard = try CommandLineTool.run(["run", recipe, "--output", shard0.path])
    #expect(runOverShard.status == 65, "\(runOverShard.standardError)")
    #expect(runOverShard.standardError.contains("is a tacit shard folder, not a tacit run folder"))
    let shardOverRun = try CommandLineTool.run(["shadow", recipe, "--shard", "0/2", "--output", unsharded.path])
    #expect(shardOverRun.status == 65, "\(shardOverRun.standardError)")
    #expect(shardOverRun.standardError.contains("is a tacit run folder, not a tacit shard folder"))

    let merged = space.root.appendingPathComponent("merged")
    let merge = try CommandLineTool.run(["audit", "merge", shard0.path, shard1.path, "--output", merged.path])
    #expect(merge.status == 0, "\(merge.standardError)")
    #expect(merge.standardError.contains("5 reference models read from 2 shard folder(s)"))
    // The same target and the same audit, byte for byte.
    #expect(
      try Data(contentsOf: merged.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: unsharded.appendingPathComponent("model.safetensors")))
    #expect(
      try Data(contentsOf: merged.appendingPathComponent("audit.json"))
        == Data(contentsOf: unsharded.appendingPathComponent("audit.json")))
    let audit = try json(merged.appendingPathComponent("audit.json"))
    #expect((audit["population"] as? [String: Any])?["reference_models"] as? Int == 5)

    // A Kubernetes Indexed Job's index gives the same shard as the flag.
    let indexed = space.root.appendingPathComponent("indexed0")
    let job = try CommandLineTool.run(
      ["shadow", recipe, "--shard-count", "2", "--output", indexed.path], environment: ["JOB_COMPLETION_INDEX": "0"])
    #expect(job.status == 0, "\(job.standardError)")
    for index in [0, 2, 4] {
      #expect(
        try Data(contentsOf: indexed.appendingPathComponent("reference-\(index).bin"))
          == Data(contentsOf: shard0.appendingPathComponent("reference-\(index).bin")))
    }
  }

  @Test func incompleteOrMismatchedShardsAreRefused() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("sharded.yaml", Self.recipe)
    let shard0 = space.root.appendingPathComponent("shard0")
    #expect(try CommandLineTool.run(["shadow", recipe, "--shard", "0/2", "--output", shard0.path]).status == 0)
    let missing = try CommandLineTool.run(
      ["audit", "merge", shard0.path, "--output", space.root.appendingPathComponent("m").path])
    #expect(missing.status == 65)
    #expect(missing.standardError.contains("reference models 1, 3 are missing"), "\(missing.standardError)")
    // A shard of another seed cannot be mixed in.
    let other = space.root.appendingPathComponent("other")
    #expect(
      try CommandLineTool.run(["shadow", recipe, "--shard", "1/2", "--set", "seed=10", "--output", other.path]).status == 0)
    let mixed = try CommandLineTool.run(
      ["audit", "merge", shard0.path, other.path, "--output", space.root.appendingPathComponent("m").path])
    #expect(mixed.status == 65)
    #expect(mixed.standardError.contains("trained for another recipe"), "\(mixed.standardError)")
    // No shard given at all.
    let noShard = try CommandLineTool.run(["shadow", recipe, "--output", other.path])
    #expect(noShard.status == 65 && noShard.standardError.contains("which shard?"), "\(noShard.standardError)")
  }

  /// A bad `--shard` value is a usage error (64); a bad environment variable is an input error
  /// (65) naming the variable. Both before anything is trained.
  @Test func badShardFlagExits64AndBadEnvironmentNamesTheVariable() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write("sharded.yaml", Self.recipe)
    let output = space.root.appendingPathComponent("shard").path
    for flag in ["5/3", "1", "-1/3", "a/b", "0/0"] {
      let outcome = try CommandLineTool.run(["shadow", recipe, "--shard", flag, "--output", output])
      #expect(outcome.status == 64, "\(flag): \(outcome.standardError)")
      #expect(
        outcome.standardError.contains("--shard must be I/N with 0 ≤ I < N, e.g. 0/4; got '\(flag)'"),
        "\(flag): \(outcome.standardError)")
    }
    for (variables, message) in [
      (
        ["SLURM_ARRAY_TASK_ID": "first", "SLURM_ARRAY_TASK_COUNT": "2"],
        "environment variable SLURM_ARRAY_TASK_ID is 'first', not a whole number"
      ),
      (
        ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "two"],
        "environment variable SLURM_ARRAY_TASK_COUNT is 'two', not a whole number"
      ),
      (
        ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "0"],
        "SLURM_ARRAY_TASK_COUNT is 0; a job array has at least 1 task"
      ),
      (["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "2"], "SLURM_ARRAY_TASK_ID 4 (minimum 0) is outside the 2 shards"),
      (["JOB_COMPLETION_INDEX": "x"], "environment variable JOB_COMPLETION_INDEX is 'x', not a whole number"),
    ] {
      let outcome = try CommandLineTool.run(["shadow", recipe, "--output", output], environment: variables)
      #expect(outcome.status == 65, "\(variables): \(outcome.standardError)")
      #expect(outcome.standardError.contains(message), "\(variables): \(outcome.standardError)")
    }
    #expect(!FileManager.default.fileExists(atPath: output))
  }

  /// `tacit audit merge` refuses run folders and other folders that are not shard folders, naming
  /// the folder, before training anything.
  @Test func mergeRefusesFoldersThatAreNotShards() throws {
    let space = try Workspace()
    defer { space.remove() }
    // Two folders shaped like run folders (marker of kind run), and one with no marker at all.
    var folders: [String] = []
    for (name, marker) in [("run1", "run"), ("run2", "run"), ("plain", nil)] as [(String, String?)] {
      let folder = space.root.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data(Self.recipe.utf8).write(to: folder.appendingPathComponent("recipe.yaml"))
      if let marker {
        try Data("{\"format\": \"tacit-folder-1\", \"kind\": \"\(marker)\"}\n".utf8).write(
          to: folder.appendingPathComponent(".tacit-run"))
        try Data("{}".utf8).write(to: folder.appendingPathComponent("summary.json"))
      }
      folders.append(folder.path)
    }
    let merged = space.root.appendingPathComponent("merged").path
    let runs = try CommandLineTool.run(["audit", "merge", folders[0], folders[1], "--output", merged])
    #expect(runs.status == 65, "\(runs.standardError)")
    #expect(
      runs.standardError.contains(
        "\(folders[0]): is a tacit run folder, not a shard folder; `tacit audit merge` takes the folders `tacit shadow` wrote"),
      "\(runs.standardError)")
    let plain = try CommandLineTool.run(["audit", "merge", folders[2], "--output", merged])
    #expect(plain.status == 65, "\(plain.standardError)")
    #expect(
      plain.standardError.contains(
        "\(folders[2]): is not a shard folder written by `tacit shadow` (no .tacit-run marker of kind shard, no shard.json)"),
      "\(plain.standardError)")
    let missing = try CommandLineTool.run([
      "audit", "merge", space.root.appendingPathComponent("nowhere").path, "--output", merged,
    ])
    #expect(missing.status == 65 && missing.standardError.contains("nowhere: no such shard folder"), "\(missing.standardError)")
    #expect(!FileManager.default.fileExists(atPath: merged))
  }
}
