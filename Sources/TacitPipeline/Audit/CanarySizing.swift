import Foundation
import TacitAudit
import TacitData
import TacitPrivacy
import TacitRecipe
import TacitTensor

/// The canary audit sized to the run's claim, before training (issue 11, "audits sized to their
/// claim").
///
/// A one-run audit of m canaries cannot show more than its ceiling (`OneRunCeiling`: every guess
/// right, the grid's best entry, both analyses, at the run's per-bound confidence 1 − α/B and
/// δ). So before training:
///
/// - `audit.canaries.count: auto` takes the smallest m of `OneRunCeiling.canaryLadder` (1,000 …
///   10⁵) whose ceiling is at least the claimed ε + ln 2 (`OneRunCeiling.margin`), capped by the
///   model's parameter count for gradient canaries (one coordinate each) and by a tenth of the
///   pool for mislabeled ones (`mislabeledPoolShare`: each costs a pool record and trains on a
///   wrong label); else the smallest that exceeds the claim; else the largest ceiling allowed.
///   Without a claim (a non-private run) it takes the ladder's first rung.
/// - A given count is kept; its ceiling is computed the same way (with the recipe's
///   `guess_fraction`, if set, instead of the grid).
/// - When the ceiling does not exceed the claim, a loud warning is logged: the audit cannot
///   refute the claim and its verdict will be UNTESTABLE unless a mechanism check fails
///   (`RunAudit`).
///
/// The claim is the recipe's `target_epsilon`, or for a given noise multiplier the accountant's ε
/// of the plan on N ≈ `member_fraction` × the pool records; δ is `privacy.delta` or the default
/// below 1/N. The verdict after training uses the run's actual claim and ceiling; this is the
/// decision made in advance. Cost: at most 7 ceilings, each ≈ 26 one-run bounds with every
/// guess right (well under a second in a release build).
struct CanarySizing {
  /// The canaries the run uses, `nil` for none.
  let count: Int?
  /// The ceiling of that audit before training, `nil` without canaries or without a claim.
  let ceiling: OneRunCeiling?
  /// Log lines: the choice, and the warning when the claim is above the ceiling.
  let lines: [String]

  /// Mislabeled canaries `auto` may take: at most this share of the pool.
  static let mislabeledPoolShare = 0.1

  /// Sizes `recipe`'s canaries for a run on `pool`. Throws `PipelineError` for `auto` with a
  /// distillation recipe (its two claims are not sized yet) or when not even the ladder's first
  /// rung fits the model or the pool.
  static func make(_ recipe: Recipe, pool: LabeledDataset) throws -> CanarySizing {
    let section = recipe.audit
    guard section.enabled, let canaries = section.canaries else { return CanarySizing(count: nil, ceiling: nil, lines: []) }
    let recordCount = max(1, Int((section.memberFraction * Double(pool.count)).rounded()))
    let claim = try claimedPrivacy(recipe, recordCount: recordCount)
    let boundCount = (section.memberFraction < 1 ? section.attacks.count : 0) + 1
    let confidence = 1 - (1 - section.confidence) / Double(boundCount)
    switch canaries.count {
    case .fixed(let count):
      guard let claim, recipe.distillation == nil else { return CanarySizing(count: count, ceiling: nil, lines: []) }
      // The ceiling costs O(count) (seconds per 10⁷): a count the run refuses anyway (more
      // gradient canaries than parameters, mislabeled ones beyond half the pool) skips it and
      // meets that refusal, before training.
      let possible = canaries.kind == .gradient ? try maximumCount(recipe, kind: .gradient, pool: pool) : pool.count / 2
      guard count <= possible else { return CanarySizing(count: count, ceiling: nil, lines: []) }
      let guesses: OneRunCanaryAudit.Guesses =
        canaries.guessFraction.map { .fraction($0, canaries: count) } ?? .bonferroniGrid
      let ceiling = OneRunCeiling(canaries: count, guesses: guesses, delta: claim.delta, confidence: confidence)
      return CanarySizing(
        count: count, ceiling: ceiling, lines: [line(ceiling, kind: canaries.kind, claim: claim, chosen: false)])
    case .automatic:
      guard recipe.distillation == nil else {
        throw PipelineError(
          "audit.canaries.count: auto is not supported with distillation yet (teacher and student claim different ε); give a number"
        )
      }
      let maximum = try maximumCount(recipe, kind: canaries.kind, pool: pool)
      guard let claim else {
        let count = OneRunCeiling.canaryLadder[0]
        guard count <= maximum else { throw tooFew(kind: canaries.kind, maximum: maximum) }
        return CanarySizing(
          count: count, ceiling: nil, lines: ["audit sizing: no ε claimed, so count auto takes \(count) canaries"])
      }
      guard
        let ceiling = OneRunCeiling.sized(
          claimedEpsilon: claim.epsilon, delta: claim.delta, confidence: confidence, maximumCanaries: maximum)
      else { throw tooFew(kind: canaries.kind, maximum: maximum) }
      return CanarySizing(
        count: ceiling.canaries, ceiling: ceiling,
        lines: [line(ceiling, kind: canaries.kind, claim: claim, chosen: true, maximum: maximum)])
    }
  }

  /// The log line of a sized audit: the choice and its ceiling against the claim, in capitals
  /// when the claim is untestable.
  static func line(
    _ ceiling: OneRunCeiling, kind: AuditSection.Canaries.Kind, claim: (epsilon: Double, delta: Double), chosen: Bool,
    maximum: Int? = nil
  ) -> String {
    let facts = String(
      format: "%d %@ canaries, %@: ceiling %.2f for the claimed ε = %.3g at δ = %.1e (every guess right, %.4g%% per bound)",
      ceiling.canaries, kind.rawValue as NSString, guessWords(ceiling.guesses) as NSString, ceiling.ceiling,
      claim.epsilon, claim.delta, 100 * ceiling.confidence)
    let origin = chosen ? "count auto chose " : ""
    let cap = maximum.map { " (at most \($0) allowed)" } ?? ""
    guard ceiling.ceiling > claim.epsilon else {
      return "WARNING: UNTESTABLE CLAIM: \(origin)\(facts)\(cap). This audit cannot refute the claim, whatever the run "
        + "does; its verdict will be UNTESTABLE, not PASS. More canaries would help (docs/auditing.md, canaries each claim needs)."
    }
    return "audit sizing: \(origin)\(facts)\(cap)"
  }

  static func guessWords(_ guesses: OneRunCanaryAudit.Guesses) -> String {
    switch guesses {
    case .bonferroniGrid: "Bonferroni grid"
    case .fixed(let positive, let negative): "\(positive + negative) fixed guesses"
    }
  }

  /// The ε and δ the run will claim, computed before training on `recordCount` records; `nil`
  /// for a non-private run.
  static func claimedPrivacy(_ recipe: Recipe, recordCount: Int) throws -> (epsilon: Double, delta: Double)? {
    guard let privacy = recipe.privacy else { return nil }
    let delta = privacy.delta ?? PrivacySection.defaultDelta(recordCount: recordCount)
    switch privacy.budget {
    case .targetEpsilon(let target):
      return (target, delta)
    case .noiseMultiplier:
      let plan = try PrivacyPlan.make(
        privacy, training: recipe.training, recordCount: recordCount, featureNorm: recipe.data.features?.privateNorm)
      return plan.claimedEpsilon.map { ($0, plan.delta) }
    }
  }

  /// The most canaries of `kind` the run can hold: the model's parameter coordinates (gradient)
  /// or `mislabeledPoolShare` of the pool (mislabeled).
  static func maximumCount(_ recipe: Recipe, kind: AuditSection.Canaries.Kind, pool: LabeledDataset) throws -> Int {
    switch kind {
    case .gradient:
      // A throwaway model on its own split of the seed: only its size is needed.
      var generator = SeededGenerator(seed: recipe.seed).split("canary-sizing")
      if let language = try LanguageModelSetup.make(recipe) {
        return try language.makeModel(generator: &generator).parameterCount
      }
      return try ModelBuilder.build(recipe.model, inputShape: pool.exampleShape, generator: &generator).parameterCount
    case .mislabeled:
      return Int(mislabeledPoolShare * Double(pool.count))
    }
  }

  static func tooFew(kind: AuditSection.Canaries.Kind, maximum: Int) -> PipelineError {
    let limit =
      kind == .gradient
      ? "the model has only \(maximum) parameter coordinates" : "a tenth of the pool is only \(maximum) records"
    return PipelineError(
      "audit.canaries.count: auto needs at least \(OneRunCeiling.canaryLadder[0]) \(kind.rawValue) canaries, but \(limit); give a number"
    )
  }
}
