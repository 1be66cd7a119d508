import Foundation
import TacitNN
import TacitRecipe
import TacitTensor
import TacitText

/// What a language-model recipe (`model: {type: gpt2, …}` or `model: {from: PATH}`) fixes before
/// any record is read: the tokenizer, the context length, and how to make the model.
///
/// - `gpt2`: Tacit's byte-level tokenizer (256 bytes + BOS + EOS, fitted on nothing, so it
///   publishes nothing about the training text) and a freshly initialised GPT-2 of the recipe's
///   size.
/// - `from: PATH`: the folder's tokenizer and configuration (`LanguageModelFolder`); every model
///   (the target and each reference model) starts from the folder's weights.
struct LanguageModelSetup {
  var tokenizer: any Tokenizer
  var configuration: GPT2Configuration
  /// The pretrained folder, `nil` for a model trained from scratch.
  var pretrainedPath: String?

  /// The setup of `recipe`, `nil` when its model is not a language model.
  static func make(_ recipe: Recipe) throws -> LanguageModelSetup? {
    guard recipe.model.count == 1 else { return nil }
    switch recipe.model[0] {
    case .gpt2(let spec):
      let tokenizer = ByteTokenizer()
      do {
        let configuration = try GPT2Configuration(
          vocabularySize: tokenizer.vocabularySize, contextLength: spec.context, width: spec.width,
          layerCount: spec.layers, headCount: spec.heads, layerNormEpsilon: Float(spec.layerNormEpsilon),
          tieEmbeddings: spec.tieEmbeddings)
        return LanguageModelSetup(tokenizer: tokenizer, configuration: configuration, pretrainedPath: nil)
      } catch {
        throw PipelineError("model (gpt2): \(error)")
      }
    case .pretrained(let from):
      let folder = LanguageModelFolder.gpt2Folder(of: from.absolute)
      return LanguageModelSetup(
        tokenizer: try LanguageModelFolder.readTokenizer(folder: folder),
        configuration: try HuggingFaceGPT2Configuration.read(folder: folder), pretrainedPath: from.absolute)
    default:
      return nil
    }
  }

  /// The context length: the most tokens of a record the model reads.
  var context: Int { configuration.contextLength }

  /// A model to train: fresh (split "init" of the caller's generator) or the pretrained weights.
  func makeModel(generator: inout SeededGenerator) throws -> Sequential {
    if let pretrainedPath { return try LanguageModelFolder.load(pretrainedPath).model }
    return try Sequential([GPT2(configuration: configuration, generator: &generator)], inputShape: [context])
  }

  /// Bytes of text per token id (0 for BOS/EOS and other special tokens), for bits per byte.
  var tokenByteLengths: [Int] { tokenizer.tokenByteLengths }
}
