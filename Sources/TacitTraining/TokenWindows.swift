import TacitNN
import TacitTensor

/// Long token records as windows (`data.long_records: windows`): the arithmetic, the dataset
/// layout, and how a batch of windowed records becomes the model's rows.
///
/// **Windows.** A record x_0 … x_{n−1} longer than the context T is cut into consecutive windows
/// of T tokens overlapping by one: window w holds x_{w(T−1)} … x_{min(n, w(T−1)+T)−1}. Window w
/// predicts its tokens 1 … (from its own first token on), that is x_{w(T−1)+1} …, so every token
/// but x_0 is predicted exactly once over the windows, each from the up to T−1 tokens before it
/// in its window. A record of n ≥ 2 tokens has `W(n) = ⌈(n−1)/(T−1)⌉` windows (1 when n ≤ T),
/// and every window predicts at least one token.
///
/// **Layout.** A dataset of windowed records has features `[N, K, T]`, K = the largest window
/// count of the pool (at most `maximumCount`): record r's W_r windows, each right-padded with
/// `GPT2.paddingToken`, then K − W_r all-padding rows. Records stay the dataset's examples, so
/// splits, Poisson sampling (q = E/N per record) and the accountant see records, never windows.
/// Flattened, a record's row is its windows end to end (all but the last are full), so its
/// padding is still a suffix.
///
/// **Rows.** Before the model a record becomes its W_r window rows (`rows`; its all-padding
/// rows would add zero loss and zero gradient, so they are dropped, which changes no number).
/// Training groups the drawn records by window count, a pass per group (`UnitRows`), and so does
/// inference (`TokenRecordInference`): a record costs its own W_r rows, whatever else the batch
/// holds. A record's rows are consecutive, the layout augmentation multiplicity uses, so DP-SGD
/// clips each record's group of rows as one (`Layer.addGroupSquaredNorms(into:groupSize:)`).
///
/// **Loss.** A record's loss is the mean over all its predicted tokens, across windows:
/// `L_r = (1/n_r) Σ_w n_w ℓ_w`, where ℓ_w is window w's mean token loss (the per-row next-token
/// objective), n_w its predicted tokens and n_r = Σ_w n_w = n − 1. The step treats a record's K'
/// rows like K' augmented copies (its gradient is the mean of its rows'), so each row's loss is
/// weighted by `a_w = K'·n_w/n_r` (`rowWeights`): then `(1/K') Σ_w a_w ℓ_w = L_r` and
/// `(1/K') Σ_w a_w ∇ℓ_w = ∇L_r`, the gradient DP-SGD clips. Padding rows have n_w = 0: weight 0.
/// For a record that fits (W = 1) this is exactly the truncating path's loss.
public enum TokenWindows {
  /// The most windows one record may have: `K·T` tokens of features per record (a step or an
  /// inference pass computes a record's own windows only).
  public static let maximumCount = 64

  /// `W(n) = ⌈(n−1)/(T−1)⌉` windows for a record of n ≥ 2 tokens and windows of T ≥ 2 tokens
  /// (1 when n ≤ T).
  public static func count(tokens n: Int, length T: Int) -> Int {
    precondition(T >= 2, "windows need at least 2 tokens, got \(T)")
    return n <= T ? 1 : (n - 1 + T - 2) / (T - 1)
  }

  /// The windows of `tokens` (see the type's documentation): window w is
  /// `tokens[w(T−1) ..< min(n, w(T−1)+T)]`.
  public static func windows(of tokens: [Int], length T: Int) -> [[Int]] {
    guard tokens.count > T else { return [tokens] }
    return (0..<count(tokens: tokens.count, length: T)).map { w in
      let start = w * (T - 1)
      return Array(tokens[start..<min(tokens.count, start + T)])
    }
  }

  /// Features `[N, K, T]` of `records` (token ids; each cut into windows of T): record r's
  /// windows then all-padding rows.
  public static func tensor(_ records: [[Int]], length T: Int, count K: Int) -> Tensor {
    Tensor(shape: [records.count, K, T]) { buffer in
      for index in buffer.indices { buffer[index] = GPT2.paddingToken }
      for (record, tokens) in records.enumerated() {
        let windows = windows(of: tokens, length: T)
        precondition(windows.count <= K, "a record of \(tokens.count) tokens has \(windows.count) windows, more than \(K)")
        for (w, window) in windows.enumerated() {
          for (position, token) in window.enumerated() { buffer[(record * K + w) * T + position] = Float(token) }
        }
      }
    }
  }

  /// The model's rows of `records` (indices into `features`): a `[N, T]` record is its row, a
  /// windowed `[N, K, T]` record its W_r windows (`windowCounts`, indexed by record), all-padding
  /// rows dropped; `[Σ W_r, T]`, record after record.
  public static func rows(of records: [Int], in features: Tensor, windowCounts: [Int]?) -> Tensor {
    guard features.rank == 3, let windowCounts else { return features.gathering(rows: records) }
    let (K, T) = (features.shape[1], features.shape[2])
    let flat = features.reshaped([features.batchSize * K, T])
    return flat.gathering(rows: records.flatMap { ($0 * K)..<($0 * K + windowCounts[$0]) })
  }

  /// Each record's window count W_r ≥ 1 in windowed records `[N, K, T]`: its rows up to the
  /// last that is not all padding (a record's padding rows are a suffix).
  public static func windowCounts(_ records: Tensor) -> [Int] {
    precondition(records.rank == 3, "windowed token records must be [N, K, T], got \(records.shape)")
    let (count, K, T) = (records.shape[0], records.shape[1], records.shape[2])
    return records.scalars.withUnsafeBufferPointer { ids in
      (0..<count).map { record in
        var windows = K
        while windows > 1 && ids[(record * K + windows - 1) * T] == GPT2.paddingToken { windows -= 1 }
        return windows
      }
    }
  }

  /// `a_w = K'·n_w/n_r` for every row of `rows` (`[B·K', T]`, records of K' consecutive rows):
  /// n_w the row's predicted tokens (its length − 1, 0 for padding), n_r their sum over the
  /// record (0 → weight 0).
  public static func rowWeights(rows: Tensor, perRecord: Int) -> [Float] {
    let predicted = GPT2.recordLengths(rows).map { max(0, $0 - 1) }
    var weights = [Float](repeating: 0, count: predicted.count)
    for start in stride(from: 0, to: predicted.count, by: perRecord) {
      let total = predicted[start..<(start + perRecord)].reduce(0, +)
      guard total > 0 else { continue }
      for row in start..<(start + perRecord) {
        weights[row] = Float(perRecord) * Float(predicted[row]) / Float(total)
      }
    }
    return weights
  }

  /// The token records of `features`: `[N, T]` (each row's tokens before its padding) or windowed
  /// `[N, K, T]` (each record's tokens put back together from its windows, the overlaps once).
  public static func records(_ features: Tensor) -> [[Int]] {
    let perRecord = features.rank == 3 ? features.shape[1] : 1
    let T = features.shape.last ?? 0
    let lengths = GPT2.recordLengths(features.reshaped([features.batchSize * perRecord, T]))
    return features.scalars.withUnsafeBufferPointer { ids in
      (0..<features.batchSize).map { record in
        var tokens: [Int] = []
        for w in 0..<perRecord {
          let row = record * perRecord + w
          guard lengths[row] > 0 else { break }
          for position in (w == 0 ? 0 : 1)..<lengths[row] { tokens.append(Int(ids[row * T + position])) }
        }
        return tokens
      }
    }
  }
}

/// How a batch's rows make up its records when a record spans several consecutive rows (a long
/// text record's windows, `TokenWindows`): each record is `perRecord` rows, and row b's loss and
/// logit gradient are scaled by `weights[b]` so that the mean over a record's rows is the
/// record's loss and gradient.
public struct RecordRows: Sendable, Equatable {
  /// K', the rows of each record.
  public var perRecord: Int
  /// a_b per row, `[B·K']`.
  public var weights: [Float]

  public init(perRecord: Int, weights: [Float]) {
    precondition(perRecord >= 1, "a record has at least one row")
    precondition(weights.count % perRecord == 0, "\(weights.count) row weights are not whole records of \(perRecord)")
    self.perRecord = perRecord
    self.weights = weights
  }
}
