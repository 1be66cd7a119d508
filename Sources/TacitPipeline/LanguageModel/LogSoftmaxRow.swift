import Foundation

/// The log-softmax of one row of next-token logits, in Float64, for the audit's readers of whole
/// next-token distributions (`NextTokenMoments` for Min-K%++, `SecretScorer` for the secret
/// sharer's candidates).
///
/// For logits z of one row `[V]`: m = max_v z_v, log p_v = z_v − (m + log Σ_u e^{z_u − m}), every
/// difference and sum taken in Float64 (the maximum subtracted first, so no exponential
/// overflows; a term that underflows adds 0). Training's `NextTokenCrossEntropy` keeps its own
/// Float32 kernel, whose numerics the DP-SGD step's bit-for-bit determinism depends on.
///
/// Cost: two passes over V.
enum LogSoftmaxRow {
  /// Writes log p_v of `z[start ..< start + count]` into `output[0 ..< count]` (`output` holds at
  /// least `count` values).
  static func logProbabilities(_ z: UnsafeBufferPointer<Float>, start: Int, count: Int, into output: inout [Double]) {
    precondition(count >= 1 && start >= 0 && start + count <= z.count && output.count >= count, "row out of range")
    var maximum = -Double.infinity
    for v in 0..<count { maximum = max(maximum, Double(z[start + v])) }
    var total = 0.0
    for v in 0..<count { total += Foundation.exp(Double(z[start + v]) - maximum) }
    let logTotal = maximum + Foundation.log(total)
    for v in 0..<count { output[v] = Double(z[start + v]) - logTotal }
  }
}
