import Foundation

/// Formats `tacit bench` results as a terminal table or JSON.
public enum BenchmarkReport {
  /// `{"mlp": {"plain_examples_per_second": …, "per_example_examples_per_second": …,
  /// "gemm_floor_examples_per_second": …, …}, "cnn": {…}}`.
  /// With `noise`, a `"noise"` object gives the Gaussian sampler's cost in nanoseconds per sample
  /// with each generator, and which one the DP-SGD figures used.
  public static func json(_ results: [BenchmarkResult], noise: NoiseCost? = nil) -> String {
    var object: [String: Any] = [:]
    if let noise {
      object["noise"] = [
        "secure_ns_per_sample": (noise.secureNanoseconds * 100).rounded() / 100,
        "seeded_ns_per_sample": (noise.seededNanoseconds * 100).rounded() / 100,
        "dp_step_generator": noise.dpStepGenerator,
      ]
    }
    for result in results {
      object[result.model] = [
        "plain_examples_per_second": result.plainExamplesPerSecond.rounded(),
        "per_example_examples_per_second": result.perExampleExamplesPerSecond.rounded(),
        "dp_examples_per_second": result.dpExamplesPerSecond.rounded(),
        "dp_cost_ratio": (result.dpCostRatio * 1000).rounded() / 1000,
        "gemm_floor_examples_per_second": result.gemmFloorExamplesPerSecond.rounded(),
        "per_example_cost_ratio": (result.perExampleCostRatio * 1000).rounded() / 1000,
        "plain_fraction_of_gemm_floor": (result.fractionOfFloor * 1000).rounded() / 1000,
        "gemm_gflop_per_example": (result.gemmFlopsPerExample * 1e6).rounded() / 1e6,
      ]
    }
    return JSONText.encode(object)
  }

  /// The Gaussian sampler's cost, as `GaussianNoise.measureThroughput` reports it.
  public struct NoiseCost: Sendable {
    public var secureNanoseconds: Double
    public var seededNanoseconds: Double
    /// `secure` or `seeded`: the generator of the DP-SGD step figures.
    public var dpStepGenerator: String

    public init(secureNanoseconds: Double, seededNanoseconds: Double, dpStepGenerator: String) {
      self.secureNanoseconds = secureNanoseconds
      self.seededNanoseconds = seededNanoseconds
      self.dpStepGenerator = dpStepGenerator
    }
  }

  /// A table of examples/s, the per-example cost ratio and the fraction of the GEMM floor.
  public static func table(
    _ results: [BenchmarkResult], threads: Int, noise: NoiseCost? = nil, blasCore: String? = nil
  ) -> String {
    var lines = [
      "Training step, batch 256 (lm: 64 records of 128 tokens), \(threads) thread\(threads == 1 ? "" : "s") (median examples/s)"
        + (blasCore.map { ", OpenBLAS kernels: \($0)" } ?? ""),
      "model   plain      per-example   ratio   DP-SGD      ratio   GEMM floor   plain/floor",
    ]
    for result in results {
      // The language model has no GEMM-floor measurement (its attention products are per record).
      let floor =
        result.gemmFloorExamplesPerSecond.isFinite
        ? String(format: "%11.0f   %5.1f%%", result.gemmFloorExamplesPerSecond, 100 * result.fractionOfFloor)
        : String(format: "%11@   %6@", "—" as NSString, "—" as NSString)
      lines.append(
        String(
          format: "%-6@  %9.0f  %12.0f   %5.2fx  %9.0f   %5.2fx  ", result.model as NSString,
          result.plainExamplesPerSecond, result.perExampleExamplesPerSecond, result.perExampleCostRatio,
          result.dpExamplesPerSecond, result.dpCostRatio) + floor)
    }
    if let noise {
      lines.append(
        String(
          format: "Gaussian noise: %.2f ns/sample secure (ChaCha12), %.2f ns/sample seeded; DP-SGD column uses %@ noise",
          noise.secureNanoseconds, noise.seededNanoseconds, noise.dpStepGenerator as NSString))
    }
    return lines.joined(separator: "\n")
  }
}
