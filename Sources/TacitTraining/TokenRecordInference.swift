import TacitData
import TacitNN
import TacitTensor

/// Inference-mode passes of a language model over token records, in batches of at most 2²⁴
/// logits (64 MiB) whatever the vocabulary: what the next-token evaluation and the audit's
/// per-record losses both read.
///
/// Records are `[N, T]` token rows, or windowed `[N, K, T]` (`TokenWindows`), which each batch
/// unfolds into its records' window rows, `rowsPerRecord` consecutive rows per record.
public enum TokenRecordInference {
  /// Calls `body(tokens, logits, rowsPerRecord)` for consecutive batches of `dataset`'s records,
  /// in order: `tokens` `[rows, T]`, `logits` `[rows, T, V]`. Releases the model's caches after.
  public static func forEachBatch(
    of model: Sequential, on dataset: LabeledDataset,
    _ body: (_ tokens: Tensor, _ logits: Tensor, _ rowsPerRecord: Int) -> Void
  ) {
    let positions = max(dataset.featuresPerExample, 1)
    let vocabulary = max(model.outputShape.last ?? 1, 1)
    let batchSize = max(1, (1 << 24) / (positions * vocabulary))
    var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
    var start = 0
    while start < dataset.count {
      let end = min(start + batchSize, dataset.count)
      var tokens = dataset.features.rows(start..<end)
      var rowsPerRecord = 1
      if tokens.rank == 3 {
        let unfolded = TokenWindows.unfold(tokens)
        tokens = unfolded.rows
        rowsPerRecord = unfolded.grouping.perRecord
      }
      body(tokens, model.forward(tokens, mode: .inference, generator: &generator), rowsPerRecord)
      start = end
    }
    model.releaseCaches()
  }
}
