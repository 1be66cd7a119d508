/// The size of a GPT-2-architecture model (`GPT2`), with Hugging Face's `config.json` key for each
/// field in its comment.
public struct GPT2Configuration: Sendable, Equatable, Codable {
  /// `V` (`vocab_size`): 258 for Tacit's byte-level tokens, 50257 for GPT-2's BPE.
  public let vocabularySize: Int
  /// `N` (`n_positions`): the most tokens a record may have.
  public let contextLength: Int
  /// `D` (`n_embd`).
  public let width: Int
  /// The number of transformer blocks (`n_layer`).
  public let layerCount: Int
  /// The number of attention heads `H` (`n_head`); divides `width`.
  public let headCount: Int
  /// The LayerNorm variance floor ε (`layer_norm_epsilon`).
  public let layerNormEpsilon: Float
  /// Whether the output head is the token embedding (GPT-2) or a separate `lm_head.weight`.
  public let tieEmbeddings: Bool

  /// A configuration, validated.
  ///
  /// - Throws: `ShapeError` when a size is not positive, `headCount` does not divide `width`, or
  ///   ε is negative or not finite.
  public init(
    vocabularySize: Int, contextLength: Int, width: Int, layerCount: Int, headCount: Int,
    layerNormEpsilon: Float = 1e-5, tieEmbeddings: Bool = true
  ) throws(ShapeError) {
    let sizes = [
      ("vocabularySize", vocabularySize), ("contextLength", contextLength), ("width", width), ("layerCount", layerCount),
      ("headCount", headCount),
    ]
    for (name, value) in sizes where value <= 0 {
      throw ShapeError("GPT-2 configuration: \(name) must be positive, got \(value)")
    }
    guard width % headCount == 0 else {
      throw ShapeError("GPT-2 configuration: headCount \(headCount) does not divide width \(width)")
    }
    guard layerNormEpsilon.isFinite && layerNormEpsilon >= 0 else {
      throw ShapeError("GPT-2 configuration: layerNormEpsilon must be finite and ≥ 0, got \(layerNormEpsilon)")
    }
    self.vocabularySize = vocabularySize
    self.contextLength = contextLength
    self.width = width
    self.layerCount = layerCount
    self.headCount = headCount
    self.layerNormEpsilon = layerNormEpsilon
    self.tieEmbeddings = tieEmbeddings
  }

  private enum CodingKeys: String, CodingKey {
    case vocabularySize, contextLength, width, layerCount, headCount, layerNormEpsilon, tieEmbeddings
  }

  /// Decodes and validates (`layerNormEpsilon` and `tieEmbeddings` may be absent: 1e-5, true).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    do {
      try self.init(
        vocabularySize: container.decode(Int.self, forKey: .vocabularySize),
        contextLength: container.decode(Int.self, forKey: .contextLength),
        width: container.decode(Int.self, forKey: .width),
        layerCount: container.decode(Int.self, forKey: .layerCount),
        headCount: container.decode(Int.self, forKey: .headCount),
        layerNormEpsilon: container.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5,
        tieEmbeddings: container.decodeIfPresent(Bool.self, forKey: .tieEmbeddings) ?? true)
    } catch let error as ShapeError {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
    }
  }
}
