import TacitData
import TacitRecipe
import TacitTensor
import TacitText

/// Text records as a language model trains on them: read, cleaned, tokenised, and cut into the
/// training pool and the test records.
///
/// files → records (`TextRecordReader`) → the de-duplicated pool within `max_bytes`
/// (`TextPool`) → token records (`Tokenizer.encodeRecord`: a byte-level model's
/// `[BOS, bytes…, EOS]`, an imported model's BPE ids) cut to the model's context (the log says
/// how many) → a uniformly random `test_fraction` of the records is the test set (split
/// "test-holdout"), the rest the pool that `DataPreparation` and the audit split into members,
/// non-members and validation records. Records are IID draws from one pool, so members and
/// non-members come from the same distribution. A record is the privacy unit.
///
/// Shapes: features `[N, context]` of Float token ids right-padded with `GPT2.paddingToken`;
/// labels all 0 in one class (a language model has no labels; the next-token objective reads
/// the features).
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
    var encoded: [[Int]] = []
    var truncated = 0
    var tooShort = 0
    for record in pool.records {
      let tokens = setup.tokenizer.encodeRecord(record.text)
      // A record needs two tokens for one prediction (an imported BPE model's one-token text has none).
      guard tokens.count >= 2 else {
        tooShort += 1
        continue
      }
      if tokens.count > setup.context { truncated += 1 }
      encoded.append(Array(tokens.prefix(setup.context)))
    }
    guard encoded.count >= 2 else {
      throw PipelineError(
        "data.files: \(encoded.count) usable text record\(encoded.count == 1 ? "" : "s") after cleaning (\(pool.summary)); a run needs at least 2"
      )
    }
    let dataset = LabeledDataset(
      features: TokenRecords.tensor(encoded, context: setup.context), labels: [Int32](repeating: 0, count: encoded.count),
      classCount: 1, name: "text")
    var notes = ["text: \(pool.summary)"]
    if tooShort > 0 { notes.append("text: \(tooShort) records of fewer than 2 tokens dropped (nothing to predict)") }
    notes.append(
      "text: \(truncated) of \(encoded.count) records (\(String(format: "%.1f", 100 * Double(truncated) / Double(encoded.count)))%) truncated to the context of \(setup.context) tokens"
    )
    let (trainingPool, test) = try DataSection.holdOut(
      fraction: source.testFraction, of: dataset, generator: generator.split("test-holdout"))
    return (trainingPool, test, notes)
  }
}
