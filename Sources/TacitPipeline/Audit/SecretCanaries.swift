import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitText
import TacitTraining

/// A language-model run's secret-sharer canaries (Carlini et al. 2019; `audit.secrets`): texts
/// "prefix + N random digits" that the target trains on k times each, and, after training, each
/// one's exposure (`Exposure`) and whether greedy decoding from the prefix extracts it.
///
/// A candidate r ∈ R = {0…9}^N is scored by log p(r | prefix) = Σ_i log p(r_i | prefix, r_<i)
/// (the record's BOS and the prefix condition every candidate alike; the end-of-record token is
/// not scored, so one forward pass per prefix of the tree scores ten children at once). For
/// |R| ≤ 10⁶ every candidate is scored, level by level: the 10^k prefixes of length k are one
/// batch, their last position's log-softmax gives the ten digits (Σ_k 10^k = (10^N − 1)/9
/// sequences). Larger spaces are extrapolated from `sample` uniformly drawn candidates.
///
/// Digits must be single tokens that do not merge with the prefix (Tacit's byte-level
/// tokenizer; checked, with a clear error otherwise).
struct SecretCanaries {
  struct Canary {
    var secret: String
    var insertions: Int
  }

  var section: AuditSection.Secrets
  var canaries: [Canary]

  /// Draws the canaries (split "secrets" of the audit generator): `perInsertion` distinct secrets
  /// for each insertion count.
  static func make(_ section: AuditSection.Secrets, generator: SeededGenerator) -> SecretCanaries {
    var generator = generator.split("secrets")
    var canaries: [Canary] = []
    var drawn = Set<String>()
    for insertions in section.insertions {
      var made = 0
      while made < section.perInsertion {
        let secret = String((0..<section.digits).map { _ in Character(String(generator.next() % 10)) })
        // A space of 10 holds at most 10 distinct secrets; beyond, repeats are allowed.
        if drawn.contains(secret) && Double(drawn.count) < section.spaceSize / 2 { continue }
        drawn.insert(secret)
        canaries.append(Canary(secret: secret, insertions: insertions))
        made += 1
      }
    }
    return SecretCanaries(section: section, canaries: canaries)
  }

  /// The ids of the record's start and the prefix, and of the ten digits; throws when digits are
  /// not single tokens or the longest canary exceeds the context.
  func tokens(setup: LanguageModelSetup) throws -> (prefix: [Int], digits: [Int]) {
    let tokenizer = setup.tokenizer
    let digitIDs = (0...9).map { tokenizer.encode(String($0)) }
    let prefix = (tokenizer.recordStartID.map { [$0] } ?? []) + tokenizer.encode(section.prefix)
    let sample = String(repeating: "7", count: section.digits)
    guard digitIDs.allSatisfy({ $0.count == 1 }),
      tokenizer.encode(section.prefix + sample) == tokenizer.encode(section.prefix)
        + [Int](repeating: digitIDs[7][0], count: section.digits)
    else {
      throw PipelineError(
        "audit.secrets.format: the model's tokenizer does not give each digit of the secret its own token; secret canaries need Tacit's byte-level models"
      )
    }
    let length = prefix.count + section.digits + (tokenizer.recordEndID == nil ? 0 : 1)
    guard length <= setup.context else {
      throw PipelineError(
        "audit.secrets.format: a canary record holds \(length) tokens; model.context is \(setup.context)")
    }
    return (prefix, digitIDs.map { $0[0] })
  }

  /// The canary records the target trains on, each canary `insertions` times, laid out like
  /// `pool` (`[N, T]` rows, or `[N, K, T]` windows).
  func records(setup: LanguageModelSetup, like pool: LabeledDataset) throws -> LabeledDataset {
    _ = try tokens(setup: setup)
    let encoded = canaries.flatMap { canary in
      [[Int]](repeating: setup.tokenizer.encodeRecord(section.prefix + canary.secret), count: canary.insertions)
    }
    let windows = pool.features.rank == 3
    let features = TokenRecords.features(
      encoded, context: setup.context, windows: windows, windowCount: windows ? pool.features.shape[1] : nil)
    return LabeledDataset(
      features: features, labels: [Int32](repeating: 0, count: encoded.count), classCount: pool.classCount,
      name: "secret canaries")
  }

  /// Each canary's exposure, rank (exact only) and extraction by greedy decoding.
  func results(model: Sequential, setup: LanguageModelSetup, generator: SeededGenerator) throws -> [SecretCanaryResult] {
    let (prefix, digits) = try tokens(setup: setup)
    let scorer = SecretScorer(model: model, prefix: prefix, digits: digits)
    let maximum = Double.log2(section.spaceSize)
    let extracted = scorer.greedy(length: section.digits)
    if section.spaceSize <= Double(AuditSection.Secrets.exactLimit) {
      let scores = scorer.allCandidates(length: section.digits)
      let perplexities = scores.map { -$0 }
      return canaries.map { canary in
        let exposure = Exposure.exact(canary: perplexities[Int(canary.secret)!], candidates: perplexities)
        return SecretCanaryResult(
          insertions: canary.insertions, secret: canary.secret, exposure: exposure, maximum: maximum, method: "exact",
          rank: Double.exp2(maximum - exposure), extracted: extracted == canary.secret)
      }
    }
    var sampleGenerator = generator.split("secret-sample")
    let sample = (0..<section.sample).map { _ in (0..<section.digits).map { _ in Int(sampleGenerator.next() % 10) } }
    let sampleScores = scorer.scores(of: sample).map { -$0 }
    let canaryScores = scorer.scores(of: canaries.map { $0.secret.map { Int(String($0))! } }).map { -$0 }
    return zip(canaries, canaryScores).map { canary, score in
      SecretCanaryResult(
        insertions: canary.insertions, secret: canary.secret,
        exposure: min(maximum, Exposure.extrapolated(canary: score, sample: sampleScores).exposure), maximum: maximum,
        method: "extrapolated (skew-normal fit to \(section.sample) candidates)", rank: nil,
        extracted: extracted == canary.secret)
    }
  }
}

/// Batched inference over "prefix + digits" sequences of one length.
struct SecretScorer {
  var model: Sequential
  var prefix: [Int]
  var digits: [Int]

  /// The log-softmax of the last position's logits for each sequence (rows of ids of one
  /// length), in `TokenRecordInference`'s batches.
  func lastLogProbabilities(_ sequences: [[Int]], _ body: (Int, [Double]) -> Void) {
    guard let length = sequences.first?.count else { return }
    let records = LabeledDataset(
      features: TokenRecords.tensor(sequences, context: length), labels: [Int32](repeating: 0, count: sequences.count),
      classCount: 1, name: "secret candidates")
    var index = 0
    // [N, T] records: in order, one row each.
    TokenRecordInference.forEachBatch(of: model, on: records) { tokens, logits, _, _ in
      let vocabulary = logits.shape[2]
      var logProbabilities = [Double](repeating: 0, count: vocabulary)
      logits.scalars.withUnsafeBufferPointer { z in
        for row in 0..<tokens.shape[0] {
          LogSoftmaxRow.logProbabilities(
            z, start: (row * length + length - 1) * vocabulary, count: vocabulary, into: &logProbabilities)
          body(index, logProbabilities)
          index += 1
        }
      }
    }
  }

  /// log p(r | prefix) of all 10^length candidates, indexed by the candidate's value.
  func allCandidates(length: Int) -> [Double] {
    var scores = [0.0]
    for level in 0..<length {
      let sequences = (0..<scores.count).map { index in prefix + Self.digitsOf(index, count: level).map { digits[$0] } }
      var next = [Double](repeating: 0, count: scores.count * 10)
      lastLogProbabilities(sequences) { index, logProbabilities in
        for digit in 0..<10 { next[index * 10 + digit] = scores[index] + logProbabilities[digits[digit]] }
      }
      scores = next
    }
    return scores
  }

  /// log p(r | prefix) of the given candidates (digit values).
  func scores(of candidates: [[Int]]) -> [Double] {
    guard let length = candidates.first?.count else { return [] }
    var scores = [Double](repeating: 0, count: candidates.count)
    for position in 0..<length {
      let sequences = candidates.map { prefix + $0.prefix(position).map { digits[$0] } }
      lastLogProbabilities(sequences) { index, logProbabilities in
        scores[index] += logProbabilities[digits[candidates[index][position]]]
      }
    }
    return scores
  }

  /// Greedy decoding of `length` tokens after the prefix (argmax over the whole vocabulary), as
  /// text if every token is a digit, else `nil`.
  func greedy(length: Int) -> String? {
    var sequence = prefix
    var text = ""
    for _ in 0..<length {
      var best = 0
      lastLogProbabilities([sequence]) { _, logProbabilities in
        best = logProbabilities.indices.max { logProbabilities[$0] < logProbabilities[$1] } ?? 0
      }
      guard let digit = digits.firstIndex(of: best) else { return nil }
      sequence.append(best)
      text += String(digit)
    }
    return text
  }

  /// The `count` decimal digits of `value`, most significant first.
  static func digitsOf(_ value: Int, count: Int) -> [Int] {
    var digits = [Int](repeating: 0, count: count)
    var rest = value
    for position in stride(from: count - 1, through: 0, by: -1) {
      digits[position] = rest % 10
      rest /= 10
    }
    return digits
  }
}
