import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitTensor
import TacitText
import TacitTraining

/// `tacit score MODEL TEXTS`: every text's tokens, per-token log-probabilities and membership
/// scores under a language model.
///
/// For a text tokenised as `x_0 … x_{n−1}` (a Tacit byte-level model's records are
/// `[BOS, bytes…, EOS]`, as in training; an imported model's are its BPE ids, nothing added),
/// `token_log_probs[i−1] = log p(x_i | x_<i)` for i = 1 … n−1 (natural log; one fewer than the
/// tokens, the first token is never scored), `loss` = their negated mean and `perplexity` =
/// e^loss. Texts longer than the model's context are cut to their first `context` tokens
/// (`truncated` says so). Batches hold at most 2²⁴ logits.
///
/// The scoring pass also keeps, per scored position, μ_t and σ_t of log p under the model's full
/// next-token distribution (`NextTokenMoments`, exact over the vocabulary), scores the
/// lower-cased text (`String.lowercased()`, Unicode's full lower-case mapping), optionally the
/// text under a reference model, and measures the text's zlib-6 size, so every attack of
/// `LanguageModelAttack` has its inputs (`zlib_ratio` compresses the whole text, also when the
/// model saw it truncated).
public enum TextScoring {
  /// One scored text.
  public struct Score: Sendable {
    public var text: String
    public var tokens: [Int]
    public var tokenLogProbabilities: [Double]
    public var truncated: Bool
    /// μ_t and σ_t per scored position (`NextTokenMoments`), `[n − 1]` each.
    public var means: [Double] = []
    public var standardDeviations: [Double] = []
    /// The lower-cased text's log-probs (its own tokens), when scored.
    public var lowercaseTokenLogProbabilities: [Double]?
    /// The text's log-probs under the reference model, when one was given.
    public var referenceTokenLogProbabilities: [Double]?
    /// Min-K%'s fraction k.
    public var k = TextScoring.defaultK
    public var loss: Double {
      tokenLogProbabilities.isEmpty ? .nan : -tokenLogProbabilities.reduce(0, +) / Double(tokenLogProbabilities.count)
    }
    public var perplexity: Double { Foundation.exp(loss) }

    /// The attacks' inputs.
    public var attackInputs: LanguageModelAttack.Inputs {
      LanguageModelAttack.Inputs(
        tokenLogProbabilities: tokenLogProbabilities,
        means: means.count == tokenLogProbabilities.count ? means : nil,
        standardDeviations: standardDeviations.count == tokenLogProbabilities.count ? standardDeviations : nil,
        lowercaseTokenLogProbabilities: lowercaseTokenLogProbabilities,
        referenceTokenLogProbabilities: referenceTokenLogProbabilities,
        compressedBytes: Zlib.compressedSize(Array(text.utf8), level: 6))
    }

    /// The JSON Lines object of `tacit score --json`: the text's fields, then every attack's raw
    /// value (`LanguageModelAttack`, keyed by its raw value; `reference_ratio` only with a
    /// reference model). Non-finite values are null (a text of one token has nothing to score).
    public var jsonObject: [String: Any] {
      func number(_ value: Double) -> Any { value.isFinite ? value : NSNull() }
      var object: [String: Any] = [
        "text": text, "tokens": tokens, "token_log_probs": tokenLogProbabilities,
        "loss": number(loss), "perplexity": number(perplexity), "truncated": truncated,
        "mu": means, "sigma": standardDeviations, "k": k,
      ]
      if let lowercaseTokenLogProbabilities { object["lowercase_token_log_probs"] = lowercaseTokenLogProbabilities }
      if let referenceTokenLogProbabilities { object["reference_token_log_probs"] = referenceTokenLogProbabilities }
      let inputs = attackInputs
      for attack in LanguageModelAttack.allCases where attack != .loss {
        if let value = attack.value(inputs, k: k) { object[attack.rawValue] = number(value) }
      }
      return object
    }
  }

  /// Min-K%'s default fraction (Shi et al. 2024).
  public static let defaultK = 0.2

  /// Scores the texts of `textsPath` under the model at `modelPath` (`LanguageModelFolder`), the
  /// lower-cased texts too, and under the model at `referencePath` when given.
  public static func scoreWithAttacks(
    modelPath: String, textsPath: String, referencePath: String? = nil, k: Double = defaultK
  ) throws -> [Score] {
    try scoreWithAttacks(texts: try readTexts(textsPath), modelPath: modelPath, referencePath: referencePath, k: k)
  }

  /// `scoreWithAttacks` on texts already read.
  static func scoreWithAttacks(texts: [String], modelPath: String, referencePath: String?, k: Double) throws -> [Score] {
    precondition(k > 0 && k <= 1, "Min-K% needs k in (0, 1], got \(k)")
    let folder = try LanguageModelFolder.load(modelPath)
    let reference = try referencePath.map(LanguageModelFolder.load)
    var scores = score(texts, model: folder.model, tokenizer: folder.tokenizer)
    let lowercase = score(texts.map { $0.lowercased() }, model: folder.model, tokenizer: folder.tokenizer, moments: false)
    let referenceScores = reference.map { score(texts, model: $0.model, tokenizer: $0.tokenizer, moments: false) }
    for index in scores.indices {
      scores[index].k = k
      scores[index].lowercaseTokenLogProbabilities = lowercase[index].tokenLogProbabilities
      scores[index].referenceTokenLogProbabilities = referenceScores?[index].tokenLogProbabilities
    }
    return scores
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

  /// Scores `texts` with `model` (a `GPT2` in a `Sequential`) and `tokenizer`, in input order,
  /// with μ_t and σ_t unless `moments` is false; each text is cut to the model's context
  /// (`truncated`). The batches are `TokenRecordInference`'s, as in the after-run audit.
  static func score(_ texts: [String], model: Sequential, tokenizer: any Tokenizer, moments: Bool = true) -> [Score] {
    let context = model.inputShape[0]
    let encoded = texts.map { tokenizer.encodeRecord($0) }
    let records = LabeledDataset(
      features: TokenRecords.tensor(encoded, context: context), labels: [Int32](repeating: 0, count: texts.count),
      classCount: 1, name: "scored texts")
    var scores: [Score] = []
    scores.reserveCapacity(texts.count)
    // [N, T] records: in order, one row each.
    TokenRecordInference.forEachBatch(of: model, on: records) { tokens, logits, _, _ in
      let logProbabilities = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: tokens)
      let distributions = moments ? NextTokenMoments.moments(logits: logits, lengths: GPT2.recordLengths(tokens)) : nil
      for row in 0..<tokens.shape[0] {
        let index = scores.count
        var score = Score(
          text: texts[index], tokens: Array(encoded[index].prefix(context)),
          tokenLogProbabilities: logProbabilities[row].map(Double.init), truncated: encoded[index].count > context)
        if let distributions {
          score.means = distributions[row].means
          score.standardDeviations = distributions[row].standardDeviations
        }
        scores.append(score)
      }
    }
    return scores
  }
}
