import Foundation

/// A file or folder path from a recipe, kept both as written and resolved to an absolute path.
///
/// Resolution: a leading `~` expands to the home folder; a relative path is taken relative to
/// the folder holding the recipe file (not the working directory), then `.` and `..` are
/// removed. Symbolic links are not followed.
///
/// Equality compares only `absolute`: two recipes that name the same file are the same recipe.
/// The resolved recipe writes the absolute path, so it loads the same data from anywhere.
public struct RecipeFilePath: Sendable, Equatable, CustomStringConvertible {
  /// The path as it appears in the recipe.
  public let asWritten: String
  /// The absolute, standardised path.
  public let absolute: String

  /// Resolves `asWritten` against `baseDirectory` (an absolute folder path).
  public init(_ asWritten: String, relativeTo baseDirectory: String) {
    self.asWritten = asWritten
    let expanded = NSString(string: asWritten).expandingTildeInPath
    let url =
      expanded.hasPrefix("/")
      ? URL(fileURLWithPath: expanded)
      : URL(fileURLWithPath: baseDirectory, isDirectory: true).appendingPathComponent(expanded)
    absolute = url.standardized.path
  }

  public static func == (left: RecipeFilePath, right: RecipeFilePath) -> Bool {
    left.absolute == right.absolute
  }

  /// The absolute path.
  public var description: String { absolute }
}
