import TacitTensor

/// Disjoint train / validation / test index sets drawn from a pool of records `0..<count`.
///
/// Indices refer to rows of the dataset the pool came from (e.g. the 60,000 Fashion-MNIST
/// training images; the validation set is held out from those, not from the official test set).
/// Each list is sorted ascending; together they cover at most the pool (records left over are in
/// `unused`). Drawing: one uniform permutation of the pool from the generator, cut in order into
/// train, validation, test; or, when stratified, one permutation per class, each class split in
/// proportion to its share of the pool (see `stratifiedOrder`).
public struct DataSplit: Sendable, Equatable, Codable {
  /// Records to train on.
  public var train: [Int]
  /// Records held out from training for model selection.
  public var validation: [Int]
  /// Records held out for final evaluation (empty when the dataset has its own test set).
  public var test: [Int]
  /// Records of the pool in none of the above.
  public var unused: [Int]

  /// A random split of `0..<count`.
  ///
  /// - Parameter labels: when given (one per record), the split is stratified: each set gets
  ///   each class in proportion to its share of the pool, within two records per class and set.
  /// - Throws: `DataError.invalidSplit` naming the sizes when a size is negative or
  ///   `trainSize + validationSize + testSize > count`.
  public static func make<Generator: RandomNumberGenerator>(
    count: Int, trainSize: Int, validationSize: Int, testSize: Int = 0, stratifiedBy labels: [Int32]? = nil,
    generator: inout Generator
  ) throws -> DataSplit {
    let sizes = [trainSize, validationSize, testSize]
    let requested = sizes.reduce(0, +)
    guard sizes.allSatisfy({ $0 >= 0 }), count >= 0 else {
      throw DataError.invalidSplit(
        reason: "split sizes must be ≥ 0: train \(trainSize), validation \(validationSize), test \(testSize), pool \(count)")
    }
    guard requested <= count else {
      throw DataError.invalidSplit(
        reason:
          "split needs train \(trainSize) + validation \(validationSize) + test \(testSize) = \(requested) records, the pool has \(count)"
      )
    }
    let order: [Int]
    if let labels {
      precondition(labels.count == count, "stratified split: \(labels.count) labels for a pool of \(count)")
      order = stratifiedOrder(labels: labels, generator: &generator)
    } else {
      order = Random.permutation(count, using: &generator)
    }
    var sets = [[Int]]()
    var start = 0
    for size in sizes + [count - requested] {
      sets.append(order[start..<(start + size)].sorted())
      start += size
    }
    return DataSplit(train: sets[0], validation: sets[1], test: sets[2], unused: sets[3])
  }

  /// A random order of `0..<labels.count` in which every prefix holds each class in proportion
  /// to its share of the pool, within one record: each class's records are permuted, the `j`-th
  /// of `n_c` gets the key `(j + ½)/n_c`, and records are sorted by key (ties by class).
  static func stratifiedOrder<Generator: RandomNumberGenerator>(labels: [Int32], generator: inout Generator) -> [Int] {
    var byClass = [Int32: [Int]]()
    for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
    var keyed = [(key: Double, label: Int32, index: Int)]()
    keyed.reserveCapacity(labels.count)
    for label in byClass.keys.sorted() {
      let members = byClass[label]!
      let permutation = Random.permutation(members.count, using: &generator)
      for (rank, position) in permutation.enumerated() {
        keyed.append(((Double(rank) + 0.5) / Double(members.count), label, members[position]))
      }
    }
    keyed.sort { ($0.key, $0.label) < ($1.key, $1.label) }
    return keyed.map(\.index)
  }
}

extension DataSplit {
  /// `count` records drawn uniformly without replacement from `train`, sorted: the audit pool
  /// of records whose membership in the target model is randomised (see `MembershipSplit`).
  ///
  /// - Throws: `DataError.invalidSplit` when `count` is negative or exceeds `train.count`.
  public func memberPool<Generator: RandomNumberGenerator>(count: Int, generator: inout Generator) throws -> [Int] {
    guard count >= 0, count <= train.count else {
      throw DataError.invalidSplit(reason: "audit pool of \(count) records requested, the training set has \(train.count)")
    }
    let order = Random.permutation(train.count, using: &generator)
    return order[0..<count].map { train[$0] }.sorted()
  }
}
