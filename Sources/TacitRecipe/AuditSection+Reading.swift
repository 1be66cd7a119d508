import Yams

extension AuditSection.Canaries.Count {
  /// Whether this is a fixed count of at least `minimum`.
  func fixedAtLeast(_ minimum: Int) -> Bool {
    if case .fixed(let count) = self { return count >= minimum }
    return false
  }
}

extension AuditSection {
  /// Reads `audit`; an absent section reads as every default (an audit runs after every run
  /// unless `enabled: false`).
  /// - Parameter imageData: the data are images (`fashion_mnist`, no `data.features`): image queries are allowed, and
  ///   the default queries are `[identity, mirror]` (`[identity]` otherwise).
  /// - Parameter textData: the data are text records (a language model): the attacks are those
  ///   that read a per-record loss (`Attack.appliesToLanguageModels`), and canaries are gradient
  ///   canaries (mislabeled canaries need class labels).
  /// - Parameter pretrained: a fine-tuned language model's `model.from`, the default
  ///   `reference_model`.
  static func read(
    _ section: MappingReader, isPrivate: Bool, imageData: Bool, textData: Bool = false, baseDirectory: String,
    pretrained: RecipeFilePath? = nil
  ) -> AuditSection {
    let enabled = section.boolean("enabled", default: true)
    let memberFraction = section.number("member_fraction", default: 0.5, .leftOpen(0, 1))
    let referenceModels = section.integer("reference_models", default: 0, .closed(0, AuditSection.maximumReferenceModels))
    let referenceModel = readReferenceModel(section, textData: textData, baseDirectory: baseDirectory, pretrained: pretrained)
    let defaultAttacks = Attack.allCases.filter {
      (referenceModels > 0 || !$0.needsReferenceModels) && (textData ? $0.appliesToLanguageModels : !$0.needsText)
        && ($0 != .referenceRatio || referenceModel != nil)
    }
    let attacks = section.choiceList("attacks", default: defaultAttacks)
    if textData, let classOnly = attacks.first(where: { !$0.appliesToLanguageModels }) {
      section.report(
        "attack \(classOnly.rawValue) reads a class distribution; a language model's audit takes "
          + Attack.allCases.filter(\.appliesToLanguageModels).map(\.rawValue).joined(separator: ", "),
        key: "attacks")
    }
    if !textData, let textOnly = attacks.first(where: \.needsText) {
      section.report(
        "attack \(textOnly.rawValue) reads token log-probabilities and text; it needs a language model (data.source: text)",
        key: "attacks")
    }
    if attacks.contains(.referenceRatio) && referenceModel == nil && textData {
      section.report(
        "attack reference_ratio needs a reference language model: set audit.reference_model (a Tacit LM run or a Hugging Face GPT-2 folder)",
        key: "attacks")
    }
    if referenceModels == 0, let needy = attacks.first(where: \.needsReferenceModels) {
      section.report(
        "attack \(needy.rawValue) needs reference models; set audit.reference_models (at least 2 for lira_online) or remove it",
        key: "attacks")
    }
    if referenceModels == 1, attacks.contains(.liraOnline) {
      section.report("lira_online needs at least 2 reference models (IN and OUT for each record)", key: "attacks")
    }
    let queries = section.choiceList("queries", default: imageData ? [Query.identity, .mirror] : [.identity])
    if queries.isEmpty { section.report("needs at least one query, e.g. [identity]", key: "queries") }
    if !imageData, let query = queries.first(where: { $0 != .identity }) {
      section.report(
        "'\(query.rawValue)' needs image data (data.source fashion_mnist without data.features); use [identity]",
        key: "queries")
    }
    let populationSize = section.integer("population_size", default: 2000, .atLeast(1))
    let rmiaA = section.number("rmia_a", default: 0.3, .closed(0, 1))
    let minK = section.number("min_k", default: 0.2, .leftOpen(0, 1))
    let confidence = section.number("confidence", default: 0.95, .open(0.5, 1))
    let bootstrap = section.integer("bootstrap", default: 200, .closed(0, AuditSection.maximumBootstrap))
    var canaries: Canaries?
    if section.nonNullValue("canaries") != nil {
      let child = section.child("canaries")
      let count = canaryCount(child)
      let kind = child.choice("kind", default: isPrivate ? Canaries.Kind.gradient : .mislabeled)
      let guessFraction = child.optionalNumber("guess_fraction", .leftOpen(0, 1))
      child.finish()
      if count == .fixed(1) { child.report("needs at least 2 canaries (or 0 for none, or auto)", key: "count") }
      if kind == .mislabeled && textData {
        child.report(
          "mislabeled canaries need class labels; text records have none (use kind: gradient with a privacy section)",
          key: "kind")
      }
      if kind == .gradient && !isPrivate {
        child.report(
          "gradient canaries measure DP-SGD's privatised updates; they need a privacy section (use kind: mislabeled)",
          key: "kind")
      }
      if count == .automatic || count.fixedAtLeast(2) {
        canaries = Canaries(count: count, kind: kind, guessFraction: guessFraction)
      }
    }
    let secrets = readSecrets(section, textData: textData)
    section.finish()
    return AuditSection(
      enabled: enabled, memberFraction: memberFraction, referenceModels: referenceModels, attacks: attacks,
      queries: queries.isEmpty ? [.identity] : queries, populationSize: populationSize, rmiaA: rmiaA, minK: minK,
      referenceModel: referenceModel, confidence: confidence, bootstrap: bootstrap, canaries: canaries, secrets: secrets)
  }

  /// `reference_model`: a path relative to the recipe, language models only; absent: `pretrained`
  /// for text data, else none.
  private static func readReferenceModel(
    _ section: MappingReader, textData: Bool, baseDirectory: String, pretrained: RecipeFilePath?
  ) -> RecipeFilePath? {
    guard let path = section.optionalString("reference_model") else { return textData ? pretrained : nil }
    guard textData else {
      section.report("a reference model calibrates language-model attacks; it needs data.source: text", key: "reference_model")
      return nil
    }
    return RecipeFilePath(path, relativeTo: baseDirectory)
  }

  /// `canaries.count`: a non-negative integer or `auto` (default 0: none).
  private static func canaryCount(_ reader: MappingReader) -> Canaries.Count {
    if let node = reader.nonNullValue("count"), let text = node.scalar?.string, Int(text) == nil {
      if text == "auto" { return .automatic }
      reader.report("expected an integer or auto, got \(NodeReader.describe(node))", key: "count")
      return .fixed(0)
    }
    return .fixed(reader.integer("count", default: 0, .atLeast(0)))
  }

  func emit(into emitter: inout RecipeEmitter) {
    let number = RecipeEmitter.number
    emitter.entry("enabled", RecipeEmitter.boolean(enabled))
    emitter.entry("member_fraction", number(memberFraction))
    emitter.entry("reference_models", String(referenceModels))
    emitter.entry("attacks", "[" + attacks.map(\.rawValue).joined(separator: ", ") + "]")
    emitter.entry("queries", "[" + queries.map(\.rawValue).joined(separator: ", ") + "]")
    emitter.entry("population_size", String(populationSize))
    emitter.entry("rmia_a", number(rmiaA))
    if attacks.contains(where: { $0 == .minK || $0 == .minKPlusPlus }) { emitter.entry("min_k", number(minK)) }
    if let referenceModel { emitter.entry("reference_model", RecipeEmitter.quoted(referenceModel.asWritten)) }
    emitter.entry("confidence", number(confidence))
    emitter.entry("bootstrap", String(bootstrap))
    if let canaries {
      emitter.section("canaries") { writer in
        writer.entry("count", canaries.count.text)
        writer.entry("kind", canaries.kind.rawValue)
        if let guessFraction = canaries.guessFraction {
          writer.entry("guess_fraction", number(guessFraction))
        } else {
          writer.entry("guess_fraction", "null", comment: "the Bonferroni grid over r = m, m/2, m/4, …")
        }
      }
    } else {
      emitter.entry("canaries", "null", comment: "none")
    }
    emitSecrets(into: &emitter)
  }
}
