import Foundation
import TacitNN
import TacitTensor

/// GPT-2's tensors in Hugging Face's `model.safetensors` and Tacit's `GPT2` parameters.
///
/// Names: Tacit's parameter `wte.weight` is `transformer.wte.weight`, `h.0.attn.c_attn.weight` is
/// `transformer.h.0.attn.c_attn.weight`, …; an untied head `lm_head.weight` keeps its name.
/// Reading also accepts the names without `transformer.` (the layout of GPT-2 on the hub).
/// Layout: Hugging Face GPT-2 computes its projections with `Conv1D`, whose weight is stored
/// `[in, out]` (`y = x W + b`); Tacit stores `[out, in]` (PyTorch `Linear`), so the four
/// projection weights of every block (`attn.c_attn`, `attn.c_proj`, `mlp.c_fc`, `mlp.c_proj`)
/// are transposed both ways. Files may hold the attention masks old `transformers` versions
/// saved as buffers (`attn.bias`, `attn.masked_bias`): they are not parameters and are ignored;
/// a tied model's `lm_head.weight`, when present, must equal `transformer.wte.weight`.
enum HuggingFaceGPT2Weights {
  /// Whether Tacit's parameter `name` is a Conv1D weight (stored transposed by Hugging Face).
  static func isConv1DWeight(_ name: String) -> Bool {
    name.hasSuffix(".weight") && [".attn.c_attn.", ".attn.c_proj.", ".mlp.c_fc.", ".mlp.c_proj."].contains { name.contains($0) }
  }

  /// Hugging Face's name of Tacit's parameter `name`.
  static func huggingFaceName(_ name: String) -> String {
    name == "lm_head.weight" ? name : "transformer." + name
  }

  /// The tensors of `model` (a `GPT2`'s named parameters) under Hugging Face's names and layout.
  static func tensors(of model: GPT2) -> [String: Tensor] {
    var tensors: [String: Tensor] = [:]
    for (name, parameter) in model.namedParameters {
      tensors[huggingFaceName(name)] = isConv1DWeight(name) ? parameter.value.transposed2D() : parameter.value
    }
    return tensors
  }

  /// Sets `model`'s parameters from the Hugging Face tensors of `file`. Throws naming the file and
  /// tensor for a missing, misshapen or unexpected tensor.
  static func load(_ stored: [String: Tensor], into model: GPT2, file: String) throws {
    // Checkpoints name tensors with the `transformer.` prefix (save_pretrained of GPT2LMHeadModel)
    // or without it (openai-community/gpt2 on the hub); both load.
    var tensors: [String: Tensor] = [:]
    for (key, value) in stored {
      let name = key.hasPrefix("transformer.") ? String(key.dropFirst("transformer.".count)) : key
      if tensors.updateValue(value, forKey: huggingFaceName(name)) != nil {
        throw PipelineError("\(file): tensor \(name) is stored twice (with and without the transformer. prefix)")
      }
    }
    var unused = Set(tensors.keys.filter { !$0.hasSuffix(".attn.bias") && !$0.hasSuffix(".attn.masked_bias") })
    for (name, parameter) in model.namedParameters {
      let key = huggingFaceName(name)
      guard let stored = tensors[key] else {
        throw PipelineError("\(file): tensor \(key) is missing; the model's config.json needs it")
      }
      let value = isConv1DWeight(name) && stored.rank == 2 ? stored.transposed2D() : stored
      guard value.shape == parameter.value.shape else {
        throw PipelineError(
          "\(file): tensor \(key) has shape \(stored.shape); config.json implies \(isConv1DWeight(name) ? Array(parameter.value.shape.reversed()) : parameter.value.shape)"
        )
      }
      parameter.value = value
      unused.remove(key)
    }
    if model.configuration.tieEmbeddings, let head = tensors["lm_head.weight"] {
      guard head == tensors["transformer.wte.weight"] else {
        throw PipelineError(
          "\(file): lm_head.weight differs from transformer.wte.weight, but config.json ties them (tie_word_embeddings)")
      }
      unused.remove("lm_head.weight")
    }
    if let extra = unused.sorted().first {
      throw PipelineError("\(file): tensor \(extra) is not part of a GPT-2 model with this config.json (\(unused.count) such)")
    }
  }
}

extension Tensor {
  /// The transpose of a rank-2 tensor `[r, c]` → `[c, r]`.
  func transposed2D() -> Tensor {
    precondition(rank == 2, "transposed2D needs a matrix, got shape \(shape)")
    let rows = shape[0]
    let columns = shape[1]
    var result = [Float](repeating: 0, count: count)
    scalars.withUnsafeBufferPointer { source in
      for row in 0..<rows {
        for column in 0..<columns { result[column * rows + row] = source[row * columns + column] }
      }
    }
    return Tensor(shape: [columns, rows], scalars: result)
  }
}
