import Foundation
import Testing

extension ResumeTests {
  static let fashionMNISTAvailable = FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

  /// A secure-noise run with `data.features.private_norm`, killed after two epochs and resumed,
  /// standardises with the release its killed attempt wrote into the staging folder (made and
  /// counted once, not drawn again with fresh secure noise), and privacy.json holds that release.
  @Test(.enabled(if: fashionMNISTAvailable)) func privateNormReleaseIsReusedWhenResuming() throws {
    let space = try Workspace()
    defer { space.remove() }
    let recipe = try space.write(
      "recipe.yaml",
      """
      version: 1
      name: killed-norm
      seed: 5
      data:
        source: fashion_mnist
        train_size: 3000
        test_size: 100
        flatten: true
        features:
          scattering: {scales: 2, orientations: 8}
          private_norm: {noise_multiplier: 8, mean_clip: 0.3, square_clip: 0.15}
      model: [{type: dense, units: 512}, {type: relu}, {type: dense, units: 10}]
      training: {epochs: 6, batch_size: 16, optimizer: {type: sgd, learning_rate: 0.02}}
      privacy: {noise_multiplier: 1.0, max_grad_norm: 1.0, noise: secure}
      audit: {reference_models: 0}

      """)
    _ = try runAndKill(["run", recipe, "--output", space.runFolder.path], afterEpochLines: 2)
    let staging = try #require(try stagingFolders(beside: space.runFolder).first, "the killed run's staging folder stays")
    let saved = try json(space.outputParent.appendingPathComponent(staging + "/feature-norm-release.json"))
    let savedMean = try #require(saved["mean"] as? [Double])
    #expect(savedMean.count == 81)
    let resumed = try space.run(recipe, "--resume")
    #expect(resumed.status == 0, "\(resumed.standardError)")
    #expect(resumed.standardError.contains("(the interrupted attempt's release, reused: released once)"))
    let privacy = try json(space.runFolder.appendingPathComponent("privacy.json"))
    let normalization = try #require(privacy["feature_normalization"] as? [String: Any])
    // The same numbers up to JSON parsing's last bit (a fresh secure release would differ by
    // σ_n·C_μ/N ≈ 1e-3 here).
    func matches(_ key: String) throws -> Bool {
      let written = try #require(normalization[key] as? [Double])
      let kept = try #require(saved[key] as? [Double])
      return written.count == kept.count && zip(written, kept).allSatisfy { abs($0 - $1) <= 1e-14 * max(abs($1), 1e-300) }
    }
    #expect(try matches("mean") && matches("variance"))
    #expect(!FileManager.default.fileExists(atPath: space.runFolder.appendingPathComponent("feature-norm-release.json").path))
  }
}
