/// TacitPipeline's public API hands out TacitReport's types (`RunComparison`, `BenchmarkReport`,
/// `Benchmark.Result`), so a client of the pipeline (the `tacit` executable) sees them by
/// importing TacitPipeline alone, as DESIGN.md's module map has it.
@_exported import TacitReport
