/// The false-positive check of dataset inference, over many random splits of the control set.
///
/// Each split cuts the control rows in two random halves posing as suspect and control and runs
/// `DatasetInference` on them (`DatasetInference.falsePositiveCheck`). Both halves are
/// non-members, so a split that finds `evidence of membership` is a false positive; a sound
/// procedure finds one in about `DatasetInference.significanceLevel` (1%) of splits. One split is
/// a coin with that bias; many splits estimate the false-positive rate on *these* texts:
///
/// - the check passes when at most `allowedFalsePositives(splits:)` = ⌊splits / 10⌋ splits find
///   membership (0 for fewer than 10 splits: one false positive among a handful fails it), that
///   is when at least 90% of splits find no evidence;
/// - it fails when the procedure finds membership between non-members too often, so the
///   suspect-against-control result cannot be read as membership.
///
/// The splits reuse the scored rows (no model is queried), so 100 splits cost about as much as
/// one. Shapes: `control` `[C][D]`, C ≥ 2·`DatasetInference.minimumPerSide`.
public struct ControlSplitCheck: Sendable {
  /// Every split's dataset inference, in the order the generator drew them.
  public let splits: [DatasetInference]

  /// Runs `count` ≥ 1 splits, each drawing its halves and its fit/test cut from `generator`.
  ///
  /// - Throws: `AuditError` for too few control rows or invalid rows (`DatasetInference`).
  public init<G: RandomNumberGenerator>(control: [[Double]], count: Int, generator: inout G) throws {
    precondition(count >= 1, "the false-positive check needs at least one split, got \(count)")
    var splits: [DatasetInference] = []
    splits.reserveCapacity(count)
    for _ in 0..<count {
      splits.append(try DatasetInference.falsePositiveCheck(control: control, generator: &generator))
    }
    self.splits = splits
  }

  /// The most splits allowed to find membership: ⌊splits / 10⌋.
  public static func allowedFalsePositives(splits: Int) -> Int { splits / 10 }

  /// The most of these splits allowed to find membership (`allowedFalsePositives(splits:)`).
  public var allowedFalsePositives: Int { Self.allowedFalsePositives(splits: splits.count) }

  /// The splits that found `evidence of membership` between two halves of the control set.
  public var falsePositives: Int { splits.filter { $0.verdict == .evidenceOfMembership }.count }

  /// Whether at most `allowedFalsePositives` splits found membership.
  public var passed: Bool { falsePositives <= allowedFalsePositives }

  /// The smallest p-value over the splits.
  public var smallestPValue: Double { splits.map(\.test.pValue).min()! }
}
