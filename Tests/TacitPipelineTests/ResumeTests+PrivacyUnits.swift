import Foundation
import Testing

extension ResumeTests {
  static let fortunesAvailable = FileManager.default.fileExists(atPath: "/usr/share/games/fortunes/wisdom")

  /// A seeded user-level run (`privacy.unit: user`, secret canaries inserted 16 times), killed
  /// after two epochs and resumed, ends with the uninterrupted run's model: the units, their
  /// sampler and the steps per epoch (⌈U / batch⌉) are the same in every attempt.
  @Test(.enabled(if: fortunesAvailable)) func userLevelRunResumesToTheUninterruptedModel() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml",
      """
      version: 1
      name: killed-users
      seed: 3
      data: {source: text, format: fortune, files: [wisdom], max_bytes: 126, test_fraction: 0.2}
      model: {type: gpt2, width: 32, layers: 1, heads: 2, context: 64}
      training: {epochs: 6, batch_size: 16, optimizer: {type: adamw, learning_rate: 0.003}}
      privacy: {noise_multiplier: 1.0, max_grad_norm: 1.0, noise: seeded, unit: user}
      audit:
        reference_models: 0
        attacks: [loss]
        secrets: {format: "my PIN is {digits:2}", insertions: [16], per_insertion: 2}

      """)
    let reference = space.root.appendingPathComponent("reference")
    let uninterrupted = try CommandLineTool.run(["run", recipe, "--output", reference.path])
    #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")
    #expect(uninterrupted.standardError.contains("privacy unit: user."))
    _ = try runAndKill(["run", recipe, "--output", space.runFolder.path], afterEpochLines: 2)
    let resumed = try space.run(recipe, "--resume")
    #expect(resumed.status == 0, "\(resumed.standardError)")
    #expect(checkpointEpoch(resumed.standardError) >= 1, "\(resumed.standardError)")
    #expect(
      try Data(contentsOf: space.runFolder.appendingPathComponent("model.safetensors"))
        == Data(contentsOf: reference.appendingPathComponent("model.safetensors")))
    let privacy = try json(space.runFolder.appendingPathComponent("privacy.json"))
    let records = try #require(privacy["training_records"] as? Int)
    #expect(privacy["users"] as? Int == records - 30, "2 canaries of 16 copies: 32 records, 2 users")
  }
}
