import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitTensor
import TacitTraining

/// The membership view of a language model that the classifier attacks read.
///
/// A record's score is its loss `L = −(1/(n−1)) Σ_i log p(x_i | x_<i)` (mean over its predicted
/// tokens, as in training), and its "true-label probability" `p = e^{−L}`, the geometric mean of
/// its token probabilities: the probability the model gives to the record, per token. It is
/// encoded as two-class logits `(0, log(e^L − 1))` with label 0, for which `−log softmax₀ = L`
/// exactly, so that
/// - the loss attack is the perplexity attack (Yeom et al. 2018; Carlini et al. 2021: a lower
///   loss, a likelier member), the confidence attack is the same ranking,
/// - LiRA's logit-scaled confidence `log(p / (1 − p)) = −log(e^L − 1)` is a smooth, unbounded
///   per-record statistic (Carlini et al. 2022 fit Gaussians to it), and RMIA reads `p`.
/// Entropy-style attacks read a two-class distribution with no meaning for text; the audit
/// refuses them for language models (`RunAudit.validate`).
///
/// `log(e^L − 1)` is computed as `L + log(1 − e^{−L})` (finite for every L > 0). A record with no
/// predicted token cannot occur: text records hold at least two tokens.
enum LanguageModelScoring {
  /// The per-record losses of `model` on token records `dataset` (`[N, T]`, or windowed
  /// `[N, K, T]`), inference mode. A windowed record's loss is the mean over all its predicted
  /// tokens across its windows, `−(1/(n−1)) Σ_w Σ_i log p` (each token predicted once,
  /// `TokenWindows`): the loss it trained on, one score per record.
  static func recordLosses(of model: Sequential, on dataset: LabeledDataset) -> [Double] {
    var losses = [Double](repeating: 0, count: dataset.count)
    TokenRecordInference.forEachBatch(of: model, on: dataset) { tokens, logits, rowsPerRecord, records in
      let rows = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: tokens)
      for (position, index) in records.enumerated() {
        let record = rows[(position * rowsPerRecord)..<((position + 1) * rowsPerRecord)]
        let sum = record.reduce(0.0) { total, row in row.reduce(total) { $0 + Double($1) } }
        let count = record.reduce(0) { $0 + $1.count }
        losses[index] = count == 0 ? 0 : -sum / Double(count)
      }
    }
    return losses
  }

  /// The two-class encoding of `losses` (see the type's documentation).
  static func outputs(losses: [Double]) throws -> ModelOutputs {
    var logits: [Double] = []
    logits.reserveCapacity(2 * losses.count)
    for loss in losses {
      // L = 0 (every token certain) is the limit e^{−L} → 1; the smallest positive double keeps it finite.
      let positive = max(loss, Double.leastNormalMagnitude)
      logits += [0, positive + Foundation.log(-Foundation.expm1(-positive))]
    }
    return try ModelOutputs(logits: logits, classes: 2, labels: [Int](repeating: 0, count: losses.count))
  }
}

extension Sequential {
  /// Whether this model is a language model (a `GPT2`): token records in, next-token logits out.
  var isLanguageModel: Bool { layers.first is GPT2 }
}
