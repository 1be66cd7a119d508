import TacitData
import TacitRecipe
import TacitTensor
import TacitText
import TacitTraining

/// Text records as a language model trains on them: read, cleaned, tokenised, and cut into the
/// training pool and the test records.
///
/// files → records (`TextRecordReader`) → the de-duplicated pool within `max_bytes`
/// (`TextPool`) → token records (`Tokenizer.encodeRecord`: a byte-level model's
/// `[BOS, bytes…, EOS]`, an imported model's BPE ids) → records longer than the model's context
/// T truncated to T tokens (`long_records: truncate`) or cut into windows of T tokens
/// overlapping by one (`long_records: windows`, `TokenWindows`; the log says how many either
/// way) → a uniformly random `test_fraction` of the records is the test set (split
/// "test-holdout"), the rest the pool that `DataPreparation` and the audit split into members,
/// non-members and validation records. Records are IID draws from one pool, so members and
/// non-members come from the same distribution. A record is the privacy unit.
///
/// Shapes: features `[N, context]` of Float token ids right-padded with `GPT2.paddingToken`
/// (truncate), or `[N, K, context]` (windows: each record's windows then all-padding rows, K the
/// most windows of any record, at most `TokenWindows.maximumCount`); labels all 0 in one class
/// (a language model has no labels; the next-token objective reads the features). Windowed
/// records remain the dataset's examples: the split, the sampler and the audit see records.
enum TextData {
  /// The pool, the test records and the log lines describing what was read and dropped.
  static func load(_ source: TextSource, setup: LanguageModelSetup, generator: SeededGenerator) throws
    -> (pool: LabeledDataset, test: LabeledDataset, notes: [String])
  {
    var records: [TextRecord] = []
    do {
      for file in source.files {
        switch source.format {
        case .fortune(let directory):
          let reader = TextRecordReader(format: .fortune, fortunesDirectory: directory.absolute)
          records += try reader.read(file: file.isFortuneName ? file.name : file.path.absolute)
        case .lines:
          records += try TextRecordReader(format: .lines).read(file: file.path.absolute)
        case .jsonl(let field):
          records += try TextRecordReader(format: .jsonl(field: field)).read(file: file.path.absolute)
        }
      }
    } catch let error as TextError {
      throw PipelineError(error.description)
    }
    let pool = TextPool(records, maxBytes: source.maxBytes)
    let (dataset, notes) = try tokenise(pool, source: source, setup: setup)
    let (trainingPool, test) = try DataSection.holdOut(
      fraction: source.testFraction, of: dataset, generator: generator.split("test-holdout"))
    return (trainingPool, test, notes)
  }

  /// The token records of `pool` as a dataset (see the type's documentation for the shapes),
  /// with the log lines on dropped, truncated or windowed records. Windows refuse a context
  /// under 2 tokens and records of more than `TokenWindows.maximumCount` windows.
  static func tokenise(_ pool: TextPool, source: TextSource, setup: LanguageModelSetup) throws
    -> (dataset: LabeledDataset, notes: [String])
  {
    let context = setup.context
    let windows = source.longRecords == .windows
    if windows && context < 2 {
      throw PipelineError("data.long_records windows: model.context is \(context); windows need at least 2 tokens")
    }
    var encoded: [[Int]] = []
    var tooShort = 0
    var long = 0
    for record in pool.records {
      let tokens = setup.tokenizer.encodeRecord(record.text)
      // A record needs two tokens for one prediction (an imported BPE model's one-token text has none).
      guard tokens.count >= 2 else {
        tooShort += 1
        continue
      }
      if tokens.count > context { long += 1 }
      encoded.append(windows ? tokens : Array(tokens.prefix(context)))
    }
    guard encoded.count >= 2 else {
      throw PipelineError(
        "data.files: \(encoded.count) usable text record\(encoded.count == 1 ? "" : "s") after cleaning (\(pool.summary)); a run needs at least 2"
      )
    }
    let percent = String(format: "%.1f", 100 * Double(long) / Double(encoded.count))
    var notes = ["text: \(pool.summary)"]
    if tooShort > 0 { notes.append("text: \(tooShort) records of fewer than 2 tokens dropped (nothing to predict)") }
    let features: Tensor
    if windows {
      let counts = encoded.map { TokenWindows.count(tokens: $0.count, length: context) }
      let most = counts.max() ?? 1
      try checkWindowCount(most, longest: encoded.map(\.count).max() ?? 0, context: context)
      features = TokenRecords.features(encoded, context: context, windows: true, windowCount: most)
      notes.append(
        "text: \(long) of \(encoded.count) records (\(percent)%) longer than the context of \(context) tokens cut into"
          + " windows overlapping by one token (\(counts.reduce(0, +)) windows for \(encoded.count) records, at most"
          + " \(most) per record); each record's windows are one privacy unit")
    } else {
      features = TokenRecords.tensor(encoded, context: context)
      notes.append("text: \(long) of \(encoded.count) records (\(percent)%) truncated to the context of \(context) tokens")
    }
    let dataset = LabeledDataset(
      features: features, labels: [Int32](repeating: 0, count: encoded.count), classCount: 1, name: "text")
    return (dataset, notes)
  }

  /// Refuses more than `TokenWindows.maximumCount` windows per record: every record of the pool
  /// is stored (and every sampled batch may be computed) at K·context tokens.
  static func checkWindowCount(_ count: Int, longest: Int, context: Int) throws {
    guard count > TokenWindows.maximumCount else { return }
    let fits = 1 + TokenWindows.maximumCount * (context - 1)
    throw PipelineError(
      "data.long_records windows: the longest record (\(longest) tokens) needs \(count) windows of the context's"
        + " \(context) tokens, more than \(TokenWindows.maximumCount); lower data.max_bytes so that records have at most"
        + " \(fits) tokens, or raise model.context")
  }
}
