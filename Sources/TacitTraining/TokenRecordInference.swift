import TacitData
import TacitNN
import TacitTensor

/// Inference-mode passes of a language model over token records, in batches of at most 2²⁴
/// logits (64 MiB) whatever the vocabulary: what the next-token evaluation and the audit's
/// per-record losses both read.
///
/// Records are `[N, T]` token rows, in order, or windowed `[N, K, T]` (`TokenWindows`): then the
/// records are taken in order of their window count W (stably) and every batch holds records of
/// one W, `W` consecutive rows each, so that no record is padded to a longer one's windows.
public enum TokenRecordInference {
  /// Calls `body(tokens, logits, rowsPerRecord, records)` for batches of `dataset`'s records:
  /// `tokens` `[rows, T]`, `logits` `[rows, T, V]`, `records` the dataset indices of the batch's
  /// records in the rows' order (`rowsPerRecord` consecutive rows each). Every record comes in
  /// exactly one batch; `[N, T]` records come in order. Releases the model's caches after.
  public static func forEachBatch(
    of model: Sequential, on dataset: LabeledDataset,
    _ body: (_ tokens: Tensor, _ logits: Tensor, _ rowsPerRecord: Int, _ records: [Int]) -> Void
  ) {
    let T = max(dataset.features.shape.last ?? 1, 1)
    let vocabulary = max(model.outputShape.last ?? 1, 1)
    let rowBudget = max(1, (1 << 24) / (T * vocabulary))
    var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
    for (records, windows) in batches(of: dataset.features, rowBudget: rowBudget) {
      var tokens = dataset.features.gathering(rows: records)
      if tokens.rank == 3 {
        // Every record of the batch has `windows` windows: its first `windows` rows.
        let K = tokens.shape[1]
        tokens = Tensor(shape: [records.count * windows, T]) { buffer in
          tokens.scalars.withUnsafeBufferPointer { ids in
            for record in 0..<records.count {
              (buffer.baseAddress! + record * windows * T).update(from: ids.baseAddress! + record * K * T, count: windows * T)
            }
          }
        }
      }
      body(tokens, model.forward(tokens, mode: .inference, generator: &generator), windows, records)
    }
    model.releaseCaches()
  }

  /// The batches: `[N, T]` records in order, `rowBudget` at a time (one row each); windowed
  /// records grouped by window count W (ascending, stable), ⌊rowBudget / W⌋ (at least 1) at a
  /// time.
  static func batches(of features: Tensor, rowBudget: Int) -> [(records: [Int], windows: Int)] {
    let count = features.batchSize
    guard features.rank == 3 else {
      return stride(from: 0, to: count, by: rowBudget).map { (Array($0..<min($0 + rowBudget, count)), 1) }
    }
    let windows = TokenWindows.windowCounts(features)
    var result: [(records: [Int], windows: Int)] = []
    for W in Set(windows).sorted() {
      let group = (0..<count).filter { windows[$0] == W }
      let size = max(1, rowBudget / W)
      for start in stride(from: 0, to: group.count, by: size) {
        result.append((Array(group[start..<min(start + size, group.count)]), W))
      }
    }
    return result
  }
}
