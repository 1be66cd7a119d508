/// GPT-2's map from the 256 byte values to 256 printable Unicode characters, in which its
/// vocabulary and merges are written.
///
/// Rule (Radford et al. 2019, GPT-2's `bytes_to_unicode` in `encoder.py`; the same map as Hugging
/// Face's `ByteLevel`): the 188 bytes that are printable Latin-1 characters, `!`…`~` (0x21–0x7E),
/// `¡`…`¬` (0xA1–0xAC) and `®`…`ÿ` (0xAE–0xFF), stand for themselves; the other 68 bytes (controls,
/// space, DEL, 0x80–0xA0, the soft hyphen 0xAD), in increasing order, map to U+0100, U+0101, …
/// U+0143. So a space is `Ġ` (U+0120) and `\n` is `Ċ` (U+010A).
enum ByteLevelAlphabet {
  /// Whether `byte` is one of the printable bytes that stand for themselves.
  static func isPrintable(_ byte: UInt8) -> Bool {
    (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
  }

  /// The character for each byte value, indexed by the byte.
  static let scalarForByte: [Unicode.Scalar] = {
    var next: UInt32 = 0x100
    return (0...255).map { (value: Int) -> Unicode.Scalar in
      let byte = UInt8(value)
      if isPrintable(byte) { return Unicode.Scalar(byte) }
      defer { next += 1 }
      return Unicode.Scalar(next)!
    }
  }()

  /// The byte each of the 256 characters stands for.
  static let byteForScalar: [Unicode.Scalar: UInt8] = {
    var map: [Unicode.Scalar: UInt8] = [:]
    for (byte, scalar) in scalarForByte.enumerated() { map[scalar] = UInt8(byte) }
    return map
  }()

  /// `bytes` written in the alphabet (a vocabulary entry's spelling).
  static func spelling<Bytes: Sequence<UInt8>>(of bytes: Bytes) -> String {
    var scalars = String.UnicodeScalarView()
    for byte in bytes { scalars.append(scalarForByte[Int(byte)]) }
    return String(scalars)
  }

  /// The bytes a vocabulary entry stands for; a character outside the alphabet (in an added
  /// token such as `<|endoftext|>` all characters are inside it) contributes its own UTF-8 bytes,
  /// as Hugging Face's `ByteLevel` decoder does.
  static func bytes(ofSpelling spelling: String) -> [UInt8] {
    var bytes: [UInt8] = []
    for scalar in spelling.unicodeScalars {
      if let byte = byteForScalar[scalar] {
        bytes.append(byte)
      } else {
        bytes += Array(String(scalar).utf8)
      }
    }
    return bytes
  }
}
