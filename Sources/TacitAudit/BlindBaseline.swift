/// The validity gate of a language-model membership audit: can a classifier that never sees the
/// model tell the member texts from the non-member texts?
///
/// Published LM membership benchmarks with a distribution shift between members and non-members
/// are beaten by such "blind" classifiers (Das, Zhang & Tramèr 2024, "Blind Baselines Beat
/// Membership Inference Attacks for Foundation Models": 99.0 AUC on WikiMIA against 83.9 for the
/// best attack; Duan et al. 2024, MIMIR): there, an attack's AUC measures the shift, not the
/// model's memory. So before any claim, Tacit trains one and tests whether it beats chance.
///
/// Protocol: members and non-members are each shuffled (with the caller's generator) and cut in
/// two; the first halves (⌊P/2⌋ members, ⌊N/2⌋ non-members) train a `ByteNGramNaiveBayes`
/// (hashed byte 1–3-grams, multinomial naive Bayes), which scores the held-out halves. Held-out
/// texts played no part in training, so for a fixed trained classifier their AUC is ½ in
/// expectation whenever members and non-members come from one distribution. The AUC of the
/// held-out scores gets a percentile bootstrap interval (`AttackMetrics`, stratified); if the
/// interval excludes ½ the split is `invalid`: the texts differ in distribution, and the
/// audit's verdict is INVALID whatever the attacks say. On an IID split the interval contains ½
/// in about `confidence` of the seeds (a gate with roughly 1 − `confidence` false alarms).
///
/// Cost: O(total bytes) to train and score, O(n) per bootstrap replicate after one sort.
public struct BlindBaseline: Sendable {
  /// The gate's outcome.
  public enum Verdict: String, Sendable {
    /// The interval contains ½: no distribution shift detected.
    case valid = "VALID"
    /// The interval excludes ½: members and non-members differ without the model.
    case invalid = "INVALID"
  }

  /// The classifier's AUC on the held-out texts.
  public let auc: Double
  /// Its percentile bootstrap interval.
  public let aucInterval: ConfidenceInterval
  /// The held-out scores (log-likelihood ratios; higher = "looks like a member").
  public let heldOut: MembershipScores
  /// Texts that trained the classifier: (members, non-members).
  public let trainingCounts: (members: Int, nonMembers: Int)
  /// Bootstrap replicates drawn.
  public let bootstrapResamples: Int

  /// `invalid` when the interval excludes ½.
  public var verdict: Verdict { aucInterval.lower > 0.5 || aucInterval.upper < 0.5 ? .invalid : .valid }

  /// The least members and non-members the gate needs: two each (one to train, one to test).
  public static let minimumPerClass = 2

  /// Trains on half of each class and scores the rest (see the type's documentation).
  ///
  /// - Parameters:
  ///   - memberTexts, nonMemberTexts: the texts (UTF-8 bytes are what the classifier reads).
  ///   - bootstrapResamples: replicates of the interval, at least 1.
  ///   - generator: draws the split, then the bootstrap replicates.
  /// - Throws: `AuditError` with fewer than `minimumPerClass` texts in a class.
  public init<G: RandomNumberGenerator>(
    memberTexts: [String], nonMemberTexts: [String], bootstrapResamples: Int = 1000, confidence: Double = 0.95,
    generator: inout G
  ) throws {
    precondition(bootstrapResamples >= 1, "the blind baseline needs at least one bootstrap replicate, got \(bootstrapResamples)")
    guard memberTexts.count >= Self.minimumPerClass, nonMemberTexts.count >= Self.minimumPerClass else {
      throw AuditError(
        "the blind baseline needs at least \(Self.minimumPerClass) member and \(Self.minimumPerClass) non-member texts, got \(memberTexts.count) and \(nonMemberTexts.count)"
      )
    }
    let members = Self.halves(memberTexts.map { Array($0.utf8) }, generator: &generator)
    let nonMembers = Self.halves(nonMemberTexts.map { Array($0.utf8) }, generator: &generator)
    let classifier = ByteNGramNaiveBayes(members: members.training, nonMembers: nonMembers.training)
    heldOut = try MembershipScores(
      scores: members.heldOut.map(classifier.score) + nonMembers.heldOut.map(classifier.score),
      isMember: [Bool](repeating: true, count: members.heldOut.count)
        + [Bool](repeating: false, count: nonMembers.heldOut.count))
    let metrics = AttackMetrics(
      heldOut, bootstrapResamples: bootstrapResamples, confidence: confidence, generator: &generator)
    auc = metrics.auc
    aucInterval = metrics.aucInterval!
    trainingCounts = (members.training.count, nonMembers.training.count)
    self.bootstrapResamples = bootstrapResamples
  }

  /// A uniformly random split of `items` into ⌊n/2⌋ training items and the rest.
  static func halves<T, G: RandomNumberGenerator>(_ items: [T], generator: inout G) -> (training: [T], heldOut: [T]) {
    let shuffled = shuffledIndices(items.count, generator: &generator).map { items[$0] }
    let cut = items.count / 2
    return (Array(shuffled[..<cut]), Array(shuffled[cut...]))
  }
}

/// A uniformly random permutation of `0..<count` (Fisher–Yates with `uniformIndex`, so the same
/// generator state gives the same permutation on every platform).
func shuffledIndices<G: RandomNumberGenerator>(_ count: Int, generator: inout G) -> [Int] {
  var indices = Array(0..<count)
  var position = count - 1
  while position > 0 {
    indices.swapAt(position, uniformIndex(below: position + 1, using: &generator))
    position -= 1
  }
  return indices
}
