/// `data.features`: a fixed, data-independent feature extractor applied to every record (after
/// `data.normalize`, before `data.flatten`), computed once per run and shared by the target and
/// the reference models.
///
/// ```yaml
/// data:
///   source: fashion_mnist
///   features:
///     scattering: {scales: 2, orientations: 8}   # required: Kymatio's Scattering2D(J=2, L=8)
///     group_norm: {groups: 27}                   # default null: the coefficients as computed
///     private_norm: null                         # or {noise_multiplier: 8, mean_clip: …, square_clip: …}
/// ```
///
/// Only image data (`source: fashion_mnist`) can be scattered. The features of a 28×28 image with
/// J = 2, L = 8 are `[7, 7, 81]` (height, width, channels); the model's first layer sees that
/// shape (`[3969]` with `flatten: true`). Neither step looks at other records, so no privacy is
/// spent: the extractor is fixed before the data is seen, and group normalisation uses one
/// record's own statistics (Tramèr & Boneh 2021, §3: "data-independent"). `private_norm` is the
/// exception: it standardises every channel with statistics of the training records released
/// under differential privacy, an extra mechanism the run's ε covers (`FeaturePrivateNorm`).
public struct FeatureSection: Sendable, Equatable {
  /// `data.features.scattering`: the 2-D scattering transform (Oyallon & Mallat 2015; Kymatio's
  /// filters and algorithm).
  public var scattering: ScatteringSettings
  /// `data.features.group_norm`: per-record group normalisation of the coefficients; `nil`
  /// (default) leaves them as computed.
  public var groupNorm: FeatureGroupNorm?
  /// `data.features.private_norm`: per-channel standardisation with differentially private
  /// statistics of the training records; `nil` (default) leaves the coefficients as computed.
  public var privateNorm: FeaturePrivateNorm?

  public init(scattering: ScatteringSettings, groupNorm: FeatureGroupNorm? = nil, privateNorm: FeaturePrivateNorm? = nil) {
    self.scattering = scattering
    self.groupNorm = groupNorm
    self.privateNorm = privateNorm
  }

  /// The channels per input channel, `K = 1 + J·L + L²·J(J−1)/2` (81 for J = 2, L = 8).
  public var channels: Int {
    let (scales, orientations) = (scattering.scales, scattering.orientations)
    return 1 + scales * orientations + orientations * orientations * scales * (scales - 1) / 2
  }
}

/// Keys of `data.features.scattering`.
public struct ScatteringSettings: Sendable, Equatable {
  /// `scales`: the number of scales J, 1 to 4 for 28×28 images (2^J ≤ 28), default 2. The output
  /// is subsampled by 2^J.
  public var scales: Int
  /// `orientations`: the number of wavelet orientations L, 1 to 16, default 8 (the filters are
  /// designed for 8).
  public var orientations: Int

  public init(scales: Int = 2, orientations: Int = 8) {
    self.scales = scales
    self.orientations = orientations
  }
}

/// Keys of `data.features.group_norm`: each record's channels in `groups` groups of consecutive
/// channels, each normalised to mean 0 and variance 1 over its channels and positions,
/// `x̂ = (x − μ)/√(σ² + epsilon)` (Wu & He 2018; PyTorch's `GroupNorm(groups, K, affine=False)`,
/// as Tramèr & Boneh use it).
public struct FeatureGroupNorm: Sendable, Equatable {
  /// `groups`: the number of groups, at least 1, dividing the channel count (27 for 81).
  public var groups: Int
  /// `epsilon`: the variance floor, > 0, default 1e-5.
  public var epsilon: Double

  public init(groups: Int, epsilon: Double = 1e-5) {
    self.groups = groups
    self.epsilon = epsilon
  }
}
