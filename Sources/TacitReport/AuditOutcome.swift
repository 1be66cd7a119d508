import TacitAudit

/// Everything a run's audit found, and the verdict: what `audit.json`, `summary.json`, the
/// terminal and the HTML report show (`AuditOutcome+Rendering.swift`, `RunReport+Audit.swift`).
public struct AuditOutcome {
  public typealias Verdict = AuditVerdict

  public var verdict: Verdict
  public var epsilonClaimed: Double?
  /// The largest bound over attacks and canaries (each at Bonferroni-corrected confidence).
  public var epsilonLowerBound: Double
  /// Which bound gave `epsilonLowerBound`.
  public var boundSource: String?
  public var confidence: Double
  public var delta: Double
  /// `true` when δ was not given by a privacy section (non-private runs): the default δ below 1/N.
  public var deltaIsDefault: Bool
  public var attacks: [AttackResult]
  public var canaries: CanaryResult?
  public var memberCount: Int
  public var nonMemberCount: Int
  public var referenceModels: Int
  public var populationSize: Int
  /// Lines the report repeats verbatim: what the audit does not cover, test-only hooks, ….
  public var caveats: [String]
  /// GDP estimate (Nasr et al. 2023) from the strongest attack: μ and ε, an estimate, not a bound.
  public var gdpEstimate: (attack: String, mu: Double, epsilon: Double)?
  /// The most the attacks' hypothesis-test bounds could show on these members and non-members
  /// (a perfect attack, `HypothesisTestBound.heldOutHalfCeiling`); `nil` without attacks.
  public var attackCeiling: Double?
  /// A language model's validity gate (`BlindBaseline`) on the member and non-member texts;
  /// `nil` for other models.
  public var blindBaseline: BlindBaseline?
  /// A language model's secret-sharer canaries (`audit.secrets`); empty when none.
  public var secrets: [SecretCanaryResult] = []
  /// Whether each secret canary's copies are one user of a `privacy.unit: user` run, so that
  /// the claim covers them as one unit, not by group privacy over its insertions.
  public var secretCopiesAreOneUser = false
  /// A language model's member and non-member texts as the model read them, written to the run
  /// folder (`members.jsonl`, `non-members.jsonl`) for `tacit audit texts` and `tacit score`;
  /// empty for other models.
  public var memberTexts: [String] = []
  public var nonMemberTexts: [String] = []

  /// The units the claim must cover for a secret inserted `insertions` times: 1 when its
  /// copies are one user (`secretCopiesAreOneUser`; 0 for a control never inserted), else the
  /// insertions (group privacy).
  public func accountedCopies(insertions: Int) -> Int { secretCopiesAreOneUser ? min(insertions, 1) : insertions }

  /// The largest AUC an attack can have if the run is (ε, δ)-DP for its claimed ε and δ
  /// (`TradeOffCurve.maximumAUC`); `nil` without a claim.
  public var allowedAUC: Double? {
    guard let epsilonClaimed, !deltaIsDefault else { return nil }
    return TradeOffCurve.approximate(epsilon: epsilonClaimed, delta: delta).maximumAUC
  }

  /// The attacks whose AUC is above `allowedAUC` beyond doubt: the lower end of the AUC's
  /// bootstrap interval (or the AUC itself without one) exceeds it.
  public var attacksExceedingAllowedAUC: [String] {
    guard let allowed = allowedAUC else { return [] }
    return attacks.filter { ($0.metrics.aucInterval?.lower ?? $0.metrics.auc) > allowed }.map(\.name)
  }

  /// The ceiling that decides whether the claim is testable (a claim at or above it is
  /// UNTESTABLE): the canary audit's when the run has canaries, else the attacks'; `nil` when
  /// nothing was audited.
  ///
  /// With canaries the attacks' ceiling is not used: it is the bound of a perfect membership
  /// attack on the final model (every member told from every non-member), which no attack on a
  /// DP-SGD model comes near even with the noise off, while the canaries are the audit built to
  /// be tight. So a PASS says the canary audit could have refuted the claim; this errs towards
  /// UNTESTABLE, never towards PASS, and a violation shown by an attack is still a VIOLATION.
  public var ceiling: Double? { canaries?.ceiling ?? attackCeiling }

  /// The attack with the highest AUC.
  public var strongestAttack: AttackResult? { attacks.max { $0.metrics.auc < $1.metrics.auc } }

  public init(
    verdict: Verdict, epsilonClaimed: Double?, epsilonLowerBound: Double, boundSource: String?, confidence: Double,
    delta: Double, deltaIsDefault: Bool, attacks: [AttackResult], canaries: CanaryResult?, memberCount: Int,
    nonMemberCount: Int, referenceModels: Int, populationSize: Int, caveats: [String],
    gdpEstimate: (attack: String, mu: Double, epsilon: Double)?, attackCeiling: Double? = nil
  ) {
    self.verdict = verdict
    self.epsilonClaimed = epsilonClaimed
    self.epsilonLowerBound = epsilonLowerBound
    self.boundSource = boundSource
    self.confidence = confidence
    self.delta = delta
    self.deltaIsDefault = deltaIsDefault
    self.attacks = attacks
    self.canaries = canaries
    self.memberCount = memberCount
    self.nonMemberCount = nonMemberCount
    self.referenceModels = referenceModels
    self.populationSize = populationSize
    self.caveats = caveats
    self.gdpEstimate = gdpEstimate
    self.attackCeiling = attackCeiling
  }
}
