import Foundation
import TacitData
import TacitNN
import TacitPrivacy
import TacitRecipe
import TacitReport
import TacitTensor

/// One model's release of `data.features.private_norm` (Tramèr & Boneh 2021, §3): the noisy
/// per-channel mean and variance of its training records' features (`ChannelMoments`, then
/// `PrivateChannelStatistics`), and the frozen standardisation layer built from them that the
/// model puts before its first layer, so that every record it sees (training, validation, test,
/// audit queries) is standardised with the same released statistics.
///
/// The target releases statistics of its own training set (members and included canaries);
/// each reference model of the audit releases its own, from its own training half with its own
/// seeded noise, like the target. The 2K standard normals come from the run's noise kind: a
/// fresh `SecureGenerator` under `privacy.noise: secure`, else split "feature-norm-noise" of the
/// model's root generator (DP-SGD's noise is split "noise"). Shapes: features `[N, …, K]` with
/// K = `data.features` channels last (flattened or not).
struct FeatureNormRelease {
  /// The staging-folder file that keeps a target's release while it trains, so that a run
  /// resumed after a crash standardises with (and counts) the same release, not a second one.
  static let fileName = "feature-norm-release.json"

  let settings: FeaturePrivateNorm
  /// N, K and how many records the clipping scaled down.
  let recordCount: Int
  let clippedMeanCount: Int
  let clippedSquareCount: Int
  let statistics: PrivateChannelStatistics

  /// The release for `trainingSet` with noise of `kind` (split "feature-norm-noise" of `root`
  /// when seeded).
  static func make(
    _ settings: FeaturePrivateNorm, channels: Int, trainingSet: LabeledDataset, noise kind: PrivacySection.Noise,
    root: SeededGenerator
  ) -> FeatureNormRelease {
    let moments = ChannelMoments.clippedSums(
      of: trainingSet.features, channels: channels, meanClip: settings.meanClip, squareClip: settings.squareClip)
    var normals = [Float](repeating: 0, count: FeaturePrivateNorm.releaseCount * channels)
    normals.withUnsafeMutableBufferPointer { buffer in
      switch kind {
      case .secure:
        var generator = SecureGenerator()
        GaussianNoise.fillNormal(buffer, using: &generator)
      case .seeded:
        var generator = root.split("feature-norm-noise")
        GaussianNoise.fillNormal(buffer, using: &generator)
      }
    }
    let statistics = PrivateChannelStatistics.release(
      moments, noiseMultiplier: settings.noiseMultiplier, meanClip: settings.meanClip, squareClip: settings.squareClip,
      varianceFloor: settings.varianceFloor, standardNormals: normals.map(Double.init))
    return FeatureNormRelease(
      settings: settings, recordCount: moments.recordCount, clippedMeanCount: moments.clippedMeanCount,
      clippedSquareCount: moments.clippedSquareCount, statistics: statistics)
  }

  /// The frozen layer `(x − μ[c])/√v[c]`.
  var layer: ChannelStandardization {
    ChannelStandardization(
      mean: statistics.mean.map(Float.init), scale: statistics.inverseDeviation.map(Float.init))
  }

  /// The run log's line.
  var line: String {
    String(
      format: "features: private_norm released from %ld training records: σ_n = %g, C_μ = %g (%ld records clipped), "
        + "C₂ = %g (%ld clipped); %ld of %ld channel variances raised to the floor %g",
      recordCount, settings.noiseMultiplier, settings.meanClip, clippedMeanCount, settings.squareClip,
      clippedSquareCount, statistics.flooredChannels, statistics.mean.count, settings.varianceFloor)
  }

  /// The release as privacy.json's `feature_normalization` object and the resume file's
  /// contents: the settings, the counts and the released statistics.
  var jsonObject: [String: Any] {
    [
      "noise_multiplier": settings.noiseMultiplier, "mean_clip": settings.meanClip, "square_clip": settings.squareClip,
      "variance_floor": settings.varianceFloor, "training_records": recordCount,
      "clipped_mean_records": clippedMeanCount, "clipped_square_records": clippedSquareCount,
      "floored_channels": statistics.flooredChannels, "mean": statistics.mean, "mean_square": statistics.meanSquare,
      "variance": statistics.variance,
    ]
  }

  /// The release kept in `folder`'s staging folder by an interrupted attempt of this run, or a
  /// new one (`make`), written there before training.
  static func target(
    _ settings: FeaturePrivateNorm, channels: Int, trainingSet: LabeledDataset, noise: PrivacySection.Noise,
    root: SeededGenerator, folder: RunFolder
  ) throws -> (release: FeatureNormRelease, reused: Bool) {
    let path = folder.file(fileName)
    if folder.resumed != nil, FileManager.default.fileExists(atPath: path) {
      return (try read(path, settings: settings, channels: channels), true)
    }
    let release = make(settings, channels: channels, trainingSet: trainingSet, noise: noise, root: root)
    try AtomicFile.write(JSONText.encode(release.jsonObject) + "\n", to: path)
    return (release, false)
  }

  /// The release a resume file holds, checked against the recipe's settings and K.
  static func read(_ path: String, settings: FeaturePrivateNorm, channels: Int) throws -> FeatureNormRelease {
    let file = try JSONFile(path: path)
    let root = file.root
    let saved = FeaturePrivateNorm(
      noiseMultiplier: try file.number("noise_multiplier", in: root) ?? .nan,
      meanClip: try file.number("mean_clip", in: root) ?? .nan, squareClip: try file.number("square_clip", in: root) ?? .nan,
      varianceFloor: try file.number("variance_floor", in: root) ?? .nan)
    let statistics = PrivateChannelStatistics(
      mean: try file.numbers("mean", in: root, path: "mean"),
      meanSquare: try file.numbers("mean_square", in: root, path: "mean_square"),
      variance: try file.numbers("variance", in: root, path: "variance"),
      flooredChannels: Int(try file.number("floored_channels", in: root) ?? 0))
    guard saved == settings, [statistics.mean, statistics.meanSquare, statistics.variance].allSatisfy({ $0.count == channels })
    else {
      throw PipelineError("\(path): the interrupted run's feature normalisation differs from this recipe's; cannot resume")
    }
    func count(_ key: String) throws -> Int { Int(try file.number(key, in: root) ?? 0) }
    return FeatureNormRelease(
      settings: settings, recordCount: try count("training_records"), clippedMeanCount: try count("clipped_mean_records"),
      clippedSquareCount: try count("clipped_square_records"), statistics: statistics)
  }
}
