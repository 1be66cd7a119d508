/// Encoding and decoding with GPT-2's byte-level BPE; the rules are in `GPT2Tokenizer`.
extension GPT2Tokenizer {
  /// The BPE ids of `text`.
  public func encode(_ text: String) -> [Int] {
    let scalars = Array(text.unicodeScalars)
    var ids: [Int] = []
    var segmentStart = 0
    var position = 0
    while position < scalars.count {
      guard let (length, id) = addedToken(at: position, in: scalars) else {
        position += 1
        continue
      }
      encodeSegment(scalars[segmentStart..<position], into: &ids)
      ids.append(id)
      position += length
      segmentStart = position
    }
    encodeSegment(scalars[segmentStart..<scalars.count], into: &ids)
    return ids
  }

  /// The longest added token that starts at `position`, as (length in scalars, id).
  func addedToken(at position: Int, in scalars: [Unicode.Scalar]) -> (Int, Int)? {
    for token in addedTokens where position + token.scalars.count <= scalars.count {
      if scalars[position..<(position + token.scalars.count)].elementsEqual(token.scalars) {
        return (token.scalars.count, token.id)
      }
    }
    return nil
  }

  /// Appends the ids of a text without added tokens.
  func encodeSegment(_ segment: ArraySlice<Unicode.Scalar>, into ids: inout [Int]) {
    guard !segment.isEmpty else { return }
    let scalars = Array(segment)
    for range in GPT2PreTokenizer.pieces(scalars) {
      var view = String.UnicodeScalarView()
      view.append(contentsOf: scalars[range])
      let piece = String(view)
      ids += cache.ids(for: piece) { encodePiece(piece) }
    }
  }

  /// The ids of one pre-tokenized piece.
  func encodePiece(_ piece: String) -> [Int] {
    let bytes = Array(piece.utf8)
    if ignoreMerges, let id = idsBySpelling[ByteLevelAlphabet.spelling(of: bytes)] { return [id] }
    return merges.apply(to: bytes.map { byteIDs[Int($0)] })
  }

  /// The text of `ids`: their bytes concatenated, invalid UTF-8 replaced by U+FFFD.
  public func decode(_ ids: [Int]) -> String {
    var bytes: [UInt8] = []
    for id in ids {
      precondition((0..<vocabularySize).contains(id), "token id \(id) is outside the vocabulary 0..<\(vocabularySize)")
      bytes += tokenBytes[id]
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
