import ArgumentParser
import Foundation
import TacitPipeline
import TacitReport
import TacitTensor

/// `tacit score MODEL TEXTS`: per-token log-probabilities, loss and perplexity of texts.
struct ScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Score texts under a language model (token log-probabilities, loss, perplexity, membership scores).",
    discussion: """
      MODEL is a Tacit language-model run folder or a Hugging Face GPT-2 folder (config.json, \
      model.safetensors, and tokenizer.json or vocab.json + merges.txt). TEXTS holds one text per \
      line (blank lines skipped), or is a .jsonl file whose objects have a "text" field. With \
      --json, one JSON object per text per line, in input order: text, tokens (ids as the \
      tokenizer gives them; a Tacit byte-level model frames a text with BOS and EOS, an imported \
      model adds nothing), token_log_probs (natural log of p(token_i | tokens_<i) for i ≥ 1), \
      loss (their negated mean), perplexity, truncated (the text was cut to the model's context); \
      mu and sigma (per scored token, the mean and standard deviation of log p under the model's \
      full next-token distribution), lowercase_token_log_probs (the lower-cased text's), k, and \
      the membership scores min_k (mean of the max(1, floor(k n)) lowest log-probs), \
      min_k_plus_plus (the same over (log p - mu)/sigma), zlib_ratio (loss / zlib-6 bytes of the \
      text), lowercase_ratio (lower-cased loss / loss); with --reference, \
      reference_token_log_probs and reference_ratio (loss - reference loss). Add a member field \
      (0 or 1) to each line and `tacit audit lm-scores` audits the file.
      """)

  @Argument(help: "The model: a Tacit LM run folder or a Hugging Face GPT-2 folder.") var model: String
  @Argument(help: "The texts: one per line, or .jsonl with a text field.") var texts: String
  @Flag(help: "Print JSON Lines.") var json = false
  @Option(parsing: .unconditional, help: "Min-K%'s fraction k, in (0, 1].") var k: Double = TextScoring.defaultK
  @Option(help: "A reference model (run folder or Hugging Face GPT-2 folder) for reference_ratio.") var reference: String?
  @Option(help: "Compute threads (default 1).") var threads: Int = 1

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    guard k > 0 && k <= 1 else { throw ValidationError("--k must be in (0, 1], got \(k)") }
  }

  func run() throws {
    BLAS.setThreadCount(threads)
    let scores = try reportingErrors {
      try TextScoring.scoreWithAttacks(modelPath: model, textsPath: texts, referencePath: reference, k: k)
    }
    if json {
      for score in scores { print(JSONText.encodeLine(score.jsonObject)) }
      return
    }
    print("  #  tokens       loss  perplexity  text")
    for (index, score) in scores.enumerated() {
      let text = score.text.replacingOccurrences(of: "\n", with: "⏎")
      let shown = text.count > 60 ? String(text.prefix(59)) + "…" : text
      print(
        String(format: "%3d  %6d  %9.4f  %10.3f  ", index + 1, score.tokens.count, score.loss, score.perplexity)
          + shown + (score.truncated ? " (truncated)" : ""))
    }
  }
}
