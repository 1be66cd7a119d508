import Foundation
import TacitNN
import TacitText

/// Writes a language model as a Hugging Face GPT-2 folder, loadable by `transformers`
/// (`GPT2LMHeadModel.from_pretrained(folder)`) and by Tacit (`LanguageModelFolder`).
///
/// Files: `config.json` (`HuggingFaceGPT2Configuration.json`), `model.safetensors` (Hugging Face
/// names and Conv1D layout, `HuggingFaceGPT2Weights`; metadata `format: pt`, which
/// `transformers` requires; a tied head is not stored, as `transformers` saves it), and the
/// tokenizer:
/// - a GPT-2 BPE model's files (`tokenizer.json`, `vocab.json`, `merges.txt`, …) copied from the
///   folder it was read from;
/// - a byte-level model's `vocab.json` mapping each byte's GPT-2 alphabet character to the byte
///   value, `<|bos|>` to 256 and `<|endoftext|>` to 257, an empty `merges.txt`, a `tokenizer.json`
///   whose post-processor frames each text with `<|bos|>` … `<|endoftext|>` (so `transformers`
///   gives exactly Tacit's record ids), and `tacit_tokenizer.json`, which tells Tacit to read
///   the folder with its byte-level tokenizer.
enum LanguageModelExport {
  /// The tokenizer files copied from a pretrained folder, when present.
  static let copiedTokenizerFiles: Set<String> = [
    "tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json",
  ]

  /// Writes the export of `model` with `tokenizer` into `folder`'s subfolder `name`; a BPE
  /// tokenizer's files are copied from `tokenizerFolder`, the folder it was read from.
  static func write(
    _ model: GPT2, tokenizer: any Tokenizer, tokenizerFolder: String?, into folder: RunFolder, name: String = "hf"
  ) throws {
    try folder.makeFolder(name)
    let configuration = HuggingFaceGPT2Configuration.json(
      model.configuration, bos: tokenizer.recordStartID ?? tokenizer.endOfTextID, eos: tokenizer.endOfTextID)
    try folder.write(name + "/config.json", try jsonText(configuration))
    var tensors = HuggingFaceGPT2Weights.tensors(of: model)
    if model.configuration.tieEmbeddings { tensors["lm_head.weight"] = nil }
    do {
      try Safetensors.write(tensors: tensors, metadata: ["format": "pt"], to: folder.file(name + "/model.safetensors"))
    } catch {
      throw PipelineError(error.description, isInputError: false)
    }
    let files = try tokenizerFiles(tokenizer, folder: tokenizerFolder)
    for (file, contents) in files.sorted(by: { $0.key < $1.key }) { try folder.write(name + "/" + file, contents) }
  }

  /// The tokenizer's files by name.
  static func tokenizerFiles(_ tokenizer: any Tokenizer, folder: String?) throws -> [String: String] {
    if tokenizer is ByteTokenizer {
      var vocabulary: [String: Int] = [:]
      for byte in 0..<256 { vocabulary[ByteTokenizer.huggingFaceSpelling(ofByte: UInt8(byte))] = byte }
      vocabulary["<|bos|>"] = ByteTokenizer.beginningOfSequence
      vocabulary["<|endoftext|>"] = ByteTokenizer.endOfSequence
      return [
        "vocab.json": try jsonText(vocabulary), "merges.txt": "#version: 0.2\n",
        "tokenizer.json": try jsonText(byteTokenizerJSON(vocabulary: vocabulary)),
        "tokenizer_config.json": try jsonText([
          "tokenizer_class": "GPT2TokenizerFast", "bos_token": "<|bos|>", "eos_token": "<|endoftext|>",
          "model_max_length": 1_000_000,
        ]),
        LanguageModelFolder.byteTokenizerMarker: try jsonText([
          "type": "byte", "bos": ByteTokenizer.beginningOfSequence, "eos": ByteTokenizer.endOfSequence,
        ]),
      ]
    }
    guard let folder else { throw PipelineError("cannot export a \(type(of: tokenizer)) tokenizer", isInputError: false) }
    var files: [String: String] = [:]
    for file in copiedTokenizerFiles.sorted() {
      guard let data = FileManager.default.contents(atPath: folder + "/" + file) else { continue }
      files[file] = String(decoding: data, as: UTF8.self)
    }
    return files
  }

  /// A Hugging Face `tokenizers` description of Tacit's byte-level tokenizer: byte-level BPE with
  /// no merges (each byte its own token, id = byte value) and a post-processor framing every text
  /// with `<|bos|>` (256) and `<|endoftext|>` (257), so `transformers` gives Tacit's record ids.
  static func byteTokenizerJSON(vocabulary: [String: Int]) -> [String: Any] {
    func special(_ content: String, _ id: Int) -> [String: Any] {
      [
        "id": id, "content": content, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false,
        "special": true,
      ]
    }
    func template(_ sequences: [String]) -> [[String: Any]] {
      [["SpecialToken": ["id": "<|bos|>", "type_id": 0]]]
        + sequences.map { ["Sequence": ["id": $0, "type_id": 0]] }
        + [["SpecialToken": ["id": "<|endoftext|>", "type_id": 0]]]
    }
    let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
    return [
      "version": "1.0", "truncation": NSNull(), "padding": NSNull(),
      "added_tokens": [
        special("<|bos|>", ByteTokenizer.beginningOfSequence), special("<|endoftext|>", ByteTokenizer.endOfSequence),
      ],
      "normalizer": NSNull(), "pre_tokenizer": byteLevel, "decoder": byteLevel,
      "post_processor": [
        "type": "TemplateProcessing", "single": template(["A"]), "pair": template(["A", "B"]),
        "special_tokens": [
          "<|bos|>": ["id": "<|bos|>", "ids": [ByteTokenizer.beginningOfSequence], "tokens": ["<|bos|>"]],
          "<|endoftext|>": ["id": "<|endoftext|>", "ids": [ByteTokenizer.endOfSequence], "tokens": ["<|endoftext|>"]],
        ],
      ] as [String: Any],
      "model": [
        "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": "", "end_of_word_suffix": "",
        "fuse_unk": false, "byte_fallback": false, "ignore_merges": false, "vocab": vocabulary, "merges": [String](),
      ] as [String: Any],
    ]
  }

  /// Sorted-key, pretty JSON text with a final newline.
  static func jsonText(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
