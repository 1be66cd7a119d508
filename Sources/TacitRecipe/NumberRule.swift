/// A range check on a number read from a recipe, with the wording used in its error message.
///
/// `NumberRule<Int>.atLeast(1)` reports `must be >= 1, got 0`.
struct NumberRule<Value: Comparable> {
  /// Whether a value passes.
  let accepts: (Value) -> Bool
  /// The requirement, as in "must be >= 1".
  let requirement: String
  /// For a value that passes `accepts`, why it still cannot be used (e.g. beyond 32-bit floating
  /// point), as in "is beyond what 32-bit training can represent (at most 3.4e38)"; `nil` when it can.
  var limit: (Value) -> String? = { _ in nil }

  /// `value` as written in messages: whole numbers without a fractional part (`1`, not `1.0`).
  private static func text(_ value: Value) -> String {
    if let number = value as? Double, number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
    return "\(value)"
  }

  /// Every value passes.
  static var any: NumberRule { NumberRule(accepts: { _ in true }, requirement: "be any value") }

  /// `value >= bound`.
  static func atLeast(_ bound: Value) -> NumberRule {
    NumberRule(accepts: { $0 >= bound }, requirement: "be >= \(text(bound))")
  }

  /// `value > bound`.
  static func greaterThan(_ bound: Value) -> NumberRule {
    NumberRule(accepts: { $0 > bound }, requirement: "be > \(text(bound))")
  }

  /// `lower <= value < upper`, written `[lower, upper)`.
  static func halfOpen(_ lower: Value, _ upper: Value) -> NumberRule {
    NumberRule(accepts: { $0 >= lower && $0 < upper }, requirement: "be in [\(text(lower)), \(text(upper)))")
  }

  /// `lower < value < upper`, written `(lower, upper)`.
  static func open(_ lower: Value, _ upper: Value) -> NumberRule {
    NumberRule(accepts: { $0 > lower && $0 < upper }, requirement: "be in (\(text(lower)), \(text(upper)))")
  }

  /// `lower < value <= upper`, written `(lower, upper]`.
  static func leftOpen(_ lower: Value, _ upper: Value) -> NumberRule {
    NumberRule(accepts: { $0 > lower && $0 <= upper }, requirement: "be in (\(text(lower)), \(text(upper))]")
  }

  /// `lower <= value <= upper`, written `[lower, upper]`.
  static func closed(_ lower: Value, _ upper: Value) -> NumberRule {
    NumberRule(accepts: { $0 >= lower && $0 <= upper }, requirement: "be in [\(text(lower)), \(text(upper))]")
  }
}

extension NumberRule where Value == Double {
  /// `self`, and a value training turns into `Float`: |value| at most `Float.greatestFiniteMagnitude`
  /// (3.4e38), and a nonzero value at least `Float.leastNormalMagnitude` (1.2e-38), below which it
  /// would be subnormal or 0 in `Float` and a division by it or its square root overflows.
  var representableInFloat: NumberRule {
    var rule = self
    rule.limit = { value in
      if value.magnitude > Double(Float.greatestFiniteMagnitude) {
        return "is beyond what 32-bit training can represent (at most 3.4e38)"
      }
      if value != 0 && value.magnitude < Double(Float.leastNormalMagnitude) {
        return "is below what 32-bit training can represent (at least 1.2e-38, the smallest normal Float; use 0 or a larger value)"
      }
      return nil
    }
    return rule
  }
}
