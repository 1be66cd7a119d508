import Foundation
import TacitData
import TacitNN
import TacitTensor

extension Evaluation {
  /// Next-token evaluation of a language model on token records (`EvaluationMetric.nextToken`).
  ///
  /// With `ℓ_{b,i} = log p(x_{b,i} | x_{b,<i})` for every predicted token (i = 1 … n_b − 1 of
  /// record b), `N = Σ_b (n_b − 1)` predicted tokens and `S = Σ_b Σ_i bytes(x_{b,i})` bytes of
  /// text (every token of the record, the unpredicted first one included):
  /// - `loss = −(1/N) Σ ℓ` (nats per token), `perplexity = exp(loss)`,
  /// - `bitsPerByte = −Σ ℓ / (S · ln 2)`: the code length an arithmetic coder driven by the
  ///   model needs per byte of text, comparable with a compressor's (`xz` size · 8 / bytes);
  ///   predicting EOS counts towards it, so it is an honest whole-record figure,
  /// - `accuracy`: the fraction of predicted tokens that are the logits' argmax.
  ///
  /// Windowed records (features `[N, K, T]`, `TokenWindows`) are evaluated as whole records:
  /// their windows' rows are scored together, every token but the first is predicted once (in
  /// the window whose position ≥ 1 holds it), and its bytes are counted once (a window's first
  /// token, the previous window's last, is skipped), so the sums above are the whole record's.
  ///
  /// Batches: `TokenRecordInference` (at most 2²⁴ logits each).
  static func evaluateNextToken(
    _ model: Sequential, on dataset: LabeledDataset, tokenByteLengths: [Int]
  ) -> Evaluation {
    let total = dataset.count
    guard total > 0 else { return Evaluation(loss: .nan, accuracy: .nan, count: 0) }
    var totals = NextTokenTotals()
    TokenRecordInference.forEachBatch(of: model, on: dataset) { tokens, logits, rowsPerRecord, _ in
      totals.add(logits: logits, tokens: tokens, tokenByteLengths: tokenByteLengths, rowsPerRecord: rowsPerRecord)
    }
    return totals.evaluation(records: total)
  }
}

/// Running sums of a next-token evaluation.
struct NextTokenTotals {
  var logProbabilitySum = 0.0
  var predicted = 0
  var correct = 0
  var bytes = 0

  /// Adds a batch: logits `[B, T, V]`, tokens `[B, T]` right-padded with `GPT2.paddingToken`;
  /// with `rowsPerRecord` K' > 1, rows are the windows of B/K' records, K' consecutive rows each,
  /// and a window's first token counts no bytes unless it is its record's first window.
  mutating func add(logits: Tensor, tokens: Tensor, tokenByteLengths: [Int], rowsPerRecord: Int = 1) {
    let perRecord = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: tokens)
    let batch = tokens.batchSize
    let positions = batch == 0 ? 0 : tokens.count / batch
    let vocabulary = batch == 0 ? 0 : logits.count / (batch * positions)
    logits.scalars.withUnsafeBufferPointer { z in
      tokens.scalars.withUnsafeBufferPointer { x in
        for record in 0..<batch {
          let row = x.baseAddress! + record * positions
          var length = 0
          while length < positions && row[length] >= 0 { length += 1 }
          let continuesRecord = record % rowsPerRecord != 0
          for i in 0..<length {
            let token = Int(row[i])
            if i > 0 || !continuesRecord { bytes += token < tokenByteLengths.count ? tokenByteLengths[token] : 0 }
            guard i >= 1 else { continue }
            let scores = z.baseAddress! + (record * positions + i - 1) * vocabulary
            var best = 0
            for v in 1..<vocabulary where scores[v] > scores[best] { best = v }
            if best == token { correct += 1 }
          }
          for value in perRecord[record] { logProbabilitySum += Double(value) }
          predicted += perRecord[record].count
        }
      }
    }
  }

  /// The evaluation over `records` records.
  func evaluation(records: Int) -> Evaluation {
    let loss = predicted > 0 ? -logProbabilitySum / Double(predicted) : .nan
    var evaluation = Evaluation(
      loss: loss, accuracy: predicted > 0 ? Double(correct) / Double(predicted) : .nan, count: records)
    evaluation.perplexity = Foundation.exp(loss)
    evaluation.bitsPerByte = bytes > 0 ? -logProbabilitySum / (Double(bytes) * Foundation.log(2.0)) : nil
    evaluation.tokens = predicted
    return evaluation
  }
}
