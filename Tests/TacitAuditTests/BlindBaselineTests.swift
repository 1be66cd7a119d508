import Foundation
import Testing

@testable import TacitAudit

/// The blind baseline: an IID split passes (its AUC interval contains ½ in most seeds), a split
/// whose members and non-members come from different sources is flagged INVALID.
@Suite struct BlindBaselineTests {
  /// Random "sentences" of 4–14 words from a fixed vocabulary: one distribution.
  static func sentences(_ count: Int, vocabulary: [String], generator: inout SplitMix64) -> [String] {
    (0..<count).map { _ in
      (0..<Int.random(in: 4...14, using: &generator)).map { _ in vocabulary.randomElement(using: &generator)! }
        .joined(separator: " ")
    }
  }

  static let vocabulary = [
    "the", "a", "fool", "and", "his", "money", "are", "soon", "parted", "time", "flies", "like", "an", "arrow",
    "fruit", "banana", "never", "trust", "computer", "you", "cannot", "throw", "out", "of", "window", "love", "is",
  ]

  /// The records of a Debian fortune file (separated by lines holding only `%`).
  static func fortunes(_ name: String) -> [String] {
    guard let text = try? String(contentsOfFile: "/usr/share/games/fortunes/" + name, encoding: .utf8) else { return [] }
    return text.components(separatedBy: "\n%\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      .filter { !$0.isEmpty }
  }

  static var fortunesInstalled: Bool { FileManager.default.fileExists(atPath: "/usr/share/games/fortunes/computers") }

  @Test func identicalDistributionsPassInMostSeeds() throws {
    var passes = 0
    for seed in 0..<20 {
      var generator = SplitMix64(seed: UInt64(seed))
      let texts = Self.sentences(400, vocabulary: Self.vocabulary, generator: &generator)
      let gate = try BlindBaseline(
        memberTexts: Array(texts[..<200]), nonMemberTexts: Array(texts[200...]), bootstrapResamples: 500,
        generator: &generator)
      #expect(gate.trainingCounts.members == 100 && gate.heldOut.count == 200)
      #expect(gate.aucInterval.lower <= gate.auc && gate.auc <= gate.aucInterval.upper)
      if gate.verdict == .valid { passes += 1 }
    }
    // A 95% interval misses ½ in about 1 seed of 20 on an IID split.
    #expect(passes >= 17, "\(passes) of 20 IID splits passed")
  }

  @Test func aShiftedVocabularyIsFlagged() throws {
    var generator = SplitMix64(seed: 7)
    let members = Self.sentences(200, vocabulary: Self.vocabulary, generator: &generator)
    // Non-members: the same words, one of which is replaced by a word members never use.
    let nonMembers = Self.sentences(
      200, vocabulary: Self.vocabulary.dropLast(3) + ["zebra", "quartz", "jukebox"], generator: &generator)
    let gate = try BlindBaseline(memberTexts: members, nonMemberTexts: nonMembers, generator: &generator)
    #expect(gate.verdict == .invalid)
    #expect(gate.auc > 0.8, "AUC \(gate.auc)")
  }

  @Test(.enabled(if: fortunesInstalled, "install the Debian package fortunes"))
  func fortuneFilesFromDifferentSourcesAreFlaggedAndAnIIDSplitPasses() throws {
    let computers = Self.fortunes("computers"), people = Self.fortunes("people")
    var generator = SplitMix64(seed: 3)
    let shifted = try BlindBaseline(
      memberTexts: Array(computers.prefix(300)), nonMemberTexts: Array(people.prefix(300)), generator: &generator)
    #expect(shifted.verdict == .invalid && shifted.auc > 0.7, "AUC \(shifted.auc)")
    let pool = (computers.prefix(300) + people.prefix(300)).shuffled(using: &generator)
    let iid = try BlindBaseline(memberTexts: Array(pool[..<300]), nonMemberTexts: Array(pool[300...]), generator: &generator)
    #expect(iid.verdict == .valid, "AUC \(iid.auc) [\(iid.aucInterval.lower), \(iid.aucInterval.upper)]")
  }

  @Test func sameSeedSameResult() throws {
    var first = SplitMix64(seed: 11), second = SplitMix64(seed: 11)
    var source = SplitMix64(seed: 1)
    let texts = Self.sentences(60, vocabulary: Self.vocabulary, generator: &source)
    let a = try BlindBaseline(memberTexts: Array(texts[..<30]), nonMemberTexts: Array(texts[30...]), generator: &first)
    let b = try BlindBaseline(memberTexts: Array(texts[..<30]), nonMemberTexts: Array(texts[30...]), generator: &second)
    #expect(a.auc == b.auc && a.aucInterval == b.aucInterval && a.heldOut == b.heldOut)
  }

  @Test func tooFewTextsAreRefused() {
    var generator = SplitMix64(seed: 0)
    #expect(throws: AuditError.self) {
      try BlindBaseline(memberTexts: ["one"], nonMemberTexts: ["a", "b"], generator: &generator)
    }
  }

  @Test func theClassifierLearnsItsClassesNgrams() {
    let classifier = ByteNGramNaiveBayes(members: [Array("aaaa aaaa".utf8)], nonMembers: [Array("bbbb bbbb".utf8)])
    #expect(classifier.score(Array("aaa".utf8)) > 0 && classifier.score(Array("bbb".utf8)) < 0)
    // Every n-gram of each order is counted: L + (L − 1) + (L − 2) buckets.
    var count = 0
    ByteNGramNaiveBayes.forEachBucket(of: Array("hello".utf8)) { _ in count += 1 }
    #expect(count == 5 + 4 + 3)
  }
}
