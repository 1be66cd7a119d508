import Foundation
import TacitNN
import TacitTensor
import TacitText

/// `tacit generate MODEL --prompt TEXT`: a continuation sampled from a language model.
///
/// The prompt is tokenised as a record's start (a byte-level model's BOS, then the prompt's
/// tokens; no end marker). Each step reads the last `context` tokens, takes the next-token
/// logits z, and draws from softmax(z / T) restricted to the `topK` most likely tokens (all when
/// `topK` is nil); T = 0 takes the most likely token (greedy). Generation stops after `tokens`
/// new tokens or at the tokenizer's end of text. The draws come from one `SeededGenerator(seed)`,
/// so the same model, prompt, options and seed give the same text.
public enum TextGeneration {
  /// The prompt followed by its generated continuation.
  public static func generate(
    modelPath: String, prompt: String, tokens: Int, temperature: Double, topK: Int?, seed: UInt64
  ) throws -> String {
    let folder = try LanguageModelFolder.load(modelPath)
    return generate(
      model: folder.model, tokenizer: folder.tokenizer, prompt: prompt, tokens: tokens, temperature: temperature,
      topK: topK, seed: seed)
  }

  static func generate(
    model: Sequential, tokenizer: any Tokenizer, prompt: String, tokens: Int, temperature: Double, topK: Int?,
    seed: UInt64
  ) -> String {
    let context = model.inputShape[0]
    let start = tokenizer.recordStartID.map { [$0] } ?? []
    var ids = start + tokenizer.encode(prompt)
    var random = SeededGenerator(seed: seed)
    var inference = SeededGenerator(seed: 0)  // inference mode draws nothing
    for _ in 0..<tokens {
      let window = Array(ids.suffix(context))
      let logits = model.forward(TokenRecords.tensor([window], context: window.count), mode: .inference, generator: &inference)
      let vocabulary = logits.count / window.count
      let last = Array(logits.scalars[((window.count - 1) * vocabulary)..<(window.count * vocabulary)])
      let next = sample(last, temperature: temperature, topK: topK, generator: &random)
      if next == tokenizer.endOfTextID { break }
      ids.append(next)
    }
    model.releaseCaches()
    return tokenizer.decode(Array(ids.dropFirst(start.count)))
  }

  /// A token drawn from `softmax(logits / temperature)` over the `topK` largest logits (greedy at
  /// temperature 0). Ties in the ordering are broken by the smaller id.
  static func sample(_ logits: [Float], temperature: Double, topK: Int?, generator: inout SeededGenerator) -> Int {
    let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
    guard temperature > 0 else { return order[0] }
    let kept = order.prefix(min(topK ?? order.count, order.count))
    let largest = Double(logits[kept.first!])
    let weights = kept.map { Foundation.exp((Double(logits[$0]) - largest) / temperature) }
    var threshold = Random.uniformDouble(using: &generator) * weights.reduce(0, +)
    for (index, weight) in zip(kept, weights) {
      threshold -= weight
      if threshold < 0 { return index }
    }
    return kept.last!
  }
}
