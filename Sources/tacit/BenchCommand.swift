import ArgumentParser
import Foundation
import TacitPipeline
import TacitTensor

/// `tacit bench`: training-step throughput, plain vs per-example, against the GEMM floor.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench", abstract: "Time training steps of the reference MLP and CNN (batch 256).")

  @Option(help: "Compute threads (default 1): BLAS products and per-record loops.")
  var threads: Int = 1

  @Option(help: "Timed repetitions per figure; the median is reported.")
  var repetitions: Int = 7

  @Option(help: "Steps per timed repetition.")
  var steps: Int = 20

  @Option(help: "Models to time, comma-separated (mlp, cnn, lm: the default GPT-2 language model).")
  var models: String = "mlp,cnn"

  @Option(help: "The DP-SGD step's noise generator: secure (default) or seeded.")
  var noise: String = "secure"

  @Flag(help: "Print JSON.")
  var json = false

  func validate() throws {
    guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
    guard repetitions >= 1 else { throw ValidationError("--repetitions must be at least 1, got \(repetitions)") }
    guard !selectedModels.isEmpty, selectedModels.allSatisfy({ ["mlp", "cnn", "lm"].contains($0) }) else {
      throw ValidationError("--models takes mlp, cnn and/or lm, comma-separated; got '\(models)'")
    }
    guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
    guard ["secure", "seeded"].contains(noise) else {
      throw ValidationError("--noise takes secure or seeded; got '\(noise)'")
    }
  }

  var selectedModels: [String] { models.split(separator: ",").map { String($0) } }

  func run() throws {
    BLAS.setThreadCount(threads)
    Allocator.configureForTraining()
    let results = try reportingErrors {
      try Benchmark(repetitions: repetitions, stepsPerRepetition: steps, seededNoise: noise == "seeded")
        .run(models: selectedModels)
    }
    let throughput = GaussianNoise.measureThroughput()
    let cost = BenchmarkReport.NoiseCost(
      secureNanoseconds: 1e9 / throughput.secure, seededNanoseconds: 1e9 / throughput.seeded, dpStepGenerator: noise)
    if json {
      print(BenchmarkReport.json(results, noise: cost))
    } else {
      print(BenchmarkReport.table(results, threads: threads, noise: cost, blasCore: BLAS.coreName))
    }
  }
}
