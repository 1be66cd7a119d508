/// A problem with the scores or counts handed to an audit: mismatched lengths, a score that is not
/// a finite number, a class with no examples. User input (a score file) reports its own file and
/// line before it reaches here; this error names the quantity at fault.
public struct AuditError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The message shown to the user.
  public let description: String

  public init(_ description: String) {
    self.description = description
  }
}
