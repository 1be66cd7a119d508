import TacitTensor
import Testing

@testable import TacitData

@Suite struct DataSplitTests {
  @Test func sameSeedSameSplitAndDisjointSizes() throws {
    var first = SeededGenerator(seed: 9), second = SeededGenerator(seed: 9), other = SeededGenerator(seed: 10)
    let a = try DataSplit.make(count: 100, trainSize: 60, validationSize: 15, testSize: 20, generator: &first)
    let b = try DataSplit.make(count: 100, trainSize: 60, validationSize: 15, testSize: 20, generator: &second)
    let c = try DataSplit.make(count: 100, trainSize: 60, validationSize: 15, testSize: 20, generator: &other)
    #expect(a == b)
    #expect(a != c)
    #expect(a.train.count == 60 && a.validation.count == 15 && a.test.count == 20 && a.unused.count == 5)
    let all = a.train + a.validation + a.test + a.unused
    #expect(all.sorted() == Array(0..<100))  // disjoint and covering the pool
    #expect(a.train == a.train.sorted())
  }

  @Test func requestingTooManyRecordsNamesTheSizes() {
    var generator = SeededGenerator(seed: 1)
    #expect(
      throws: DataError.invalidSplit(
        reason: "split needs train 50 + validation 20 + test 0 = 70 records, the pool has 60")
    ) {
      try DataSplit.make(count: 60, trainSize: 50, validationSize: 20, generator: &generator)
    }
    #expect(throws: DataError.self) {
      try DataSplit.make(count: 60, trainSize: -1, validationSize: 20, generator: &generator)
    }
  }

  @Test func stratifiedSplitKeepsClassProportions() throws {
    // Classes of 300, 150, 50 records (shares 0.6, 0.3, 0.1), interleaved.
    var labels = [Int32]()
    labels += [Int32](repeating: 0, count: 300) + [Int32](repeating: 1, count: 150) + [Int32](repeating: 2, count: 50)
    var generator = SeededGenerator(seed: 4)
    labels = Random.permutation(labels.count, using: &generator).map { labels[$0] }
    let split = try DataSplit.make(
      count: 500, trainSize: 300, validationSize: 100, testSize: 50,
      stratifiedBy: labels, generator: &generator)
    #expect((split.train + split.validation + split.test + split.unused).sorted() == Array(0..<500))
    for (set, size) in [(split.train, 300), (split.validation, 100), (split.test, 50)] {
      #expect(set.count == size)
      for (label, share) in [(Int32(0), 0.6), (1, 0.3), (2, 0.1)] {
        let count = set.filter { labels[$0] == label }.count
        #expect(abs(Double(count) - share * Double(size)) <= 2, "class \(label): \(count) of \(size)")
      }
    }
  }

  @Test func membershipSplitOfAnAuditPool() throws {
    var generator = SeededGenerator(seed: 21)
    let split = try DataSplit.make(count: 200, trainSize: 150, validationSize: 50, generator: &generator)
    var poolGenerator = SeededGenerator(seed: 22)
    let pool = try split.memberPool(count: 80, generator: &poolGenerator)
    #expect(pool.count == 80 && Set(pool).count == 80)
    #expect(Set(pool).isSubset(of: Set(split.train)))
    var memberGenerator = SeededGenerator(seed: 23), again = SeededGenerator(seed: 23)
    let membership = try MembershipSplit.make(pool: pool, memberCount: 40, generator: &memberGenerator)
    #expect(membership == (try MembershipSplit.make(pool: pool, memberCount: 40, generator: &again)))
    #expect(membership.members.count == 40 && membership.nonMembers.count == 40)
    #expect(Set(membership.members).isDisjoint(with: membership.nonMembers))
    #expect((membership.members + membership.nonMembers).sorted() == pool)
    #expect(membership.membership.filter { $0 }.count == 40)
    #expect(throws: DataError.invalidSplit(reason: "81 members requested from an audit pool of 80 records")) {
      try MembershipSplit.make(pool: pool, memberCount: 81, generator: &memberGenerator)
    }
    #expect(throws: DataError.invalidSplit(reason: "audit pool of 151 records requested, the training set has 150")) {
      try split.memberPool(count: 151, generator: &poolGenerator)
    }
  }

  @Test func membersAreUniformOverThePool() throws {
    // Each record of a pool of 10 is a member with probability 3/10; over 2000 draws the count
    // per record is Binomial(2000, 0.3): mean 600, sd ≈ 20.5; 5 sd = 103.
    var generator = SeededGenerator(seed: 31)
    var counts = [Int](repeating: 0, count: 10)
    for _ in 0..<2000 {
      for member in try MembershipSplit.make(pool: Array(0..<10), memberCount: 3, generator: &generator).members {
        counts[member] += 1
      }
    }
    #expect(counts.allSatisfy { abs($0 - 600) < 103 }, "\(counts)")
  }
}
