import Foundation

/// The one JSON mechanism of Tacit's files: `[String: Any]` objects through `JSONSerialization`.
///
/// Written JSON has sorted keys, indentation and unescaped slashes, for files people read; the
/// same object always gives the same bytes. Non-finite numbers (a loss on an empty split) become
/// `null`: JSON has no NaN. Read JSON is whatever `JSONSerialization` parses: objects as
/// `[String: Any]`, arrays as `[Any]`, numbers as `NSNumber` (see `number(_:)`), `null` as `NSNull`.
public enum JSONText {
  /// `object` (a JSON object, array or scalar built from `String`, numbers, `Bool`, `NSNull`,
  /// `[String: Any]` and `[Any]`) as pretty-printed JSON with sorted keys; no trailing newline.
  public static func encode(_ object: Any) -> String {
    let data = try! JSONSerialization.data(
      withJSONObject: sanitized(object), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// `object` as one line of compact JSON with sorted keys, no trailing newline: a JSON Lines
  /// record.
  public static func encodeLine(_ object: Any) -> String {
    let data = try! JSONSerialization.data(withJSONObject: sanitized(object), options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// The JSON value in `data`; throws `JSONSerialization`'s error on malformed JSON.
  public static func decode(_ data: Data) throws -> Any {
    try JSONSerialization.jsonObject(with: data)
  }

  /// A parsed JSON number as a `Double` (integers included). Booleans are not numbers:
  /// `JSONSerialization` gives them as `NSNumber`s of type `c` (and `0 is Bool` holds for any
  /// `NSNumber` 0 or 1).
  public static func number(_ value: Any) -> Double? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
    return number.doubleValue
  }

  /// A parsed JSON integer as an `Int`: a number without a fractional part; booleans are not.
  public static func integer(_ value: Any) -> Int? {
    guard let number = number(value), number == number.rounded(), abs(number) < 1e15 else { return nil }
    return Int(number)
  }

  private static func sanitized(_ value: Any) -> Any {
    switch value {
    case let number as Double: return number.isFinite ? number : NSNull()
    case let dictionary as [String: Any]: return dictionary.mapValues(sanitized)
    case let array as [Any]: return array.map(sanitized)
    default: return value
    }
  }
}
