import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitTensor
import TacitText
import Testing

@testable import TacitPipeline
@testable import TacitTraining

/// The after-run attacks that read token log-probabilities and text (`LanguageModelAttacks`), on
/// a tiny byte-level GPT-2: the statistics equal the training loss's log-probabilities and the
/// moments recomputed by definition; texts survive the token round trip (truncated and
/// windowed); every score equals its `TokenScores` formula.
@Suite struct LanguageModelAttacksTests {
  static let texts = ["Hello, World!", "the quick brown fox", "A", "MIXED case Text 42", "zz"]

  static func setup(context: Int = 12) throws -> LanguageModelSetup {
    let tokenizer = ByteTokenizer()
    let configuration = try GPT2Configuration(
      vocabularySize: tokenizer.vocabularySize, contextLength: context, width: 8, layerCount: 1, headCount: 2,
      tieEmbeddings: true)
    return LanguageModelSetup(tokenizer: tokenizer, configuration: configuration, pretrainedPath: nil)
  }

  static func model(_ setup: LanguageModelSetup) throws -> Sequential {
    var generator = SeededGenerator(seed: 9)
    return try setup.makeModel(generator: &generator)
  }

  @Test func statisticsAreTheModelsLogProbabilitiesAndMoments() throws {
    let setup = try Self.setup()
    let model = try Self.model(setup)
    let records = LanguageModelAttacks.records(Self.texts, setup: setup, windows: false)
    let statistics = LanguageModelAttacks.statistics(of: model, on: records)
    var generator = SeededGenerator(seed: 0)
    let logits = model.forward(records.features, mode: .inference, generator: &generator)
    let expected = NextTokenCrossEntropy().tokenLogProbabilities(logits: logits, tokens: records.features)
    #expect(statistics.logProbabilities.count == Self.texts.count)
    for (record, row) in expected.enumerated() {
      #expect(statistics.logProbabilities[record].count == row.count)
      for (got, want) in zip(statistics.logProbabilities[record], row) { #expect(abs(got - Double(want)) < 1e-5) }
    }
    // Record 0, position 3: the moments of log p by definition.
    let V = 258, T = 12
    let row = (0..<V).map { Double(logits.scalars[(0 * T + 3) * V + $0]) }
    let logTotal = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
    let logP = row.map { $0 - logTotal }
    let mean = logP.map { Foundation.exp($0) * $0 }.reduce(0, +)
    let variance = logP.map { Foundation.exp($0) * ($0 - mean) * ($0 - mean) }.reduce(0, +)
    #expect(abs(statistics.means[0][3] - mean) < 1e-7)  // Float logits: the maximum is subtracted in Float
    #expect(abs(statistics.standardDeviations[0][3] - variance.squareRoot()) < 1e-7)
  }

  @Test(arguments: [false, true])
  func textsSurviveTheTokenRoundTrip(windows: Bool) throws {
    let setup = try Self.setup(context: windows ? 5 : 40)
    let records = LanguageModelAttacks.records(Self.texts, setup: setup, windows: windows)
    #expect(records.features.rank == (windows ? 3 : 2))
    #expect(LanguageModelAttacks.texts(of: records, tokenizer: setup.tokenizer) == Self.texts)
    // Truncated: the text is what the model read.
    let short = try Self.setup(context: 6)
    let truncated = LanguageModelAttacks.records(["abcdefghij"], setup: short, windows: false)
    #expect(LanguageModelAttacks.texts(of: truncated, tokenizer: short.tokenizer) == ["abcde"])
  }

  @Test(arguments: [false, true])
  func scoresFollowTheirFormulas(windows: Bool) throws {
    let setup = try Self.setup(context: windows ? 6 : 24)
    let model = try Self.model(setup)
    let records = LanguageModelAttacks.records(Self.texts, setup: setup, windows: windows)
    let attacks: [AuditSection.Attack] = [.loss, .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio]
    let scores = LanguageModelAttacks.scores(attacks, model: model, records: records, setup: setup, windows: windows, k: 0.5)
    #expect(Set(scores.keys) == [.minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio], "loss is not a text attack")
    let statistics = LanguageModelAttacks.statistics(of: model, on: records)
    let losses = LanguageModelScoring.recordLosses(of: model, on: records)
    let lowercaseLosses = LanguageModelScoring.recordLosses(
      of: model, on: LanguageModelAttacks.records(Self.texts.map { $0.lowercased() }, setup: setup, windows: windows))
    #expect(lowercaseLosses.count == Self.texts.count)
    for record in Self.texts.indices {
      let logP = statistics.logProbabilities[record]
      #expect(abs(TokenScores.loss(logP) - losses[record]) < 1e-5)
      #expect(scores[.minK]![record] == TokenScores.minK(logP, k: 0.5))
      #expect(
        scores[.minKPlusPlus]![record]
          == TokenScores.minKPlusPlus(
            logP, means: statistics.means[record], standardDeviations: statistics.standardDeviations[record], k: 0.5))
      let compressed = Zlib.compressedSize(Array(Self.texts[record].utf8), level: 6)
      #expect(abs(scores[.zlibRatio]![record] + TokenScores.loss(logP) / Double(compressed)) < 1e-12)
      #expect(abs(scores[.lowercaseRatio]![record] - lowercaseLosses[record] / TokenScores.loss(logP)) < 1e-4)
    }
    // Already lower-case texts score the same as their lower-cased selves: a ratio of 1.
    #expect(abs(scores[.lowercaseRatio]![1] - 1) < 1e-12 && abs(scores[.lowercaseRatio]![4] - 1) < 1e-12)
  }

  /// Windowed records of different window counts are scored in batches of one count
  /// (`TokenRecordInference`), yet every record gets its own numbers: each equals the record
  /// scored alone, and each batch of the plan holds records of one count within the row budget.
  @Test func windowedRecordsKeepTheirOwnScores() throws {
    let setup = try Self.setup(context: 6)
    let model = try Self.model(setup)
    let records = LanguageModelAttacks.records(Self.texts, setup: setup, windows: true)
    let losses = LanguageModelScoring.recordLosses(of: model, on: records)
    let statistics = LanguageModelAttacks.statistics(of: model, on: records)
    for record in Self.texts.indices {
      let alone = records.subset(indices: [record])
      #expect(abs(LanguageModelScoring.recordLosses(of: model, on: alone)[0] - losses[record]) < 1e-6, "record \(record)")
      #expect(LanguageModelAttacks.statistics(of: model, on: alone).logProbabilities[0] == statistics.logProbabilities[record])
    }
    let plan = TokenRecordInference.batches(
      count: records.count, windowCounts: TokenWindows.windowCounts(records.features), rowBudget: 3)
    #expect(plan.flatMap(\.records).sorted() == Array(Self.texts.indices))
    #expect(Set(plan.map(\.windows)).count > 1, "the texts need different window counts")
    for batch in plan { #expect(batch.records.count * batch.windows <= max(3, batch.windows)) }
  }
}
