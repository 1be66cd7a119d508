import Foundation
import Yams

/// A training recipe: one YAML file that drives one run, with every default resolved.
///
/// ```yaml
/// version: 1                 # required; the recipe format version (only 1 exists)
/// name: fashion-mlp          # required; [A-Za-z0-9._-]+, names the run folder
/// seed: 0                    # 0...2^64-1, default 0; split per purpose (data order, init, ...)
/// data: {source: fashion_mnist, train_size: 10000}     # see DataSection
/// model:                     # see LayerSpec
///   - {type: flatten}
///   - {type: dense, units: 128}
///   - {type: relu}
///   - {type: dense, units: 10}
/// training: {epochs: 5}      # see TrainingSection; may be omitted (all defaults)
/// privacy: {target_epsilon: 3}   # optional: DP-SGD, see PrivacySection
/// audit: {reference_models: 8}    # optional: the attacks after training, see AuditSection
/// distillation: {teacher_recipe: teacher.yaml, transfer: public, public_size: 5000}
///                                 # optional: train as a student, see DistillationSection
/// ```
///
/// Reading is strict: keys are snake_case, an unknown key is an error naming its path and the
/// closest valid key, values of the wrong type or out of range are errors naming their path,
/// and every problem is reported at once with `file:line:column`.
///
/// `resolvedYAML()` writes the recipe back with every default spelled out; loading that text
/// gives an equal `Recipe` (once the pipeline has set `privacy.resolved`, it writes the noise
/// multiplier actually used instead of the target ε, so a rerun uses the same σ).
public struct Recipe: Sendable, Equatable {
  /// The recipe format versions this library reads.
  public static let supportedVersions = [1]

  /// `version`: the recipe format version.
  public var version: Int
  /// `name`: the run's name, letters, digits, `.`, `_`, `-` only.
  public var name: String
  /// `seed`: the one seed every random choice of the run derives from, default 0.
  public var seed: UInt64
  /// `data`: the records, see `DataSection`.
  public var data: DataSection
  /// `model`: the layers in order, see `LayerSpec`.
  public var model: [LayerSpec]
  /// `training`: the training loop, see `TrainingSection`.
  public var training: TrainingSection
  /// `privacy`: DP-SGD settings, see `PrivacySection`; `nil` trains without privacy.
  public var privacy: PrivacySection?
  /// `audit`: the attacks after training, see `AuditSection`; absent reads as every default.
  public var audit: AuditSection = AuditSection()
  /// `distillation`: train this recipe's model as a student of a teacher, see
  /// `DistillationSection`; `nil` trains on the labels alone.
  public var distillation: DistillationSection?

  /// Loads the recipe file at `path`, then applies `overrides` (see `parse`).
  ///
  /// Relative paths inside the recipe are resolved against the folder holding the file.
  /// - Throws: every problem found, including a missing or unreadable file.
  public static func load(path: String, overrides: [String] = []) throws(RecipeErrors) -> Recipe {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw RecipeErrors([RecipeError(file: path, line: nil, column: nil, keyPath: "", message: "no such recipe file")])
    }
    guard !isDirectory.boolValue, let contents = FileManager.default.contents(atPath: path) else {
      throw RecipeErrors([RecipeError(file: path, line: nil, column: nil, keyPath: "", message: "cannot read the recipe file")])
    }
    guard let text = String(data: contents, encoding: .utf8) else {
      throw RecipeErrors([
        RecipeError(file: path, line: nil, column: nil, keyPath: "", message: "the recipe file is not UTF-8 text")
      ])
    }
    let folder = URL(fileURLWithPath: path).deletingLastPathComponent().standardized.path
    return try parse(yaml: text, fileName: path, overrides: overrides, baseDirectory: folder)
  }

  /// Parses recipe text, applies `overrides`, validates, and resolves every default.
  ///
  /// - Parameters:
  ///   - yaml: the recipe text.
  ///   - fileName: the name used in error messages.
  ///   - overrides: `key.path=value` settings applied on top of the file, in order, e.g.
  ///     `training.epochs=2`, `data.train_size=500`, `model[2].units=64` (list items in
  ///     brackets, from 0), `training.optimizer={type: adam}`. The value is read as a YAML
  ///     scalar or flow collection; an empty value is null. Missing mappings on the way are
  ///     created, so an override may add a key the file leaves at its default; list items
  ///     must exist.
  ///   - baseDirectory: the folder relative data paths are resolved against; default the
  ///     folder of `fileName` (relative to the working directory).
  /// - Throws: every problem found, sorted by position.
  public static func parse(
    yaml: String, fileName: String, overrides: [String] = [], baseDirectory: String? = nil
  ) throws(RecipeErrors) -> Recipe {
    let folder =
      baseDirectory.map { URL(fileURLWithPath: $0).standardized.path }
      ?? URL(fileURLWithPath: fileName).deletingLastPathComponent().standardized.path
    let reader = NodeReader(fileName: fileName, baseDirectory: folder)
    var root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch {
      throw RecipeErrors([syntaxError(error, yaml: yaml, fileName: fileName)])
    }
    for text in overrides {
      root = Override.apply(text, to: root, reader: reader)
    }
    let recipe = read(root, reader: reader)
    guard let recipe, reader.errors.isEmpty else {
      let errors =
        reader.errors.isEmpty
        ? [RecipeError(file: fileName, line: nil, column: nil, keyPath: "", message: "invalid recipe")]
        : reader.errors
      throw RecipeErrors(RecipeErrors.sorted(errors))
    }
    return recipe
  }

  /// Converts a Yams parsing error into a positioned recipe error.
  static func syntaxError(_ error: any Error, yaml: String, fileName: String) -> RecipeError {
    func located(_ line: Int, _ column: Int, _ message: String) -> RecipeError {
      RecipeError(file: fileName, line: line, column: column, keyPath: "", message: message)
    }
    func contextText(_ context: YamlError.Context?) -> String {
      context.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
    }
    switch error as? YamlError {
    case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      return located(mark.line, mark.column, "YAML syntax error: \(problem)\(contextText(context))")
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
      return located(context.mark.line, context.mark.column, "duplicate key \(keys) in one mapping")
    case .reader(let problem, let offset, _, _):
      guard let offset else {
        return RecipeError(file: fileName, line: nil, column: nil, keyPath: "", message: "cannot read YAML: \(problem)")
      }
      let before = yaml.prefix(offset)
      let line = before.count(where: { $0 == "\n" }) + 1
      let column = before.split(separator: "\n", omittingEmptySubsequences: false).last.map { $0.unicodeScalars.count + 1 } ?? 1
      return located(line, column, "cannot read YAML: \(problem)")
    default:
      return RecipeError(file: fileName, line: nil, column: nil, keyPath: "", message: "cannot read YAML: \(error)")
    }
  }
}
