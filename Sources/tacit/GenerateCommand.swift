import ArgumentParser
import Foundation
import TacitPipeline
import TacitTensor

/// `tacit generate MODEL --prompt TEXT`: sample a continuation from a language model.
struct GenerateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate", abstract: "Sample text from a language model.",
    discussion: """
      MODEL is a Tacit language-model run folder or a Hugging Face GPT-2 folder. Prints the prompt \
      and its continuation: up to --tokens new tokens, stopping at the end of text. Temperature 0 \
      is greedy decoding; --top-k keeps the k most likely tokens before sampling. The same seed \
      gives the same text.
      """)

  @Argument(help: "The model: a Tacit LM run folder or a Hugging Face GPT-2 folder.") var model: String
  @Option(help: "The text to continue.") var prompt: String = ""
  @Option(help: "The most tokens to generate.") var tokens: Int = 100
  @Option(help: "Sampling temperature, ≥ 0 (0: greedy).") var temperature: Double = 1
  @Option(name: .customLong("top-k"), help: "Sample among the k most likely tokens only.") var topK: Int?
  @Option(help: "Seed of the sampling.") var seed: UInt64 = 0
  @Option(help: "Compute threads (default 1): BLAS products and per-record loops.") var threads: Int = 1

  func validate() throws {
    guard tokens >= 0 && tokens <= 1_000_000 else { throw ValidationError("--tokens must be in 0…1000000, got \(tokens)") }
    guard temperature >= 0 && temperature.isFinite else {
      throw ValidationError("--temperature must be a finite number ≥ 0, got \(temperature)")
    }
    if let topK, topK < 1 { throw ValidationError("--top-k must be at least 1, got \(topK)") }
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
  }

  func run() throws {
    BLAS.setThreadCount(threads)
    print(
      try reportingErrors {
        try TextGeneration.generate(
          modelPath: model, prompt: prompt, tokens: tokens, temperature: temperature, topK: topK, seed: seed)
      })
  }
}
