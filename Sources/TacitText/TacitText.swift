/// Text records and tokenizers: the text side of Tacit's language models.
///
/// `TacitText` reads text records (fortune files, one record per line, JSON Lines), cleans a pool
/// of them (exact de-duplication after whitespace normalisation, a length filter), and turns text
/// into token ids and back (`ByteTokenizer` for Tacit's own models, `GPT2Tokenizer` for imported
/// GPT-2 models).
///
/// It is a target of its own, depending on Foundation only, because none of this needs tensors:
/// records and tokenizers are the same whether the log-probabilities come from a Tacit model or
/// from an external language model, and the language-model audit reuses them on external
/// per-token log-probs. Keeping them apart from `TacitData` (which depends on `TacitTensor`) keeps
/// them fast to build and test, and usable without the numeric stack. Turning token ids into a
/// `[B, T]` tensor is the pipeline's job.
///
/// Errors from user input (data files, tokenizer files) are `TextError`s naming the file and, where
/// there is one, the line or the JSON key path.
public enum TacitText {
  /// The most bytes a text data file or tokenizer file may hold: 1 GiB, the bound Tacit puts on
  /// every data file (`CSVReader.maximumBytes`). A larger file is refused before it is read, with
  /// `TextError.tooLarge`: it would only exhaust memory.
  public static let maximumFileBytes = 1 << 30
}
