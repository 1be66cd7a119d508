import RealModule
import TacitTensor

/// The next-token (language-modelling) cross-entropy, per record.
///
/// Dimension letters: `B` records, `T` positions, `V` vocabulary; record `b` has `n_b` tokens
/// `x_0 … x_{n−1}` (right-padded with `GPT2.paddingToken`).
///
/// Position `t` predicts `x_{t+1}`: `log p(x_{t+1} | x_≤t) = z_t[x_{t+1}] − log Σ_v exp z_t[v]`,
/// computed stably (the row maximum subtracted before exponentiating, the sum in Float64). The
/// record's loss is the mean over its `n − 1` predicted tokens,
///
///     ℓ_b = −(1/(n−1)) Σ_{t<n−1} log p(x_{t+1} | x_≤t),     ∂ℓ_b/∂z_t = (softmax(z_t) − e_{x_{t+1}})/(n−1),
///
/// and the gradient is 0 at `t ≥ n − 1` (the last token and padding). A record with fewer than
/// 2 tokens has loss 0 and a zero gradient. Losses are per record (not averaged): DP-SGD clips per
/// record and the trainer chooses the averaging.
///
/// Shapes: logits `[B, T, V]`, tokens `[B, T]`.
public struct NextTokenCrossEntropy: Sendable {
  public init() {}

  /// Per-record losses and the gradient of each record's loss w.r.t. its logits.
  public func lossesAndGradient(logits: Tensor, tokens: Tensor) -> (losses: [Float], gradient: Tensor) {
    let (lengths, V) = Self.validate(logits: logits, tokens: tokens)
    let T = tokens.shape[1]
    var losses = [Float](repeating: 0, count: lengths.count)
    var gradient = Tensor(shape: logits.shape)
    // Records on the compute threads: each writes its own loss and gradient rows.
    logits.scalars.withUnsafeBufferPointer { z in
      tokens.scalars.withUnsafeBufferPointer { ids in
        gradient.scalars.withUnsafeMutableBufferPointer { g in
          losses.withUnsafeMutableBufferPointer { recordLosses in
            Parallel.forEach(lengths.count) { b in
              let n = lengths[b]
              guard n >= 2 else { return }
              let weight = 1 / Float(n - 1)
              var total: Double = 0
              for t in 0..<(n - 1) {
                let row = (b * T + t) * V
                let target = Int(ids[b * T + t + 1])
                let logTotal = Self.softmax(z.baseAddress! + row, into: g.baseAddress! + row, count: V)
                total += Double(z[row + target]) - logTotal
                for v in 0..<V { g[row + v] *= weight }
                g[row + target] -= weight
              }
              recordLosses[b] = Float(-total / Double(n - 1))
            }
          }
        }
      }
    }
    return (losses, gradient)
  }

  /// Per record, `log p(x_i | x_<i)` for `i = 1..<n_b` (natural logarithms; `n_b − 1` values,
  /// none for a record of fewer than 2 tokens).
  public func tokenLogProbabilities(logits: Tensor, tokens: Tensor) -> [[Float]] {
    let (lengths, V) = Self.validate(logits: logits, tokens: tokens)
    let T = tokens.shape[1]
    var scratch = [Float](repeating: 0, count: V)
    return logits.scalars.withUnsafeBufferPointer { z in
      scratch.withUnsafeMutableBufferPointer { p in
        lengths.enumerated().map { b, n in
          n < 2
            ? []
            : (1..<n).map { i in
              let row = (b * T + i - 1) * V
              let target = Int(tokens.scalars[b * T + i])
              let logTotal = Self.softmax(z.baseAddress! + row, into: p.baseAddress!, count: V)
              return Float(Double(z[row + target]) - logTotal)
            }
        }
      }
    }
  }

  /// The record lengths and `V`, after checking shapes and that every id is in `0..<V`.
  private static func validate(logits: Tensor, tokens: Tensor) -> (lengths: [Int], vocabularySize: Int) {
    precondition(
      logits.rank == 3 && tokens.rank == 2 && logits.shape[0] == tokens.shape[0] && logits.shape[1] == tokens.shape[1],
      "next-token loss needs logits [B, T, V] and tokens [B, T], got \(logits.shape) and \(tokens.shape)")
    let lengths = GPT2.recordLengths(tokens)
    let V = logits.shape[2], T = tokens.shape[1]
    for (b, n) in lengths.enumerated() {
      for t in 0..<n {
        let id = tokens.scalars[b * T + t]
        precondition(
          id >= 0 && id < Float(V) && id == id.rounded(), "token id \(id) (record \(b), position \(t)) outside 0..<\(V)")
      }
    }
    return (lengths, V)
  }

  /// Writes `softmax(z)` to `p` and returns `log Σ_v exp z_v` (max subtracted; sum in Float64).
  private static func softmax(_ z: UnsafePointer<Float>, into p: UnsafeMutablePointer<Float>, count: Int) -> Double {
    var maximum = -Float.infinity
    for v in 0..<count { maximum = max(maximum, z[v]) }
    var total: Double = 0
    for v in 0..<count {
      p[v] = Float.exp(z[v] - maximum)
      total += Double(p[v])
    }
    let inverse = Float(1 / total)
    for v in 0..<count { p[v] *= inverse }
    return Double(maximum) + Double.log(total)
  }
}
