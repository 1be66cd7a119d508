/// The state of a `SeededGenerator`, saved and restored so that a run resumed from a checkpoint
/// continues the exact stream it would have drawn.
///
/// Encoded (`Codable`) as one string of five 16-digit hexadecimal words, `s0 s1 s2 s3 seed`:
/// JSON numbers are doubles in many readers and would lose the low bits of a 64-bit word.
extension SeededGenerator: Codable {
  /// The generator with exactly the state words `state` (xoshiro256**'s s0…s3) and the seed
  /// `seed` that `split` derives children from.
  ///
  /// - Precondition: the state is not all zero (xoshiro's one fixed point).
  public init(seed: UInt64, state: [UInt64]) {
    precondition(state.count == 4 && state.contains { $0 != 0 }, "a xoshiro256** state is four words, not all zero: \(state)")
    self.init(seed: seed)
    s0 = state[0]
    s1 = state[1]
    s2 = state[2]
    s3 = state[3]
  }

  /// The four state words s0…s3.
  public var state: [UInt64] { [s0, s1, s2, s3] }

  public init(from decoder: any Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    let words = text.split(separator: " ").compactMap { UInt64($0, radix: 16) }
    guard words.count == 5, words[0..<4].contains(where: { $0 != 0 }) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "not a generator state (five hexadecimal words): \(text)"))
    }
    self.init(seed: words[4], state: Array(words[0..<4]))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    let hex = (state + [seed]).map { word -> String in
      let digits = String(word, radix: 16)
      return String(repeating: "0", count: 16 - digits.count) + digits
    }
    try container.encode(hex.joined(separator: " "))
  }
}
