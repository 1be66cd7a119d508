import Foundation
import TacitNN
import TacitTensor
import TacitText

/// `tacit score MODEL TEXTS`: every text's tokens and per-token log-probabilities under a
/// language model.
///
/// For a text tokenised as `x_0 … x_{n−1}` (a Tacit byte-level model's records are
/// `[BOS, bytes…, EOS]`, as in training; an imported model's are its BPE ids, nothing added),
/// `token_log_probs[i−1] = log p(x_i | x_<i)` for i = 1 … n−1 (natural log; one fewer than the
/// tokens, the first token is never scored), `loss` = their negated mean and `perplexity` =
/// e^loss. Texts longer than the model's context are cut to their first `context` tokens
/// (`truncated` says so). Batches hold at most 2²⁴ logits.
public enum TextScoring {
  /// One scored text.
  public struct Score: Sendable {
    public var text: String
    public var tokens: [Int]
    public var tokenLogProbabilities: [Double]
    public var truncated: Bool
    public var loss: Double { tokenLogProbabilities.isEmpty ? .nan : -tokenLogProbabilities.reduce(0, +) / Double(tokenLogProbabilities.count) }
    public var perplexity: Double { Foundation.exp(loss) }

    /// The JSON Lines object of `tacit score --json` (`loss` and `perplexity` are null for a text
    /// of one token, which has nothing to score).
    public var jsonObject: [String: Any] {
      [
        "text": text, "tokens": tokens, "token_log_probs": tokenLogProbabilities,
        "loss": loss.isFinite ? loss as Any : NSNull(), "perplexity": perplexity.isFinite ? perplexity as Any : NSNull(),
        "truncated": truncated,
      ]
    }
  }

  /// Scores the texts of `textsPath` (one per line, or `.jsonl` with a `text` field) under the
  /// model at `modelPath` (`LanguageModelFolder`).
  public static func score(modelPath: String, textsPath: String) throws -> [Score] {
    let folder = try LanguageModelFolder.load(modelPath)
    return score(try readTexts(textsPath), model: folder.model, tokenizer: folder.tokenizer)
  }

  /// The texts of a file: one per line (blank lines skipped), or the `text` field of each line of
  /// a `.jsonl` file.
  static func readTexts(_ path: String) throws -> [String] {
    let format: TextFormat = path.hasSuffix(".jsonl") ? .jsonl(field: "text") : .lines
    do {
      return try TextRecordReader(format: format).read(file: path).map(\.text)
    } catch let error as TextError {
      throw PipelineError(error.description)
    }
  }

  /// Scores `texts` with `model` (a `GPT2` in a `Sequential`) and `tokenizer`, in input order.
  static func score(_ texts: [String], model: Sequential, tokenizer: any Tokenizer) -> [Score] {
    let context = model.inputShape[0]
    let vocabulary = model.outputShape.last ?? 1
    let batchSize = max(1, (1 << 24) / max(context * vocabulary, 1))
    var scores: [Score] = []
    var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
    var start = 0
    while start < texts.count {
      let batch = Array(texts[start..<min(start + batchSize, texts.count)])
      let encoded = batch.map { tokenizer.encodeRecord($0) }
      let tokens = TokenRecords.tensor(encoded, context: context)
      let logits = model.forward(tokens, mode: .inference, generator: &generator)
      let logProbabilities = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: tokens)
      for (index, text) in batch.enumerated() {
        scores.append(
          Score(
            text: text, tokens: Array(encoded[index].prefix(context)),
            tokenLogProbabilities: logProbabilities[index].map(Double.init), truncated: encoded[index].count > context))
      }
      start += batch.count
    }
    model.releaseCaches()
    return scores
  }
}

/// Token records as the model reads them.
enum TokenRecords {
  /// `[B, context]` Float ids, each record cut to `context` tokens and right-padded with
  /// `GPT2.paddingToken`.
  static func tensor(_ records: [[Int]], context: Int) -> Tensor {
    Tensor(shape: [records.count, context]) { buffer in
      for (row, record) in records.enumerated() {
        for position in 0..<context {
          buffer[row * context + position] = position < record.count ? Float(record[position]) : GPT2.paddingToken
        }
      }
    }
  }
}
