/// Options of `type: gpt2`: a GPT-2-architecture language model trained from scratch on the
/// recipe's text records (byte-level tokens: 256 bytes + BOS + EOS).
///
/// ```yaml
/// model: {type: gpt2, width: 128, layers: 4, heads: 4, context: 128, tie_embeddings: true}
/// ```
///
/// The architecture is GPT-2's (Radford et al. 2019): token and learned position embeddings,
/// `layers` pre-LayerNorm blocks (causal self-attention with `heads` heads, MLP of 4·`width`
/// with GELU), a final LayerNorm, and an output head tied to the token embedding unless
/// `tie_embeddings` is false. Hugging Face GPT-2 keys: `width` is `n_embd`, `layers` `n_layer`,
/// `heads` `n_head`, `context` `n_positions`.
public struct LanguageModelSpec: Sendable, Equatable {
  /// `width` (>= 1, default 128; a multiple of `heads`): the embedding width d.
  public var width: Int
  /// `layers` (>= 1, default 4): transformer blocks.
  public var layers: Int
  /// `heads` (>= 1, default 4): attention heads per block.
  public var heads: Int
  /// `context` (>= 2, default 128): the longest token sequence the model reads, BOS and EOS
  /// included; longer records are truncated or cut into windows (`data.long_records`).
  public var context: Int
  /// `tie_embeddings` (default true): the output head is the token embedding matrix (GPT-2).
  public var tieEmbeddings: Bool
  /// `layer_norm_epsilon` (> 0, default 1e-5).
  public var layerNormEpsilon: Double

  /// The options with GPT-2's defaults at Tacit's default size.
  public init(
    width: Int = 128, layers: Int = 4, heads: Int = 4, context: Int = 128, tieEmbeddings: Bool = true,
    layerNormEpsilon: Double = 1e-5
  ) {
    self.width = width
    self.layers = layers
    self.heads = heads
    self.context = context
    self.tieEmbeddings = tieEmbeddings
    self.layerNormEpsilon = layerNormEpsilon
  }
}
