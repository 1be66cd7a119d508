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
    let windowCounts = dataset.features.rank == 3 ? TokenWindows.windowCounts(dataset.features) : nil
    var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
    for (records, windows) in batches(count: dataset.count, windowCounts: windowCounts, rowBudget: rowBudget) {
      let tokens = TokenWindows.rows(of: records, in: dataset.features, windowCounts: windowCounts)
      body(tokens, model.forward(tokens, mode: .inference, generator: &generator), windows, records)
    }
    model.releaseCaches()
  }

  /// The batches of `count` records: `[N, T]` records (`windowCounts` `nil`) in order,
  /// `rowBudget` at a time (one row each); windowed records grouped by window count W
  /// (ascending, stable), ⌊rowBudget / W⌋ (at least 1) at a time.
  static func batches(count: Int, windowCounts: [Int]?, rowBudget: Int) -> [(records: [Int], windows: Int)] {
    guard let windowCounts else {
      return stride(from: 0, to: count, by: rowBudget).map { (Array($0..<min($0 + rowBudget, count)), 1) }
    }
    var result: [(records: [Int], windows: Int)] = []
    for W in Set(windowCounts).sorted() {
      let group = (0..<count).filter { windowCounts[$0] == W }
      let size = max(1, rowBudget / W)
      for start in stride(from: 0, to: group.count, by: size) {
        result.append((Array(group[start..<min(start + size, group.count)]), W))
      }
    }
    return result
  }
}
