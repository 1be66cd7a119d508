import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitTensor
import TacitText
import TacitTraining

/// The after-run attacks that read a language model's token log-probabilities and the records'
/// text (`AuditSection.Attack.needsText`): `min_k`, `min_k_plus_plus`, `zlib_ratio`,
/// `lowercase_ratio` and `reference_ratio`, the statistics `tacit score --json` prints, computed
/// and oriented (higher, likelier a member) by `LanguageModelAttack`, from:
///
/// - ℓ_t of each record, and μ_t, σ_t exact over the vocabulary (`NextTokenMoments`);
/// - zlib₆ bytes of the record's text;
/// - ℓ_t of the lower-cased record, framed, truncated or windowed like the record;
/// - ℓ_t under the reference model reading the same tokens (`referenceModel` checks that it can).
///
/// A record's text is what the model read: its tokens (windows joined, each token once) decoded
/// by the run's tokenizer, so a truncated record's text is its first `context` tokens.
enum LanguageModelAttacks {
  /// Per record, over its predicted tokens in order (a windowed record's windows joined): ℓ_t,
  /// and μ_t, σ_t of log p under the model's next-token distribution.
  struct TokenStatistics {
    var logProbabilities: [[Double]] = []
    var means: [[Double]] = []
    var standardDeviations: [[Double]] = []
  }

  /// The scores of `attacks` (those that `needsText`) on `dataset`'s records.
  static func scores(
    _ attacks: [AuditSection.Attack], model: Sequential, records dataset: LabeledDataset, setup: LanguageModelSetup,
    windows: Bool, k: Double, reference: Sequential? = nil
  ) -> [AuditSection.Attack: [Double]] {
    let wanted = attacks.filter(\.needsText)
    guard !wanted.isEmpty else { return [:] }
    let statistics = self.statistics(of: model, on: dataset)
    var inputs = statistics.logProbabilities.indices.map { record in
      LanguageModelAttack.Inputs(
        tokenLogProbabilities: statistics.logProbabilities[record], means: statistics.means[record],
        standardDeviations: statistics.standardDeviations[record])
    }
    if wanted.contains(.zlibRatio) || wanted.contains(.lowercaseRatio) {
      let texts = self.texts(of: dataset, tokenizer: setup.tokenizer)
      if wanted.contains(.zlibRatio) {
        for (record, text) in texts.enumerated() {
          inputs[record].compressedBytes = Zlib.compressedSize(Array(text.utf8), level: 6)
        }
      }
      if wanted.contains(.lowercaseRatio) {
        let lowered = records(texts.map { $0.lowercased() }, setup: setup, windows: windows)
        for (record, values) in Self.statistics(of: model, on: lowered).logProbabilities.enumerated() {
          inputs[record].lowercaseTokenLogProbabilities = values
        }
      }
    }
    if wanted.contains(.referenceRatio) {
      guard let reference else { preconditionFailure("the reference_ratio attack without a reference model") }
      for (record, values) in Self.statistics(of: reference, on: dataset).logProbabilities.enumerated() {
        inputs[record].referenceTokenLogProbabilities = values
      }
    }
    var result: [AuditSection.Attack: [Double]] = [:]
    for attack in wanted {
      guard let scoring = LanguageModelAttack(rawValue: attack.rawValue) else {
        preconditionFailure("\(attack.rawValue) is not a text attack")
      }
      result[attack] = inputs.map { scoring.membershipScore($0, k: k)! }
    }
    return result
  }

  /// The reference model at `path` (a Tacit LM run or a Hugging Face GPT-2 folder), refused when
  /// it cannot read the run's records: another vocabulary, another tokenization of a probe text,
  /// or a shorter context.
  static func referenceModel(at path: String, setup: LanguageModelSetup) throws -> Sequential {
    let folder = try LanguageModelFolder.load(path)
    let probe = "Reference probe: Ünïcode, digits 0123456789, spaces  and\ttabs."
    guard folder.tokenizer.vocabularySize == setup.tokenizer.vocabularySize,
      folder.tokenizer.encodeRecord(probe) == setup.tokenizer.encodeRecord(probe)
    else {
      throw PipelineError(
        "audit.reference_model: \(path) tokenizes text differently from the run's model (vocabulary of "
          + "\(folder.tokenizer.vocabularySize) against \(setup.tokenizer.vocabularySize) ids); a reference must read the same tokens"
      )
    }
    let context = folder.model.inputShape.first ?? 0
    guard context >= setup.context else {
      throw PipelineError(
        "audit.reference_model: \(path) reads at most \(context) tokens, the run's records up to \(setup.context)")
    }
    return folder.model
  }

  /// Each record's text: its tokens (`[N, T]` rows, or `[N, K, T]` windows overlapping by one
  /// token, joined) up to the padding, decoded.
  static func texts(of dataset: LabeledDataset, tokenizer: any Tokenizer) -> [String] {
    let features = dataset.features
    let T = features.shape.last ?? 0
    let rowsPerRecord = features.rank == 3 ? features.shape[1] : 1
    return (0..<dataset.count).map { record in
      var ids: [Int] = []
      for window in 0..<rowsPerRecord {
        let start = (record * rowsPerRecord + window) * T
        let row = features.scalars[start..<(start + T)].prefix { $0 != GPT2.paddingToken }.map { Int($0) }
        ids += window == 0 ? row : Array(row.dropFirst())
      }
      return tokenizer.decode(ids)
    }
  }

  /// `texts` as token records laid out like the run's (framed by the tokenizer; truncated to the
  /// context, or cut into `windows`).
  static func records(_ texts: [String], setup: LanguageModelSetup, windows: Bool) -> LabeledDataset {
    let encoded = texts.map { setup.tokenizer.encodeRecord($0) }
    let features = TokenRecords.features(encoded, context: setup.context, windows: windows)
    return LabeledDataset(
      features: features, labels: [Int32](repeating: 0, count: texts.count), classCount: 1, name: "lower-cased")
  }

  /// ℓ_t, μ_t, σ_t of every record of `dataset` (inference mode, `TokenRecordInference`'s batches).
  static func statistics(of model: Sequential, on dataset: LabeledDataset) -> TokenStatistics {
    let empty = [[Double]](repeating: [], count: dataset.count)
    var statistics = TokenStatistics(logProbabilities: empty, means: empty, standardDeviations: empty)
    TokenRecordInference.forEachBatch(of: model, on: dataset) { tokens, logits, rowsPerRecord, records in
      let rows = rowStatistics(tokens: tokens, logits: logits)
      for (position, index) in records.enumerated() {
        let record = rows[(position * rowsPerRecord)..<((position + 1) * rowsPerRecord)]
        statistics.logProbabilities[index] = record.flatMap(\.logProbabilities)
        statistics.means[index] = record.flatMap(\.means)
        statistics.standardDeviations[index] = record.flatMap(\.standardDeviations)
      }
    }
    return statistics
  }

  /// One token row's ℓ_t, μ_t, σ_t.
  struct RowStatistics {
    var logProbabilities: [Double] = []
    var means: [Double] = []
    var standardDeviations: [Double] = []
  }

  /// Each token row's statistics: ℓ_t from the next-token loss's log-probabilities, μ_t and σ_t
  /// exact over the vocabulary (`NextTokenMoments`, shared with `tacit score`).
  static func rowStatistics(tokens: Tensor, logits: Tensor) -> [RowStatistics] {
    let logProbabilities = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: tokens)
    let moments = NextTokenMoments.moments(logits: logits, lengths: GPT2.recordLengths(tokens))
    return zip(logProbabilities, moments).map { row, moments in
      RowStatistics(
        logProbabilities: row.map(Double.init), means: moments.means, standardDeviations: moments.standardDeviations)
    }
  }
}
