import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitTensor
import TacitText
import Testing

@testable import TacitPipeline
@testable import TacitReport

/// Secret-sharer canaries (`audit.secrets`): the prefix-tree scores of every candidate equal
/// each candidate scored whole, exposure equals the brute-force rank, records are laid out like
/// the pool, and a run reports exposure against insertions (a canary trained on 16 times is more
/// exposed than one trained on once).
@Suite struct SecretCanariesTests {
  static let section = AuditSection.Secrets(prefix: "my PIN is ", digits: 2, insertions: [1, 4], perInsertion: 3, sample: 100)

  static func setup(context: Int = 24) throws -> LanguageModelSetup {
    try LanguageModelAttacksTests.setup(context: context)
  }

  @Test func treeScoresEqualWholeCandidateScoresAndExposureTheRank() throws {
    let setup = try Self.setup()
    var generator = SeededGenerator(seed: 4)
    let model = try setup.makeModel(generator: &generator)
    let canaries = SecretCanaries.make(Self.section, generator: SeededGenerator(seed: 1))
    #expect(canaries.canaries.map(\.insertions) == [1, 1, 1, 4, 4, 4])
    #expect(Set(canaries.canaries.map(\.secret)).count == 6 && canaries.canaries.allSatisfy { $0.secret.count == 2 })
    let (prefix, digits) = try canaries.tokens(setup: setup)
    let scorer = SecretScorer(model: model, prefix: prefix, digits: digits)
    let tree = scorer.allCandidates(length: 2)
    #expect(tree.count == 100)
    // Each candidate whole: the log-probabilities of its two digits after the prefix.
    let candidates = (0..<100).map { SecretScorer.digitsOf($0, count: 2) }
    let whole = candidates.map { candidate -> Double in
      let ids = prefix + candidate.map { digits[$0] }
      let tokens = Tensor(shape: [1, ids.count], scalars: ids.map(Float.init))
      var inference = SeededGenerator(seed: 0)
      let logits = model.forward(tokens, mode: .inference, generator: &inference)
      let logP = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: tokens)[0]
      return Double(logP[ids.count - 3]) + Double(logP[ids.count - 2])
    }
    for index in 0..<100 { #expect(abs(tree[index] - whole[index]) < 1e-4, "candidate \(index)") }
    // Batches of other sizes round the products differently (1e-7).
    #expect(zip(scorer.scores(of: candidates), tree).allSatisfy { abs($0 - $1) < 1e-4 })
    // Exposure is log₂ 100 − log₂ rank by likelihood.
    let results = try canaries.results(model: model, setup: setup, generator: SeededGenerator(seed: 2))
    for result in results {
      let score = tree[Int(result.secret)!]
      let rank = 1 + tree.filter { $0 > score }.count
      #expect(abs(result.exposure - (log2(100) - log2(Double(rank)))) < 1e-9)
      #expect(abs((result.rank ?? 0) - Double(rank)) < 1e-9 && result.method == "exact")
      #expect(abs(result.maximum - log2(100)) < 1e-12)
    }
  }

  @Test func recordsRepeatEachCanaryAndFollowThePoolsLayout() throws {
    let setup = try Self.setup()
    let canaries = SecretCanaries.make(Self.section, generator: SeededGenerator(seed: 1))
    let pool = LanguageModelAttacks.records(["a fortune", "another one"], setup: setup, windows: false)
    let records = try canaries.records(setup: setup, like: pool)
    #expect(records.count == 3 * 1 + 3 * 4 && records.features.shape == [15, 24])
    let texts = LanguageModelAttacks.texts(of: records, tokenizer: setup.tokenizer)
    #expect(texts.filter { $0 == "my PIN is " + canaries.canaries[3].secret }.count == 4)
    let windowed = LanguageModelAttacks.records(
      ["a fortune", String(repeating: "long ", count: 20)], setup: setup, windows: true)
    #expect(try canaries.records(setup: setup, like: windowed).features.shape == [15, windowed.features.shape[1], 24])
    // A context too short for a canary record is refused, naming the key.
    #expect(throws: PipelineError.self) { try canaries.records(setup: try Self.setup(context: 12), like: pool) }
  }

  @Test func aDPClaimAllowsExposureByGroupPrivacy() {
    // k = 1, ε = 1, δ = 0: log₂ e + log₂ 20.
    let one = SecretCanaryResult.allowedExposure(epsilon: 1, delta: 0, insertions: 1, maximum: 20)!
    #expect(abs(one - (1 / log(2.0) + log2(20.0))) < 1e-12)
    #expect(SecretCanaryResult.allowedExposure(epsilon: 8, delta: 1e-5, insertions: 16, maximum: 20) == nil)
    #expect(SecretCanaryResult.allowedExposure(epsilon: 8, delta: 0, insertions: 16, maximum: 20) == 20)
  }
}
