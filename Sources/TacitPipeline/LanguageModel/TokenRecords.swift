import TacitData
import TacitNN
import TacitTensor
import TacitTraining

/// Token records as the model reads them, laid out in one place for training data
/// (`TextData.tokenise`), the audit's re-tokenised texts (`LanguageModelAttacks.records`), the
/// secret canaries (`SecretCanaries.records`) and scored texts (`TextScoring`).
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

  /// `records` as `data.long_records` lays them out: cut to `context` (`[N, context]`,
  /// `tensor(_:context:)`), or with `windows` cut into windows of `context` tokens overlapping by
  /// one (`[N, K, context]`, `TokenWindows`), K = `windowCount` or else the most any record needs.
  static func features(_ records: [[Int]], context: Int, windows: Bool, windowCount: Int? = nil) -> Tensor {
    guard windows else { return tensor(records, context: context) }
    let count = windowCount ?? records.map { TokenWindows.count(tokens: $0.count, length: context) }.max() ?? 1
    return TokenWindows.tensor(records, length: context, count: count)
  }
}
