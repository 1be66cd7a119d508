import Foundation
import TacitTensor

/// μ_t and σ_t of log p under a language model's next-token distribution, for Min-K%++ (Zhang et
/// al. 2025; `TokenScores.minKPlusPlus`), exact over the vocabulary.
///
/// Dimension letters: B records, T positions, V vocabulary. For logits z (one row `[V]` of
/// `[B, T, V]`, the prediction of position t from the row of position t − 1), in Float64:
/// log p_v = z_v − log Σ_u e^{z_u} (`LogSoftmaxRow`), μ = Σ_v p_v log p_v, and
/// σ² = Σ_v p_v (log p_v − μ)² (two passes, so no cancellation of E[(log p)²] − μ²). A term with
/// p_v = 0 (e^{z_v − max} underflows) contributes 0 to both.
///
/// Cost: 3 passes over V per scored position.
enum NextTokenMoments {
  /// Per record b, `lengths[b] − 1` pairs (μ_t, σ_t) for t = 1 … lengths[b] − 1 (none for a
  /// record of fewer than 2 tokens).
  static func moments(logits: Tensor, lengths: [Int]) -> [(means: [Double], standardDeviations: [Double])] {
    precondition(logits.rank == 3 && logits.shape[0] == lengths.count, "logits must be [B, T, V], got \(logits.shape)")
    let T = logits.shape[1], V = logits.shape[2]
    var logProbabilities = [Double](repeating: 0, count: V)
    return logits.scalars.withUnsafeBufferPointer { z in
      lengths.enumerated().map { b, n in
        guard n >= 2 else { return ([], []) }
        var means: [Double] = [], deviations: [Double] = []
        means.reserveCapacity(n - 1)
        deviations.reserveCapacity(n - 1)
        for t in 1..<n {
          LogSoftmaxRow.logProbabilities(z, start: (b * T + t - 1) * V, count: V, into: &logProbabilities)
          var mean = 0.0
          for v in 0..<V {
            let probability = Foundation.exp(logProbabilities[v])
            if probability > 0 { mean += probability * logProbabilities[v] }
          }
          var variance = 0.0
          for v in 0..<V {
            let probability = Foundation.exp(logProbabilities[v])
            let deviation = logProbabilities[v] - mean
            if probability > 0 { variance += probability * deviation * deviation }
          }
          means.append(mean)
          deviations.append(variance.squareRoot())
        }
        return (means, deviations)
      }
    }
  }
}
