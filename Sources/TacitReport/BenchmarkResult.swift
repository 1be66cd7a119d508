/// One model's `tacit bench` measurements, in examples per second (see `Benchmark` in TacitPipeline).
public struct BenchmarkResult: Sendable, Equatable {
  public var model: String
  public var plainExamplesPerSecond: Double
  public var perExampleExamplesPerSecond: Double
  /// The full DP-SGD step (Poisson batch, norms, clipping, secure noise, optimizer).
  public var dpExamplesPerSecond: Double
  public var gemmFloorExamplesPerSecond: Double
  /// The step's GEMM work in GFLOP per example.
  public var gemmFlopsPerExample: Double

  /// Plain step time over per-example step time's inverse: per-example cost / plain cost.
  public var perExampleCostRatio: Double { plainExamplesPerSecond / perExampleExamplesPerSecond }
  /// DP-SGD step time over plain step time.
  public var dpCostRatio: Double { plainExamplesPerSecond / dpExamplesPerSecond }
  /// The plain step's speed as a fraction of the GEMM floor.
  public var fractionOfFloor: Double { plainExamplesPerSecond / gemmFloorExamplesPerSecond }

  public init(
    model: String, plainExamplesPerSecond: Double, perExampleExamplesPerSecond: Double, dpExamplesPerSecond: Double,
    gemmFloorExamplesPerSecond: Double, gemmFlopsPerExample: Double
  ) {
    self.model = model
    self.plainExamplesPerSecond = plainExamplesPerSecond
    self.perExampleExamplesPerSecond = perExampleExamplesPerSecond
    self.dpExamplesPerSecond = dpExamplesPerSecond
    self.gemmFloorExamplesPerSecond = gemmFloorExamplesPerSecond
    self.gemmFlopsPerExample = gemmFlopsPerExample
  }
}
