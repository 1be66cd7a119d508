import Foundation
import Testing

@testable import TacitTensor

/// xoshiro256** and SplitMix64 against reference outputs (computed with an independent Python
/// transcription of the published C code), determinism, and splitting.
struct SeededGeneratorTests {
  @Test func xoshiroReferenceVector() {
    // State {1, 2, 3, 4}: the reference implementation's first outputs.
    var generator = SeededGenerator(seed: 0)
    (generator.s0, generator.s1, generator.s2, generator.s3) = (1, 2, 3, 4)
    let outputs = (0..<5).map { _ in generator.next() }
    #expect(outputs == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360])
  }

  @Test func splitMixSeeding() {
    var mixer = SplitMix64(state: 0)
    #expect((0..<3).map { _ in mixer.next() } == [0xe220_a839_7b1d_cdaf, 0x6e78_9e6a_a1b9_65f4, 0x06c4_5d18_8009_454f])
    var generator = SeededGenerator(seed: 42)
    #expect(
      (0..<5).map { _ in generator.next() } == [
        1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009,
        17_057_574_109_182_124_193, 18_295_552_978_065_317_476,
      ])
  }

  @Test func sameSeedSameStreamDifferentSeedDifferentStream() {
    var first = SeededGenerator(seed: 7)
    var second = SeededGenerator(seed: 7)
    var other = SeededGenerator(seed: 8)
    let a = (0..<100).map { _ in first.next() }
    let b = (0..<100).map { _ in second.next() }
    let c = (0..<100).map { _ in other.next() }
    #expect(a == b)
    #expect(zip(a, c).allSatisfy { $0 != $1 })
  }

  @Test func splitIsDeterministicAndIndependentOfState() {
    let parent = SeededGenerator(seed: 2024)
    var advanced = parent
    for _ in 0..<10 { _ = advanced.next() }
    func stream(_ generator: SeededGenerator) -> [UInt64] {
      var copy = generator
      return (0..<50).map { _ in copy.next() }
    }
    // Same purpose: same stream, whatever the parent has drawn.
    #expect(stream(parent.split("noise")) == stream(advanced.split("noise")))
    #expect(stream(parent.split("model", index: 3)) == stream(parent.split("model", index: 3)))
    // Different purposes, indices, or parent seeds: different streams, and none equals the parent.
    let streams = [
      stream(parent), stream(parent.split("noise")), stream(parent.split("init")), stream(parent.split("data-order")),
      stream(parent.split("model", index: 0)), stream(parent.split("model", index: 1)),
      stream(SeededGenerator(seed: 2025).split("noise")),
    ]
    for i in streams.indices {
      for j in streams.indices where i < j {
        let agreeing = zip(streams[i], streams[j]).filter { $0 == $1 }.count
        #expect(agreeing == 0, "streams \(i) and \(j) share \(agreeing) of 50 outputs")
      }
    }
    // Split children are not correlated with each other: bitwise agreement near one half.
    let noise = stream(parent.split("noise"))
    let initialisation = stream(parent.split("init"))
    let agreeingBits = zip(noise, initialisation).reduce(0) { $0 + (~($1.0 ^ $1.1)).nonzeroBitCount }
    #expect(abs(agreeingBits - 1600) < 200, "\(agreeingBits) of 3200 bits agree")
  }

  /// A checkpoint saves a generator as JSON text; restored, it continues the same stream, and
  /// its children (`split` uses the seed) are the same too.
  @Test func stateRoundTripsThroughJSON() throws {
    var generator = SeededGenerator(seed: 0xdead_beef_cafe_f00d)
    for _ in 0..<5 { _ = generator.next() }
    let text = try JSONEncoder().encode([generator])
    var restored = try #require(try JSONDecoder().decode([SeededGenerator].self, from: text).first)
    for _ in 0..<100 { #expect(restored.next() == generator.next()) }
    var childA = restored.split("noise")
    var childB = generator.split("noise")
    #expect(childA.next() == childB.next())
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([SeededGenerator].self, from: Data("[\"0 0 0 0 1\"]".utf8)) }
  }
}
