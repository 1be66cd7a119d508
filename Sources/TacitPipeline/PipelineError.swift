import TacitAudit
import TacitData
import TacitNN
import TacitRecipe

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

  /// Any error as the one message the command line prints: recipe, data and checkpoint errors
  /// are input errors; anything else (a folder that cannot be written, …) means the run failed.
  public init(describing error: any Error) {
    switch error {
    case let error as PipelineError: self = error
    case let error as RecipeErrors: self.init(error.description)
    case let error as RecipeError: self.init(error.description)
    case let error as DataError: self.init(error.description)
    case let error as CheckpointError: self.init(error.description)
    case let error as AuditError: self.init(error.description)
    case let error as CustomStringConvertible: self.init(error.description, isInputError: false)
    default: self.init(error.localizedDescription, isInputError: false)
    }
  }
}
