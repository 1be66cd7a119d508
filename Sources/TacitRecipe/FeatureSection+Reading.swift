extension FeatureSection {
  /// The largest `scales` for 28×28 images (2^J ≤ 28, as Kymatio requires).
  static let maximumScales = 4
  /// The largest `orientations` accepted.
  static let maximumOrientations = 16

  /// Reads `data.features`; `nil` (after reporting) when unusable.
  /// - Parameter imageData: the data are images (`source: fashion_mnist`); otherwise the
  ///   section is refused.
  static func read(_ section: MappingReader, imageData: Bool) -> FeatureSection? {
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
    section.finish()
    guard imageData, section.nonNullValue("scattering") != nil else { return nil }
    return FeatureSection(scattering: scattering, groupNorm: groupNorm)
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
  }
}
