/// An error a pipeline stage reports to the user: one message, already naming the file, position
/// or key path it is about.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
  /// The message shown to the user.
  public let description: String
  /// Whether the user's input (recipe, data, checkpoint, flags) is at fault, rather than the run.
  public let isInputError: Bool

  public init(_ description: String, isInputError: Bool = true) {
    self.description = description
    self.isInputError = isInputError
  }
}
