import Foundation
import TacitNN

/// A Hugging Face GPT-2 `config.json`, read and written (`transformers`' `GPT2Config`).
///
/// Keys read: `n_embd`, `n_layer`, `n_head`, `n_positions`, `vocab_size`, `layer_norm_epsilon`,
/// `activation_function`, `tie_word_embeddings` (default true), and, to refuse what Tacit's
/// `GPT2` does not compute, `model_type` / `architectures`, `n_inner` (null or 4·n_embd),
/// `scale_attn_weights` (true), `scale_attn_by_inverse_layer_idx` and `reorder_and_upcast_attn`
/// (false). GPT-2's activation is `gelu_new`, the tanh form of GELU (Hendrycks & Gimpel 2016);
/// `gelu_pytorch_tanh` is the same function, and the exact (erf) `gelu` is refused, not
/// approximated.
enum HuggingFaceGPT2Configuration {
  /// The activations that are GELU's tanh form.
  static let supportedActivations: Set<String> = ["gelu_new", "gelu_pytorch_tanh"]

  /// Reads `config.json` of `folder`. Throws a `PipelineError` (exit 65) naming the file and key.
  static func read(folder: String) throws -> GPT2Configuration {
    let path = folder + "/config.json"
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PipelineError("\(path): no such file; a Hugging Face GPT-2 folder holds config.json and model.safetensors")
    }
    guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
      throw PipelineError("\(path): not a JSON object")
    }
    try checkArchitecture(object, path: path)
    func integer(_ key: String) throws -> Int {
      guard let value = object[key] as? Int, value >= 1 else {
        throw PipelineError("\(path): \(key) must be a positive integer, got \(object[key].map { "\($0)" } ?? "nothing")")
      }
      return value
    }
    let width = try integer("n_embd")
    if let inner = object["n_inner"], !(inner is NSNull), (inner as? Int) != 4 * width {
      throw PipelineError("\(path): n_inner \(inner) is not supported; Tacit's GPT-2 MLP has 4·n_embd = \(4 * width) units")
    }
    let epsilon = (object["layer_norm_epsilon"] as? Double) ?? 1e-5
    guard epsilon > 0 else { throw PipelineError("\(path): layer_norm_epsilon must be positive, got \(epsilon)") }
    do {
      return try GPT2Configuration(
        vocabularySize: try integer("vocab_size"), contextLength: try integer("n_positions"), width: width,
        layerCount: try integer("n_layer"), headCount: try integer("n_head"), layerNormEpsilon: Float(epsilon),
        tieEmbeddings: (object["tie_word_embeddings"] as? Bool) ?? true)
    } catch let error as ShapeError {
      throw PipelineError("\(path): \(error.description)")
    }
  }

  /// Refuses a configuration of another architecture, activation or attention variant.
  private static func checkArchitecture(_ object: [String: Any], path: String) throws {
    if let type = object["model_type"] as? String, type != "gpt2" {
      throw PipelineError("\(path): model_type '\(type)' is not supported; Tacit reads GPT-2 models (model_type gpt2)")
    }
    if let architectures = object["architectures"] as? [String],
      let other = architectures.first(where: { !["GPT2LMHeadModel", "GPT2Model"].contains($0) })
    {
      throw PipelineError("\(path): architecture '\(other)' is not supported; Tacit reads GPT2LMHeadModel")
    }
    let activation = (object["activation_function"] as? String) ?? "gelu_new"
    guard supportedActivations.contains(activation) else {
      throw PipelineError(
        "\(path): activation_function '\(activation)' is not supported; Tacit's GPT-2 uses gelu_new (GELU's tanh form)")
    }
    for (key, expected) in [
      ("scale_attn_weights", true), ("scale_attn_by_inverse_layer_idx", false), ("reorder_and_upcast_attn", false),
    ] {
      if let value = object[key] as? Bool, value != expected {
        throw PipelineError("\(path): \(key) \(value) is not supported (Tacit's attention has \(key) \(expected))")
      }
    }
  }

  /// `config.json` for `configuration`, as `transformers` writes it for `GPT2LMHeadModel`
  /// (`bos_token_id`/`eos_token_id` when the tokenizer has them).
  static func json(_ configuration: GPT2Configuration, bos: Int?, eos: Int?) -> [String: Any] {
    var object: [String: Any] = [
      "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
      "n_embd": configuration.width, "n_layer": configuration.layerCount, "n_head": configuration.headCount,
      "n_positions": configuration.contextLength, "n_ctx": configuration.contextLength,
      "vocab_size": configuration.vocabularySize,
      "layer_norm_epsilon": Double("\(configuration.layerNormEpsilon)") ?? Double(configuration.layerNormEpsilon),
      "n_inner": NSNull(), "tie_word_embeddings": configuration.tieEmbeddings, "scale_attn_weights": true,
      "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0, "initializer_range": 0.02, "use_cache": true,
    ]
    if let bos { object["bos_token_id"] = bos }
    if let eos { object["eos_token_id"] = eos }
    return object
  }
}
