extension FeatureSection {
  /// The largest `scales` for 28×28 images (2^J ≤ 28, as Kymatio requires).
  static let maximumScales = 4
  /// The largest `orientations` accepted.
  static let maximumOrientations = 16

  /// Reads `data.features`; `nil` (after reporting) when unusable.
  /// - Parameters:
  ///   - imageData: the data are images (`source: fashion_mnist`); otherwise the section is
  ///     refused.
  ///   - isPrivate: the recipe has a `privacy` section; `private_norm` is refused without one.
  static func read(_ section: MappingReader, imageData: Bool, isPrivate: Bool = false) -> FeatureSection? {
    if !imageData {
      section.reader.report(
        "features need image data (data.source fashion_mnist); the scattering transform works on 2-D images",
        at: section.path, node: section.node)
    }
    if section.nonNullValue("scattering") == nil {
      section.reportMissing("scattering", hint: "; for example {scales: 2, orientations: 8}")
    }
    let scatteringReader = section.child("scattering")
    let scattering = ScatteringSettings(
      scales: scatteringReader.integer("scales", default: 2, .closed(1, maximumScales)),
      orientations: scatteringReader.integer("orientations", default: 8, .closed(1, maximumOrientations)))
    scatteringReader.finish()
    var groupNorm: FeatureGroupNorm?
    if section.nonNullValue("group_norm") != nil {
      let reader = section.child("group_norm")
      let groups = reader.requiredInteger("groups", .atLeast(1))
      let epsilon = reader.number("epsilon", default: 1e-5, .greaterThan(0))
      let channels = FeatureSection(scattering: scattering).channels
      if let groups, channels % groups != 0 {
        reader.report(
          "must divide the \(channels) scattering channels (scales \(scattering.scales), orientations \(scattering.orientations)), got \(groups)",
          key: "groups")
      }
      reader.finish()
      guard let groups else { return nil }
      groupNorm = FeatureGroupNorm(groups: groups, epsilon: epsilon)
    }
    var privateNorm: FeaturePrivateNorm?
    var privateNormIsValid = true
    if section.nonNullValue("private_norm") != nil {
      privateNorm = readPrivateNorm(section, isPrivate: isPrivate, withGroupNorm: groupNorm != nil)
      privateNormIsValid = privateNorm != nil
    }
    section.finish()
    guard imageData, section.nonNullValue("scattering") != nil, privateNormIsValid else { return nil }
    return FeatureSection(scattering: scattering, groupNorm: groupNorm, privateNorm: privateNorm)
  }

  /// Reads `data.features.private_norm`; `nil` (after reporting) when unusable.
  private static func readPrivateNorm(_ section: MappingReader, isPrivate: Bool, withGroupNorm: Bool)
    -> FeaturePrivateNorm?
  {
    if !isPrivate {
      section.report(
        "needs a privacy section: its statistics are released under differential privacy, composed with DP-SGD's; "
          + "a non-private run has no ε to spend (use group_norm, which spends none)",
        key: "private_norm")
    }
    if withGroupNorm {
      section.report(
        "cannot be combined with group_norm: both standardise the features (Tramèr & Boneh use one or the other); "
          + "remove one", key: "private_norm")
    }
    let reader = section.child("private_norm")
    let noiseMultiplier = reader.requiredNumber("noise_multiplier", .greaterThan(0))
    let meanClip = reader.requiredNumber("mean_clip", .greaterThan(0))
    let squareClip = reader.requiredNumber("square_clip", .greaterThan(0))
    let varianceFloor = reader.number("variance_floor", default: 1e-5, .greaterThan(0))
    reader.finish()
    guard isPrivate, !withGroupNorm, let noiseMultiplier, let meanClip, let squareClip else { return nil }
    return FeaturePrivateNorm(
      noiseMultiplier: noiseMultiplier, meanClip: meanClip, squareClip: squareClip, varianceFloor: varianceFloor)
  }

  /// Writes the section with every default spelled out.
  func emit(into emitter: inout RecipeEmitter) {
    emitter.section("scattering") { writer in
      writer.entry("scales", String(scattering.scales))
      writer.entry("orientations", String(scattering.orientations))
    }
    if let groupNorm {
      emitter.section("group_norm") { writer in
        writer.entry("groups", String(groupNorm.groups))
        writer.entry("epsilon", RecipeEmitter.number(groupNorm.epsilon))
      }
    } else {
      emitter.entry("group_norm", "null", comment: "off")
    }
    if let privateNorm {
      emitter.section("private_norm") { writer in
        writer.entry("noise_multiplier", RecipeEmitter.number(privateNorm.noiseMultiplier))
        writer.entry("mean_clip", RecipeEmitter.number(privateNorm.meanClip))
        writer.entry("square_clip", RecipeEmitter.number(privateNorm.squareClip))
        writer.entry("variance_floor", RecipeEmitter.number(privateNorm.varianceFloor))
      }
    } else {
      emitter.entry("private_norm", "null", comment: "off")
    }
  }
}
