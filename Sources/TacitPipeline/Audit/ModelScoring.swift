import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitTensor

/// A trained model's logits on records, in inference mode (dropout off), per query view: what
/// every attack reads. A language model's view is its per-record loss (`LanguageModelScoring`).
enum ModelScoring {
  /// Logits of `model` on `dataset` seen through each of `queries`: one `ModelOutputs` per query
  /// (`[records, classes]` row-major, in `Double`), labels the dataset's.
  static func outputs(
    of model: Sequential, on dataset: LabeledDataset, queries: [AuditSection.Query], imageShape: [Int]?,
    batchSize: Int = 1000
  ) throws -> [ModelOutputs] {
    if model.isLanguageModel {
      let outputs = try LanguageModelScoring.outputs(losses: LanguageModelScoring.recordLosses(of: model, on: dataset))
      return queries.map { _ in outputs }  // text has only the identity query (RunAudit.validate)
    }
    return try queries.map { query in
      var logits: [Double] = []
      logits.reserveCapacity(dataset.count * dataset.classCount)
      var generator = SeededGenerator(seed: 0)  // inference mode draws nothing
      var start = 0
      while start < dataset.count {
        let end = min(start + batchSize, dataset.count)
        var inputs = dataset.features.rows(start..<end)
        if query != .identity, let imageShape {
          inputs = QueryAugmentation.apply(query, to: inputs, imageShape: imageShape)
        }
        let batchLogits = model.forward(inputs, mode: .inference, generator: &generator)
        logits.append(contentsOf: batchLogits.scalars.lazy.map(Double.init))
        start = end
      }
      model.releaseCaches()
      return try ModelOutputs(logits: logits, classes: dataset.classCount, labels: dataset.labels.map(Int.init))
    }
  }
}
