/// Writes a recipe as block-style YAML with every value spelled out.
///
/// Enumeration values and numbers are plain scalars; free text (name, paths, column names) is
/// double-quoted with JSON-style escapes, so any string reads back unchanged. Numbers use the
/// shortest text that reads back to the same `Double`, always with a `.` (`1.0e-05`, not
/// `1e-05`) so that YAML 1.1 readers also see a float.
struct RecipeEmitter {
  private(set) var lines: [String] = []
  private var indent = ""

  /// `key: value`, with an optional trailing comment.
  mutating func entry(_ key: String, _ value: String, comment: String? = nil) {
    lines.append(indent + key + ": " + value + (comment.map { "  # " + $0 } ?? ""))
  }

  /// `key:` followed by the entries `body` writes, indented by two spaces.
  mutating func section(_ key: String, _ body: (inout RecipeEmitter) -> Void) {
    lines.append(indent + key + ":")
    let outer = indent
    indent += "  "
    body(&self)
    indent = outer
  }

  /// `- {key: value, ...}`: one list item as a flow mapping.
  mutating func flowItem(_ pairs: [(String, String)]) {
    lines.append(indent + "- {" + pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}")
  }

  /// A comment line.
  mutating func comment(_ text: String) {
    lines.append(indent + "# " + text)
  }

  /// The document, ending with a newline.
  var text: String { lines.joined(separator: "\n") + "\n" }

  /// A double-quoted YAML string.
  static func quoted(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          let hex = String(scalar.value, radix: 16, uppercase: true)
          result += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }

  /// A number that reads back to exactly `value`.
  static func number(_ value: Double) -> String {
    var text = value.description
    if let exponent = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<exponent].contains(".") {
      text.insert(contentsOf: ".0", at: exponent)
    }
    return text
  }

  /// `true` or `false`.
  static func boolean(_ value: Bool) -> String { value ? "true" : "false" }

  /// An integer, or `null` for `nil`.
  static func integer(_ value: Int?) -> String { value.map(String.init) ?? "null" }
}

extension Recipe {
  /// The recipe as YAML with every default filled in: what the run actually used.
  ///
  /// Paths are written resolved (absolute), so the text loads the same data from any folder.
  /// `Recipe.parse(yaml: resolvedYAML(), ...)` gives a recipe equal to `self`.
  public func resolvedYAML() -> String {
    var emitter = RecipeEmitter()
    emitter.comment("Resolved recipe: every default filled in; load it to repeat the run.")
    emitter.entry("version", String(version))
    emitter.entry("name", RecipeEmitter.quoted(name))
    emitter.entry("seed", String(seed))
    emitter.section("data") { data.emit(into: &$0) }
    emitter.section("model") { writer in
      for layer in model { writer.flowItem(layer.resolvedPairs) }
    }
    emitter.section("training") { training.emit(into: &$0) }
    if let privacy { emitter.section("privacy") { privacy.emit(into: &$0) } }
    emitter.section("audit") { audit.emit(into: &$0) }
    if let distillation { emitter.section("distillation") { distillation.emit(into: &$0) } }
    return emitter.text
  }
}

extension DataSection {
  func emit(into emitter: inout RecipeEmitter) {
    emitter.entry("source", source.name)
    switch source {
    case .fashionMNIST(let path):
      emitter.entry("path", RecipeEmitter.quoted(path.absolute))
    case .csv(let csv):
      emitter.entry("path", RecipeEmitter.quoted(csv.path.absolute))
      if let testPath = csv.testPath { emitter.entry("test_path", RecipeEmitter.quoted(testPath.absolute)) }
      emitter.entry("label_column", RecipeEmitter.quoted(csv.labelColumn))
      if let testFraction = csv.testFraction { emitter.entry("test_fraction", RecipeEmitter.number(testFraction)) }
    case .synthetic(let synthetic):
      emitter.entry("test_fraction", RecipeEmitter.number(synthetic.testFraction))
      emitter.section("synthetic") { writer in
        writer.entry("classes", String(synthetic.classes))
        writer.entry("features", String(synthetic.features))
        writer.entry("samples", String(synthetic.samples))
        writer.entry("separation", RecipeEmitter.number(synthetic.separation))
      }
    case .text(let text):
      text.emit(into: &emitter)
    }
    emitter.entry("train_size", RecipeEmitter.integer(trainSize), comment: trainSize == nil ? "all available" : nil)
    emitter.entry("test_size", RecipeEmitter.integer(testSize), comment: testSize == nil ? "all available" : nil)
    emitter.entry("validation_size", String(validationSize))
    emitter.entry("normalize", normalize.rawValue)
    emitter.entry("flatten", RecipeEmitter.boolean(flatten))
    if let features {
      emitter.section("features") { features.emit(into: &$0) }
    } else {
      emitter.entry("features", "null", comment: "off")
    }
  }
}

extension LayerSpec {
  /// `type` and every option, in schema order.
  var resolvedPairs: [(String, String)] {
    let number = RecipeEmitter.number
    let boolean = RecipeEmitter.boolean
    var pairs = [("type", typeName)]
    switch self {
    case .dense(let units, let bias):
      pairs += [("units", String(units)), ("bias", boolean(bias))]
    case .conv2d(let convolution):
      pairs += [
        ("filters", String(convolution.filters)), ("kernel_size", String(convolution.kernelSize)),
        ("stride", String(convolution.stride)), ("padding", String(convolution.padding)), ("bias", boolean(convolution.bias)),
      ]
    case .maxPool2d(let pooling), .avgPool2d(let pooling):
      pairs += [("pool_size", String(pooling.poolSize)), ("stride", String(pooling.stride))]
    case .flatten, .relu, .tanh:
      break
    case .temperedSigmoid(let scale, let inverseTemperature, let offset):
      pairs += [("scale", number(scale)), ("inverse_temperature", number(inverseTemperature)), ("offset", number(offset))]
    case .dropout(let rate):
      pairs += [("rate", number(rate))]
    case .groupNorm(let groups, let epsilon):
      pairs += [("groups", String(groups)), ("epsilon", number(epsilon))]
    case .gpt2(let model):
      pairs += [
        ("width", String(model.width)), ("layers", String(model.layers)), ("heads", String(model.heads)),
        ("context", String(model.context)), ("tie_embeddings", RecipeEmitter.boolean(model.tieEmbeddings)),
        ("layer_norm_epsilon", number(model.layerNormEpsilon)),
      ]
    case .pretrained(let from):
      pairs += [("from", RecipeEmitter.quoted(from.absolute))]
    }
    return pairs
  }
}

extension TrainingSection {
  func emit(into emitter: inout RecipeEmitter) {
    let number = RecipeEmitter.number
    emitter.entry("epochs", String(epochs))
    emitter.entry("batch_size", String(batchSize))
    emitter.section("optimizer") { writer in
      writer.entry("type", optimizer.typeName)
      switch optimizer {
      case .sgd(let sgd):
        writer.entry("learning_rate", number(sgd.learningRate))
        writer.entry("momentum", number(sgd.momentum))
        writer.entry("nesterov", RecipeEmitter.boolean(sgd.nesterov))
      case .adam(let adam), .adamw(let adam, _):
        writer.entry("learning_rate", number(adam.learningRate))
        writer.entry("beta1", number(adam.beta1))
        writer.entry("beta2", number(adam.beta2))
        writer.entry("epsilon", number(adam.epsilon))
        if case .adamw(_, let weightDecay) = optimizer { writer.entry("weight_decay", number(weightDecay)) }
      }
    }
    emitter.section("schedule") { writer in
      writer.entry("type", schedule.typeName)
      writer.entry("warmup_epochs", number(schedule.warmupEpochs))
      switch schedule.kind {
      case .constant: break
      case .step(let stepEpochs, let gamma):
        writer.entry("step_epochs", String(stepEpochs))
        writer.entry("gamma", number(gamma))
      case .cosine(let minLearningRate):
        writer.entry("min_learning_rate", number(minLearningRate))
      }
    }
    emitter.section("regularization") { writer in
      writer.entry("l1", number(regularization.l1))
      writer.entry("l2", number(regularization.l2))
      writer.entry("label_smoothing", number(regularization.labelSmoothing))
    }
    if let earlyStopping {
      emitter.section("early_stopping") { writer in
        writer.entry("monitor", earlyStopping.monitor.rawValue)
        writer.entry("patience", String(earlyStopping.patience))
        writer.entry("min_delta", number(earlyStopping.minDelta))
        writer.entry("restore_best", RecipeEmitter.boolean(earlyStopping.restoreBest))
      }
    } else {
      emitter.entry("early_stopping", "null", comment: "off")
    }
    emitter.entry("evaluate_train", RecipeEmitter.boolean(evaluateTrain))
    emitter.entry("sampling", sampling.rawValue)
    if let emaDecay {
      emitter.entry("ema_decay", number(emaDecay))
    } else {
      emitter.entry("ema_decay", "null", comment: "off")
    }
    if let augmentation {
      emitter.section("augmentation") { writer in
        writer.entry("crop_padding", String(augmentation.cropPadding))
        writer.entry("flip", RecipeEmitter.boolean(augmentation.flip))
        writer.entry("cutout", String(augmentation.cutout))
        writer.entry("noise_std", number(augmentation.noiseStandardDeviation))
        writer.entry("multiplicity", String(augmentation.multiplicity))
      }
    } else {
      emitter.entry("augmentation", "null", comment: "off")
    }
  }
}
