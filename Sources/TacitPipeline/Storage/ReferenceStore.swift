import Foundation
import TacitAudit
import TacitReport

/// Reference models' views saved by `tacit shadow` and read back by `tacit audit merge`.
///
/// A shard folder holds `shard.json` (the manifest: format, the recipe fingerprint, the shard
/// index and count, the reference indices it trained), `recipe.yaml` (the recipe as the shard
/// read it, overrides applied) and one `reference-K.bin` per reference model K:
///
///     "TACITREF" (8 bytes) · version UInt32 = 1 · index, records, queries, features, population: UInt32
///     isMember: records bytes (0/1)
///     φ: records·queries Float64 · p_y: records Float64 · features: records·features Float64 ·
///     population p_y: population Float64
///
/// all little-endian. Doubles are stored bit for bit, so a merged audit equals an unsharded one.
enum ReferenceStore {
  static let magic = Array("TACITREF".utf8)
  static let version: UInt32 = 1

  /// The manifest of one shard folder, `shard.json`: `{"format": "tacit-shard-1",
  /// "recipe_fingerprint", "shard_index", "shard_count", "reference_models", "references": [K…]}`.
  struct Manifest: Equatable {
    var format = "tacit-shard-1"
    /// `fingerprint(of:)` of the recipe every reference was trained for.
    var recipeFingerprint: String
    var shardIndex: Int
    var shardCount: Int
    /// Total reference models of the recipe (`audit.reference_models`).
    var referenceModels: Int
    /// The reference indices this shard trained.
    var references: [Int]

    init(recipeFingerprint: String, shardIndex: Int, shardCount: Int, referenceModels: Int, references: [Int]) {
      self.recipeFingerprint = recipeFingerprint
      self.shardIndex = shardIndex
      self.shardCount = shardCount
      self.referenceModels = referenceModels
      self.references = references
    }

    /// `shard.json`'s text (through `JSONText`, as every JSON file of a run).
    func json() -> String {
      JSONText.encode(
        [
          "format": format, "recipe_fingerprint": recipeFingerprint, "shard_index": shardIndex,
          "shard_count": shardCount, "reference_models": referenceModels, "references": references,
        ] as [String: Any])
    }

    /// Reads `json()`'s format; errors name the file and what is wrong.
    init(data: Data, file: String) throws {
      func fail(_ reason: String) -> PipelineError { PipelineError("\(file): not a shard manifest (\(reason))") }
      let object = try JSONFile.object(in: data, malformed: fail("malformed JSON"), notAnObject: fail("not a JSON object"))
      func integer(_ key: String) throws -> Int {
        guard let value = object[key] else { throw fail("missing `\(key)`") }
        guard let integer = JSONText.integer(value) else { throw fail("`\(key)` is not an integer") }
        return integer
      }
      guard let format = object["format"] as? String else { throw fail("`format` is missing or not a string") }
      guard let fingerprint = object["recipe_fingerprint"] as? String else {
        throw fail("`recipe_fingerprint` is missing or not a string")
      }
      guard let list = object["references"] as? [Any] else { throw fail("`references` is missing or not an array") }
      let references = try list.map { element in
        guard let index = JSONText.integer(element) else { throw fail("`references` holds something other than integers") }
        return index
      }
      self.init(
        recipeFingerprint: fingerprint, shardIndex: try integer("shard_index"), shardCount: try integer("shard_count"),
        referenceModels: try integer("reference_models"), references: references)
      self.format = format
    }
  }

  /// The reference indices shard `index` of `count` trains: K with K mod count = index.
  static func indices(shard index: Int, of count: Int, referenceModels: Int) -> [Int] {
    Array(stride(from: index, to: referenceModels, by: count))
  }

  /// FNV-1a (64-bit) of the resolved recipe text: equal for the same recipe, seed and overrides.
  static func fingerprint(of resolvedRecipe: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in resolvedRecipe.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return String(format: "%016llx", hash)
  }

  static func fileName(_ index: Int) -> String { "reference-\(index).bin" }

  /// The binary form of one reference model's view.
  static func encode(_ reference: ReferenceTraining.Reference) -> Data {
    let view = reference.view
    let records = reference.isMember.count
    let queries = view.logitScaledConfidence.first?.count ?? 0
    let features = view.attackFeatures.first?.count ?? 0
    var data = Data(magic)
    func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    func append(_ value: Double) { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    append(version)
    for count in [reference.index, records, queries, features, view.populationProbabilities.count] { append(UInt32(count)) }
    data.append(contentsOf: reference.isMember.map { $0 ? UInt8(1) : 0 })
    for row in view.logitScaledConfidence { for value in row { append(value) } }
    for value in view.trueLabelProbabilities { append(value) }
    for row in view.attackFeatures { for value in row { append(value) } }
    for value in view.populationProbabilities { append(value) }
    return data
  }

  /// Reads `encode`'s format; errors name the file.
  static func decode(_ data: Data, file: String) throws -> ReferenceTraining.Reference {
    var offset = 0
    func fail(_ reason: String) -> PipelineError { PipelineError("\(file): not a tacit reference-model file (\(reason))") }
    func bytes(_ count: Int) throws -> Data {
      guard offset + count <= data.count else { throw fail("truncated at byte \(offset)") }
      defer { offset += count }
      return data.subdata(in: (data.startIndex + offset)..<(data.startIndex + offset + count))
    }
    func uint32() throws -> Int {
      let raw = try bytes(4)
      return Int(UInt32(littleEndian: raw.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
    }
    func doubles(_ count: Int) throws -> [Double] {
      let raw = try bytes(8 * count)
      return raw.withUnsafeBytes { buffer in
        (0..<count).map {
          Double(bitPattern: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
        }
      }
    }
    guard Array(try bytes(magic.count)) == magic else { throw fail("bad magic") }
    guard try uint32() == Int(version) else { throw fail("unsupported version") }
    let index = try uint32(), records = try uint32(), queries = try uint32(), features = try uint32()
    let population = try uint32()
    let isMember = try bytes(records).map { $0 != 0 }
    let phi = try doubles(records * queries)
    let probabilities = try doubles(records)
    let featureValues = try doubles(records * features)
    let populationProbabilities = try doubles(population)
    guard offset == data.count else { throw fail("\(data.count - offset) trailing bytes") }
    let view = ModelView(
      logitScaledConfidence: (0..<records).map { Array(phi[($0 * queries)..<($0 * queries + queries)]) },
      trueLabelProbabilities: probabilities,
      attackFeatures: (0..<records).map { Array(featureValues[($0 * features)..<($0 * features + features)]) },
      populationProbabilities: populationProbabilities, outputs: nil)
    return ReferenceTraining.Reference(index: index, isMember: isMember, view: view)
  }

  /// Reads every reference of the shard folders, checking they were trained for
  /// `fingerprint` and together hold references 0..<`referenceModels` exactly once.
  static func load(directories: [String], fingerprint: String, referenceModels: Int) throws -> [ReferenceTraining.Reference] {
    var byIndex: [Int: (ReferenceTraining.Reference, String)] = [:]
    for directory in directories {
      let manifestPath = directory + "/shard.json"
      guard let manifestData = FileManager.default.contents(atPath: manifestPath) else {
        throw PipelineError("\(manifestPath): missing; \(directory) is not a folder written by `tacit shadow`")
      }
      let manifest = try Manifest(data: manifestData, file: manifestPath)
      guard manifest.recipeFingerprint == fingerprint else {
        throw PipelineError(
          "\(directory): trained for another recipe (fingerprint \(manifest.recipeFingerprint), expected \(fingerprint)); "
            + "every shard must use the same recipe, seed and --set overrides")
      }
      for index in manifest.references {
        let file = directory + "/" + fileName(index)
        guard let data = FileManager.default.contents(atPath: file) else { throw PipelineError("\(file): missing") }
        let reference = try decode(data, file: file)
        guard reference.index == index else { throw PipelineError("\(file): holds reference \(reference.index), not \(index)") }
        if let earlier = byIndex[index] {
          throw PipelineError("reference model \(index) appears twice: \(earlier.1) and \(directory)")
        }
        byIndex[index] = (reference, directory)
      }
    }
    let missing = (0..<referenceModels).filter { byIndex[$0] == nil }
    guard missing.isEmpty else {
      throw PipelineError(
        "reference models \(missing.map(String.init).joined(separator: ", ")) are missing: the shards given cover "
          + "\(byIndex.count) of \(referenceModels); run the missing `tacit shadow --shard` jobs")
    }
    if let extra = byIndex.keys.first(where: { $0 >= referenceModels }) {
      throw PipelineError("reference model \(extra) is beyond the recipe's audit.reference_models (\(referenceModels))")
    }
    return (0..<referenceModels).map { byIndex[$0]!.0 }
  }
}
