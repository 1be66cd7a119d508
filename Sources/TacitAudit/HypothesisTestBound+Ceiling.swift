extension HypothesisTestBound {
  /// The most `epsilonLowerBound(_:delta:confidence:selection: .heldOutHalf, …)` can show on
  /// `members` members and `nonMembers` non-members, whatever the scores: the bound of a perfect
  /// attack (no false positive, no false negative on the measuring half, ⌈n/2⌉ of each),
  ///
  ///   ε_max = ln((1 − δ − FNR_hi)/FPR_hi) with FPR_hi, FNR_hi the Clopper–Pearson upper bounds
  ///   of 0 errors (≈ ln(n/2 / ln(2/α)) for n records of each kind),
  ///
  /// the larger of the two directions. 0 when either kind has fewer than 2 records (no split).
  public static func heldOutHalfCeiling(members: Int, nonMembers: Int, delta: Double, confidence: Double) -> Double {
    precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1), got \(confidence)")
    guard members >= 2 && nonMembers >= 2 else { return 0 }
    let alphaEach = (1 - confidence) / 2
    let falsePositiveRateUpper = ClopperPearson.upperBound(
      successes: 0, trials: nonMembers - nonMembers / 2, alpha: alphaEach)
    let falseNegativeRateUpper = ClopperPearson.upperBound(successes: 0, trials: members - members / 2, alpha: alphaEach)
    return epsilon(
      falsePositiveRateUpper: falsePositiveRateUpper, falseNegativeRateUpper: falseNegativeRateUpper, delta: delta)
  }
}
