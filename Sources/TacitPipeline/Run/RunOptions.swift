import TacitTraining

/// How a run is carried out, beyond its recipe.
struct RunOptions {
  /// Compute threads (`BLAS.setThreadCount`), and how many reference models train at once.
  var threads: Int
  /// Whether to draw a progress line on a terminal.
  var showProgress: Bool
  /// Shard folders of `tacit shadow` holding the reference models; empty: train them here.
  var referenceDirectories: [String] = []
  /// Whether to continue the interrupted run of the recipe at the output (`--resume`,
  /// `RunFolder+Resume.swift`) instead of starting afresh.
  var resume = false
  /// Test-only faults injected into DP-SGD, for the tests that check the audit catches them.
  /// Set only by tests through the internal `RunPipeline.run(…, options:, …)`; no flag or
  /// environment variable reaches it. A run with faults says so in its log and its audit caveats.
  var faults: Set<DPSGDFault> = []
}
