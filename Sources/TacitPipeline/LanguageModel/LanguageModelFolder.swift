import Foundation
import TacitNN
import TacitTensor
import TacitText

/// A language model on disk, loaded: a Hugging Face GPT-2 folder, or a Tacit language-model run
/// folder (whose `hf/` subfolder is one).
///
/// A Hugging Face GPT-2 folder holds `config.json` (`HuggingFaceGPT2Configuration`),
/// `model.safetensors` (`HuggingFaceGPT2Weights`) and a tokenizer: `tokenizer.json`, or
/// `vocab.json` + `merges.txt` (`GPT2Tokenizer`). A folder Tacit exported from a byte-level
/// model also holds `tacit_tokenizer.json` (`{"type": "byte"}`): its records are
/// `[BOS, bytes…, EOS]` (`ByteTokenizer`), as in training, and Tacit reads them so; its
/// `vocab.json` + `merges.txt` give `transformers` the same byte ids (without BOS and EOS).
struct LanguageModelFolder {
  /// The GPT-2 folder read (a run folder's `hf/`).
  var path: String
  var model: Sequential
  var tokenizer: any Tokenizer

  /// The marker file of a byte-level Tacit export.
  static let byteTokenizerMarker = "tacit_tokenizer.json"

  /// The GPT-2 folder of `path`: `path/hf` for a Tacit run folder, `path` itself otherwise.
  static func gpt2Folder(of path: String) -> String {
    let runExport = path + "/hf"
    let manager = FileManager.default
    if manager.fileExists(atPath: path + "/recipe.yaml") && manager.fileExists(atPath: runExport + "/config.json") {
      return runExport
    }
    return path
  }

  /// Loads the model and tokenizer at `path`. Throws a `PipelineError` (exit 65) naming the file
  /// for a missing or malformed file, an unsupported architecture, or a tokenizer whose
  /// vocabulary does not fit the model.
  static func load(_ path: String) throws -> LanguageModelFolder {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw PipelineError("\(path): no such folder; give a Hugging Face GPT-2 folder or a Tacit language-model run folder")
    }
    let folder = gpt2Folder(of: path)
    let configuration = try HuggingFaceGPT2Configuration.read(folder: folder)
    let tokenizer = try readTokenizer(folder: folder)
    guard tokenizer.vocabularySize <= configuration.vocabularySize else {
      throw PipelineError(
        "\(folder): the tokenizer has \(tokenizer.vocabularySize) tokens but config.json's vocab_size is \(configuration.vocabularySize); the tokenizer does not belong to this model"
      )
    }
    var generator = SeededGenerator(seed: 0)  // every parameter is overwritten below
    let gpt2 = GPT2(configuration: configuration, generator: &generator)
    let weightsPath = folder + "/model.safetensors"
    do {
      let (tensors, _) = try Safetensors.read(from: weightsPath)
      try HuggingFaceGPT2Weights.load(tensors, into: gpt2, file: weightsPath)
    } catch let error as CheckpointError {
      throw PipelineError(error.description)
    }
    let model = try Sequential([gpt2], inputShape: [configuration.contextLength])
    return LanguageModelFolder(path: folder, model: model, tokenizer: tokenizer)
  }

  /// The tokenizer of a GPT-2 folder: byte-level for a Tacit byte-level export, GPT-2 BPE
  /// otherwise.
  static func readTokenizer(folder: String) throws -> any Tokenizer {
    if FileManager.default.fileExists(atPath: folder + "/" + byteTokenizerMarker) { return ByteTokenizer() }
    do {
      return try GPT2Tokenizer(directory: folder)
    } catch let error as TextError {
      throw PipelineError(error.description)
    }
  }

  /// The GPT-2 layer of the model.
  var gpt2: GPT2 { model.layers[0] as! GPT2 }
}
