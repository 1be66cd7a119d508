import TacitAudit

/// One attack's result on the run's audit records.
public struct AttackResult {
  public var name: String
  public var scores: MembershipScores
  public var metrics: AttackMetrics
  public var epsilon: EmpiricalEpsilon
  public var roc: ROCCurve

  public init(name: String, scores: MembershipScores, metrics: AttackMetrics, epsilon: EmpiricalEpsilon, roc: ROCCurve) {
    self.name = name
    self.scores = scores
    self.metrics = metrics
    self.epsilon = epsilon
    self.roc = roc
  }
}
