import Foundation

/// The marker file `.tacit-run` that Tacit writes into every run folder and shard folder, and
/// the rule deciding whether a folder is one Tacit wrote, so that a later run may replace it.
///
/// The marker holds one JSON object, `{"format": "tacit-folder-1", "kind": "run"}` (or
/// `"shard"`), and is written into the staging folder before anything else, so stale staging
/// folders carry it too. A folder counts as Tacit's own (`RunFolderMarker.check`) when
///
/// 1. it holds a marker of a format this version reads, of the kind being written (a run never
///    replaces a shard folder, nor a shard a run), or it holds no marker but the kind's
///    identifying file (`summary.json` for a run, `shard.json` for a shard) and `recipe.yaml`,
///    which every run and shard folder written before the marker existed holds; and
/// 2. everything in it is a file Tacit writes into that kind of folder (`knownEntries`), of the
///    right type: regular files, and for a run the folders `teacher/` and `student/` holding only
///    model files. Anything else (a `thesis.tex`, a symbolic link, a hidden file) means the folder
///    is not replaced.
///
/// An empty folder holds nothing to lose and may be replaced too.
public enum RunFolderMarker {
  /// What a folder holds: a run (`tacit run`, `tacit audit merge`) or one shard of reference
  /// models (`tacit shadow`).
  public enum Kind: String, Sendable {
    case run
    case shard

    /// The file every folder of this kind holds, marker or not.
    var identifyingFile: String { self == .run ? "summary.json" : "shard.json" }

    /// How messages name the kind: "a tacit run", "a tacit shard".
    var described: String { self == .run ? "a tacit run" : "a tacit shard" }
  }

  /// The marker's file name.
  public static let fileName = ".tacit-run"
  /// The marker's format, with its version.
  static let format = "tacit-folder-1"

  /// The marker's contents for a folder of `kind`.
  static func contents(_ kind: Kind) -> String {
    "{\"format\": \"\(format)\", \"kind\": \"\(kind.rawValue)\"}\n"
  }

  /// The files of one trained model (a run's top level, and a distillation run's `teacher/` and
  /// `student/`), as `RunPipeline.writeModelFiles` writes them.
  static let modelFiles: Set<String> = [
    "recipe.yaml", "privacy.json", "audit.json", "model.safetensors", "metrics.json", "summary.json", "report.html",
    "members.jsonl", "non-members.jsonl",
  ]

  /// The folders a distillation run holds, each holding only `modelFiles`.
  static let runSubfolders: Set<String> = ["teacher", "student"]

  /// The files of a language-model run's `hf/` folder (`LanguageModelExport`).
  static let exportFiles: Set<String> = LanguageModelExport.copiedTokenizerFiles.union([
    "config.json", "model.safetensors", LanguageModelFolder.byteTokenizerMarker,
  ])

  /// Whether `name` is a regular file Tacit writes at the top level of a folder of `kind`.
  static func isKnownFile(_ name: String, in kind: Kind) -> Bool {
    switch kind {
    case .run:
      return name == fileName || modelFiles.contains(name)
        || ["log.txt", "comparison.html", "comparison.json"].contains(name) || RunFolder.isResumeFile(name)
    case .shard:
      return name == fileName || name == "shard.json" || name == "recipe.yaml" || isReferenceFile(name)
    }
  }

  /// `reference-K.bin` (`ReferenceStore.fileName`).
  static func isReferenceFile(_ name: String) -> Bool {
    guard name.hasPrefix("reference-"), name.hasSuffix(".bin") else { return false }
    let digits = name.dropFirst("reference-".count).dropLast(".bin".count)
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// The kind a folder's marker names; `nil` when the folder holds no marker. Throws when the
  /// marker is unreadable or of a format this version does not know.
  static func markedKind(of folder: String) throws -> Kind? {
    let path = folder + "/" + fileName
    guard let data = FileManager.default.contents(atPath: path) else {
      guard FileManager.default.fileExists(atPath: path) else { return nil }
      throw PipelineError("\(path): cannot read the tacit folder marker; remove the folder or choose another (--output)")
    }
    func refuse(_ reason: String) -> PipelineError {
      PipelineError(
        "\(path): \(reason); tacit replaces only folders it wrote, so remove \(folder) or choose another folder (--output)")
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
      let format = object["format"] as? String
    else { throw refuse("not a tacit folder marker (expected {\"format\": \"\(self.format)\", \"kind\": …})") }
    guard format == self.format else {
      throw refuse("a folder marker of format '\(format)', which this version of tacit does not know (it reads \(self.format))")
    }
    guard let text = object["kind"] as? String, let kind = Kind(rawValue: text) else {
      throw refuse("the folder marker's `kind` is \(object["kind"].map { "\($0)" } ?? "missing"), not run or shard")
    }
    return kind
  }

  /// Checks that `folder` (an existing folder) is a folder of `kind` that Tacit wrote, by the
  /// rule in the type's description; throws a `PipelineError` saying what does not fit.
  static func check(_ folder: String, holds kind: Kind) throws {
    let entries = try Self.entries(of: folder)
    guard !entries.isEmpty else { return }
    let marked = try markedKind(of: folder)
    let found = marked ?? (entries.contains(Kind.run.identifyingFile) ? .run : entries.contains("shard.json") ? .shard : nil)
    guard let found else {
      throw PipelineError(
        "\(folder): exists and is not a folder tacit wrote (no \(fileName) marker, no summary.json or shard.json); "
          + "choose another folder (--output) or remove it")
    }
    guard found == kind else {
      throw PipelineError(
        "\(folder): is \(found.described) folder, not \(kind.described) folder; choose another folder (--output)")
    }
    if let foreign = try firstForeignEntry(in: folder, entries: entries, kind: kind) {
      throw PipelineError(
        "\(folder): holds \(foreign), which tacit does not write into \(kind.described) folder, so tacit will not "
          + "replace the folder; move it elsewhere, or choose another folder (--output)")
    }
    if marked == nil, let missing = [kind.identifyingFile, "recipe.yaml"].first(where: { !entries.contains($0) }) {
      throw PipelineError(
        "\(folder): has no \(fileName) marker and no \(missing), so it is not a complete \(kind.rawValue) folder tacit wrote; "
          + "choose another folder (--output) or remove it")
    }
  }

  /// The first entry (as a path relative to `folder`) that Tacit does not write into a folder of
  /// `kind`; `nil` when there is none.
  static func firstForeignEntry(in folder: String, entries: [String], kind: Kind) throws -> String? {
    for name in entries.sorted() {
      let type = try entryType(folder + "/" + name)
      if kind == .run, runSubfolders.contains(name) || name == "hf" {
        guard type == .typeDirectory else { return name }
        let known = name == "hf" ? exportFiles : modelFiles
        for inner in try Self.entries(of: folder + "/" + name).sorted() {
          let innerType = try entryType(folder + "/" + name + "/" + inner)
          guard innerType == .typeRegular, known.contains(inner) else { return name + "/" + inner }
        }
        continue
      }
      guard type == .typeRegular, isKnownFile(name, in: kind) else { return name }
    }
    return nil
  }

  /// The names in `folder`, hidden ones included.
  static func entries(of folder: String) throws -> [String] {
    try RunFolder.fileOperation("list", folder) { try FileManager.default.contentsOfDirectory(atPath: folder) }
  }

  /// The type of the entry at `path`, not following a symbolic link.
  static func entryType(_ path: String) throws -> FileAttributeType {
    let attributes = try RunFolder.fileOperation("inspect", path) { try FileManager.default.attributesOfItem(atPath: path) }
    return attributes[.type] as? FileAttributeType ?? .typeUnknown
  }

  /// Whether `folder` is a folder Tacit wrote, of either kind (empty folders excluded).
  static func isTacitFolder(_ folder: String) -> Bool {
    let identifying = [fileName, Kind.run.identifyingFile, Kind.shard.identifyingFile]
    guard identifying.contains(where: { FileManager.default.fileExists(atPath: folder + "/" + $0) }) else { return false }
    return (try? check(folder, holds: .run)) != nil || (try? check(folder, holds: .shard)) != nil
  }
}
