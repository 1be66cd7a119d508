/// The `distillation` section: the run trains a teacher (or loads one from a finished run), then
/// trains this recipe's model, the student, on the teacher's softened outputs (Hinton, Vinyals &
/// Dean 2015).
///
/// ```yaml
/// distillation:
///   teacher_recipe: defenses/none.yaml   # a recipe trained first, in this run (relative to this file)
///   # teacher_run: runs/defense-none     # or a finished run folder: its recipe.yaml and model.safetensors
///   transfer: public          # public | private (required)
///   public_size: 5000         # public only (required there): records outside the pool
///   temperature: 4            # T > 0, default 4
///   soft_weight: 0.9          # α in [0, 1], default 0.9: α·T²·KL(teacher_T ‖ student_T) + (1 − α)·CE
/// ```
///
/// The student's recipe is this file: its `model`, `training` and `privacy` train the student.
/// The teacher's recipe must use the same `seed` and `data` (so the pool is the same), and this
/// file's `audit` section decides the teacher's members: the teacher trains on the members, and
/// the audit attacks those records through the teacher and through the student, with reference
/// teacher/student pairs trained the same way.
///
/// - `transfer: public`: the student learns from the teacher's outputs on `public_size` records
///   of the data source that are neither in the pool nor held out for validation (disjoint from
///   every member and non-member).
/// - `transfer: private`: the student learns on the teacher's own training records (members and
///   included canaries, with their labels).
///
/// Jagielski et al. 2023 ("Students Parrot Their Teachers") show a student leaks its teacher's
/// members in both cases, less with a public transfer set. A student's `privacy` section makes
/// its ε cover its transfer set; the teacher's records are covered only by the teacher's own ε.
public struct DistillationSection: Sendable, Equatable {
  /// Where the teacher comes from.
  public enum Teacher: Sendable, Equatable {
    /// `teacher_recipe`: trained in this run from that recipe.
    case recipe(RecipeFilePath)
    /// `teacher_run`: loaded from a finished run folder.
    case run(RecipeFilePath)
  }

  /// `transfer`: the records the student learns the teacher's outputs on.
  public enum Transfer: String, Sendable, Equatable, CaseIterable {
    /// Records disjoint from the teacher's pool.
    case `public`
    /// The teacher's own training records.
    case `private`
  }

  public var teacher: Teacher
  public var transfer: Transfer
  /// `public_size`: the size of a public transfer set; `nil` with `transfer: private`.
  public var publicSize: Int?
  /// `temperature`: T > 0.
  public var temperature: Double = 4
  /// `soft_weight`: α ∈ [0, 1], the weight of the teacher's soft labels.
  public var softWeight: Double = 0.9
}

extension DistillationSection {
  /// Reads `distillation` (present and not null); `nil` when it is unusable (problems reported).
  static func read(_ section: MappingReader) -> DistillationSection? {
    let base = section.reader.baseDirectory
    let recipePath = section.optionalString("teacher_recipe")
    let runPath = section.optionalString("teacher_run")
    var teacher: Teacher?
    switch (recipePath, runPath) {
    case (let path?, nil): teacher = .recipe(RecipeFilePath(path, relativeTo: base))
    case (nil, let path?): teacher = .run(RecipeFilePath(path, relativeTo: base))
    case (.some, .some):
      section.report("give teacher_recipe or teacher_run, not both", key: "teacher_run")
    case (nil, nil):
      section.reportMissing("teacher_recipe", hint: " (a recipe to train the teacher from) or teacher_run (a run folder)")
    }
    let transfer = section.optionalChoice("transfer", as: Transfer.self)
    if section.nonNullValue("transfer") == nil { section.reportMissing("transfer", hint: " (public or private)") }
    var publicSize: Int?
    if transfer == .public {
      publicSize = section.requiredInteger("public_size", .atLeast(1))
    } else if transfer == .private {
      section.disallow(["public_size"], reason: "only valid with transfer: public")
    }
    let temperature = section.number("temperature", default: 4, .greaterThan(0).representableInFloat)
    let softWeight = section.number("soft_weight", default: 0.9, .closed(0, 1))
    section.finish()
    guard let teacher, let transfer, transfer == .private || publicSize != nil else { return nil }
    return DistillationSection(
      teacher: teacher, transfer: transfer, publicSize: publicSize, temperature: temperature, softWeight: softWeight)
  }

  func emit(into emitter: inout RecipeEmitter) {
    switch teacher {
    case .recipe(let path): emitter.entry("teacher_recipe", RecipeEmitter.quoted(path.absolute))
    case .run(let path): emitter.entry("teacher_run", RecipeEmitter.quoted(path.absolute))
    }
    emitter.entry("transfer", transfer.rawValue)
    if let publicSize { emitter.entry("public_size", String(publicSize)) }
    emitter.entry("temperature", RecipeEmitter.number(temperature))
    emitter.entry("soft_weight", RecipeEmitter.number(softWeight))
  }
}
