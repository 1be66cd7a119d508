import RealModule

/// A multinomial naive Bayes classifier over hashed byte n-grams: the model-free text classifier
/// of the blind baseline (`BlindBaseline`).
///
/// Features: every byte n-gram of a text's UTF-8 bytes for n = 1, 2, 3 (a text of L bytes has
/// L + (L − 1) + (L − 2) of them, the shorter orders included), each hashed (FNV-1a over the
/// order and the bytes, mixed by SplitMix64's finaliser) into one of F = 2¹⁸ buckets; c_f(x) is
/// the count of text x's n-grams in bucket f.
///
/// Training (Manning, Raghavan & Schütze 2008, §13.2): per class y ∈ {member, non-member}, the
/// bucket probabilities with add-α smoothing θ_{y,f} = (N_{y,f} + α) / (N_y + α·F), where N_{y,f}
/// sums c_f over the class's training texts and N_y = Σ_f N_{y,f}. The score of a text is its
/// log-likelihood ratio Σ_f c_f(x) · (log θ_{member,f} − log θ_{non-member,f}) (the class prior
/// is a constant shift, which no ROC sees): higher means "looks like the member texts".
///
/// Storage: one `[F]` array of log-ratios (2 MB). Cost: O(bytes) to train and to score.
struct ByteNGramNaiveBayes: Sendable {
  /// F, the number of hash buckets.
  static let bucketCount = 1 << 18
  /// The n-gram orders counted.
  static let orders = 1...3

  /// log θ_{member,f} − log θ_{non-member,f}, per bucket.
  let logRatios: [Double]

  /// Fits the two classes' bucket probabilities with add-`smoothing` (α > 0) smoothing.
  init(members: [[UInt8]], nonMembers: [[UInt8]], smoothing: Double = 1) {
    precondition(smoothing > 0, "naive Bayes smoothing must be positive, got \(smoothing)")
    func logProbabilities(_ texts: [[UInt8]]) -> [Double] {
      var counts = [Double](repeating: 0, count: Self.bucketCount)
      var total = 0.0
      for text in texts {
        Self.forEachBucket(of: text) { bucket in
          counts[bucket] += 1
          total += 1
        }
      }
      let logDenominator = Double.log(total + smoothing * Double(Self.bucketCount))
      return counts.map { Double.log($0 + smoothing) - logDenominator }
    }
    let member = logProbabilities(members)
    let nonMember = logProbabilities(nonMembers)
    logRatios = zip(member, nonMember).map { $0 - $1 }
  }

  /// Σ_f c_f(text) · (log θ_{member,f} − log θ_{non-member,f}).
  func score(_ text: [UInt8]) -> Double {
    var total = 0.0
    Self.forEachBucket(of: text) { total += logRatios[$0] }
    return total
  }

  /// Calls `body` with the bucket of every byte n-gram of `text`, n in `orders`.
  static func forEachBucket(of text: [UInt8], _ body: (Int) -> Void) {
    for order in orders where text.count >= order {
      for start in 0...(text.count - order) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(order)
        hash = hash &* 0x0000_0100_0000_01b3
        for offset in 0..<order {
          hash ^= UInt64(text[start + offset])
          hash = hash &* 0x0000_0100_0000_01b3
        }
        // SplitMix64's finaliser spreads FNV's weak low bits over the bucket index.
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        body(Int(hash & UInt64(bucketCount - 1)))
      }
    }
  }
}
