import Foundation
import TacitAudit
import TacitData
import TacitNN
import TacitRecipe
import TacitReport
import TacitTensor
import TacitTraining

/// A distillation run (a recipe with a `distillation` section): teacher, student, and both
/// audited on the teacher's training records.
///
/// 1. The pool, members and canaries come from this recipe's `seed`, `data` and `audit`, exactly
///    as in a plain run; the teacher trains on the members (and included canaries) from its own
///    recipe, or is loaded from a finished run folder of that protocol.
/// 2. The student (this recipe's model, training and privacy) learns `DistillationLoss` against
///    the teacher's logits on its transfer set: `public_size` records outside the pool, or the
///    teacher's own training records (Jagielski et al. 2023, "Students Parrot Their Teachers").
/// 3. Reference pairs: reference k trains a teacher on its random half H_k of the audit records,
///    exactly as a plain run's reference k (same generator split), then a student from it on the
///    public set or on H_k. The attacks score the teacher's audit records through the teacher
///    (with the reference teachers) and through the student (with the reference students): the
///    same records, the same membership, the same calibration.
///
/// What the student's ε covers is spelled out in its privacy report and audit: DP-SGD on a
/// transfer set covers that set's records, not the teacher's records, which reach the student
/// through the teacher's outputs. With a public transfer set the student is post-processing of
/// the teacher, so the teacher's (ε, δ) covers its records in the student too; on the teacher's
/// own records, both private, basic composition gives (ε_T + ε_S, δ_T + δ_S).
///
/// The run folder holds `teacher/` and `student/` (each a complete run folder), `comparison.html`
/// and `comparison.json` (`tacit compare` of the two), `recipe.yaml`, `summary.json` (the
/// student's, with a `distillation` object) and `log.txt`.
enum DistillationRun {
  /// The teacher's recipe (its `audit` replaced by the student's, which chooses the members) and,
  /// for `teacher_run`, the folder holding its trained model.
  struct TeacherSource {
    var recipe: Recipe
    var runFolder: String?
  }

  /// What the audit on the teacher's records may compare the student against.
  struct StudentClaim {
    var epsilon: Double?
    var delta: Double?
    /// Words for the report: what the student's own ε covers and what covers the teacher's records.
    var statement: String
  }

  /// The overrides of a distillation run that apply to its teacher's recipe as well: `seed` and
  /// `data.…`, which teacher and student must share.
  static func teacherOverrides(_ overrides: [String]) -> [String] {
    overrides.filter { $0.hasPrefix("seed=") || $0.hasPrefix("data.") || $0.hasPrefix("data=") }
  }

  /// Loads and checks the teacher's recipe; a `teacher_recipe` gets the run's `seed` and `data`
  /// overrides too (`teacherOverrides`).
  static func loadTeacher(_ section: DistillationSection, student: Recipe, overrides: [String] = []) throws
    -> TeacherSource
  {
    var source: TeacherSource
    let key: String
    let origin: String
    switch section.teacher {
    case .recipe(let path):
      key = "distillation.teacher_recipe"
      origin = path.absolute
      source = TeacherSource(
        recipe: try RunPipeline.loadRecipe(path: path.absolute, overrides: teacherOverrides(overrides)), runFolder: nil)
    case .run(let path):
      key = "distillation.teacher_run"
      origin = path.absolute
      for file in ["recipe.yaml", "model.safetensors"] where !FileManager.default.fileExists(atPath: path.absolute + "/" + file) {
        throw PipelineError("\(key): \(path.absolute) is not a finished tacit run folder (no \(file))")
      }
      source = TeacherSource(
        recipe: try RunPipeline.loadRecipe(path: path.absolute + "/recipe.yaml", overrides: []), runFolder: path.absolute)
      let teacherAudit = source.recipe.audit
      guard
        teacherAudit.enabled == student.audit.enabled && teacherAudit.memberFraction == student.audit.memberFraction
          && teacherAudit.canaries == student.audit.canaries
      else {
        throw PipelineError(
          "\(key): the teacher's run used audit.enabled \(teacherAudit.enabled), member_fraction \(teacherAudit.memberFraction) and canaries \(teacherAudit.canaries.map { "\($0.count.text) \($0.kind.rawValue)" } ?? "none"); this recipe's audit section must match them (they chose the teacher's training records)"
        )
      }
    }
    let teacher = source.recipe
    guard teacher.distillation == nil else {
      throw PipelineError("\(key): \(origin) is itself a distillation recipe; a teacher must learn from labels")
    }
    guard teacher.seed == student.seed else {
      throw PipelineError(
        "\(key): the teacher (\(origin)) has seed \(teacher.seed), this recipe \(student.seed); use the teacher's seed (it chooses the pool and the members)"
      )
    }
    guard teacher.data == student.data else {
      let differences = zip(dataLines(teacher), dataLines(student)).filter { $0 != $1 }.map {
        "teacher `\($0)`, student `\($1)`"
      }
      throw PipelineError(
        "\(key): the teacher's data section (\(origin)) differs from this recipe's (\(differences.joined(separator: "; "))); use the same data section, defaults included (the pool and the members depend on it)"
      )
    }
    source.recipe.audit = student.audit
    return source
  }

  /// Refuses a `teacher_run` that a run into `output` would replace or write into: the output
  /// folder equal to the teacher's run folder, holding it, or inside it. Called before the run
  /// folder is made, so nothing trains and nothing is written.
  static func checkTeacherRun(_ section: DistillationSection, output: String) throws {
    guard case .run(let path) = section.teacher else { return }
    let teacher = RunFolder.resolvedPath(path.absolute)
    let folder = RunFolder.resolvedPath(output)
    let relation: String
    if teacher == folder {
      relation = "is the output folder"
    } else if RunFolder.isInside(teacher, orEqualTo: folder) {
      relation = "is inside the output folder \(folder)"
    } else if RunFolder.isInside(folder, orEqualTo: teacher) {
      relation = "holds the output folder \(folder)"
    } else {
      return
    }
    throw PipelineError(
      "distillation.teacher_run: \(path.absolute) \(relation), which this run would replace; write the run elsewhere (--output) or move the teacher's run"
    )
  }

  /// The lines of a recipe's resolved `data` section (every default spelled out).
  static func dataLines(_ recipe: Recipe) -> [String] {
    let lines = recipe.resolvedYAML().split(separator: "\n").map(String.init)
    guard let start = lines.firstIndex(of: "data:") else { return [] }
    return Array(lines[(start + 1)...].prefix { $0.hasPrefix(" ") }).map { $0.trimmingCharacters(in: .whitespaces) }
  }

  /// What the student's privacy covers, given both plans' claims.
  static func studentClaim(
    transfer: DistillationSection.Transfer, transferCount: Int, teacher: (epsilon: Double, delta: Double)?,
    student: (epsilon: Double, delta: Double)?
  ) -> StudentClaim {
    let own =
      student.map {
        String(
          format: "The student's (ε = %.3g, δ = %.1e) covers its %@ transfer set of %d records and nothing else. ", $0.epsilon,
          $0.delta, transfer.rawValue, transferCount)
      } ?? "The student is trained without DP. "
    switch transfer {
    case .public:
      guard let teacher else {
        return StudentClaim(
          statement: own
            + "The teacher's training records reach the student through a non-private teacher's outputs: no ε covers them.")
      }
      return StudentClaim(
        epsilon: teacher.epsilon, delta: teacher.delta,
        statement: own
          + String(
            format:
              "On public records the student is post-processing of the teacher, so the teacher's (ε = %.3g, δ = %.1e) covers the teacher's records in the student.",
            teacher.epsilon, teacher.delta))
    case .private:
      guard let teacher, let student else {
        return StudentClaim(
          statement: own
            + "The student learns on the teacher's own records"
            + (teacher == nil ? " with a non-private teacher's soft labels" : " without DP")
            + ": no ε covers the teacher's records in the student.")
      }
      return StudentClaim(
        epsilon: teacher.epsilon + student.epsilon, delta: teacher.delta + student.delta,
        statement: own
          + String(
            format:
              "On the teacher's own records both mechanisms see each record: by basic composition the teacher's records are covered by (ε = %.3g, δ = %.1e) in the student.",
            teacher.epsilon + student.epsilon, teacher.delta + student.delta))
    }
  }

  /// Trains (or loads) the teacher, distils the student, audits both and writes their folders
  /// into `folder` (not committed: `RunPipeline` writes the log and commits).
  static func run(
    recipe: Recipe, section: DistillationSection, overrides: [String], folder: RunFolder, threads: Int, start: Double,
    note: (String) -> Void
  ) throws -> RunOutcome {
    let teacherSource = try loadTeacher(section, student: recipe, overrides: overrides)
    let teacherRecipe = teacherSource.recipe
    let context = try RunContext.make(
      recipe, publicSize: section.transfer == .public ? section.publicSize ?? 0 : 0)
    let data = context.data
    note(
      "data: \(data.train.count) train, \(data.validation.count) validation, \(data.test.count) test, \(data.publicTransfer.count) public transfer records of shape \(data.train.exampleShape)"
    )
    let teacherSet = context.targetTrainingSet
    let transferSet = section.transfer == .public ? data.publicTransfer : teacherSet
    let loss = DistillationLoss(temperature: Float(section.temperature), softWeight: Float(section.softWeight))
    note(protocolLine(section, context: context, teacher: teacherRecipe, student: recipe, transferCount: transferSet.count))

    let teacher = try trainModel(
      "teacher", recipe: teacherRecipe, on: teacherSet, context: context, root: context.root,
      runFolder: teacherSource.runFolder, note: note)
    // The student, from its own split of the seed.
    let student = try trainModel(
      "student", recipe: recipe, on: transferSet, context: context, root: context.root.split("student"),
      distillation: Distillation(teacher: teacher.model, loss: loss), note: note)
    let privacy = try privacyReports(
      teacher: teacher, student: student, teacherSource: teacherSource, studentRecipe: recipe, section: section,
      transferCount: transferSet.count, note: note)
    let audits =
      recipe.audit.enabled
      ? try audit(
        teacher: teacher, student: student, teacherRecipe: teacherRecipe, context: context, privacy: privacy,
        loss: loss, transfer: section.transfer, threads: threads, note: note)
      : (teacher: nil, student: nil)

    let summaries = (
      teacher: teacher.summary(
        name: teacherRecipe.name, seed: recipe.seed, threads: threads, seconds: teacher.seconds,
        privacy: privacy.teacher, audit: audits.teacher),
      student: student.summary(
        name: recipe.name, seed: recipe.seed, threads: threads, seconds: student.seconds, privacy: privacy.student,
        audit: audits.student)
    )
    let teacherFromRecipe = teacherSource.runFolder == nil
    let resolvedStudent = resolved(recipe, student.plan, folder: folder, teacherFromRecipe: teacherFromRecipe)
    let comparison = try writeModelFolders(
      into: folder,
      teacher: (teacher, resolved(teacherRecipe, teacher.plan, folder: folder, teacherFromRecipe: false), summaries.teacher),
      student: (student, resolvedStudent, summaries.student))
    let summaryJSON = try writeSummary(
      into: folder, student: summaries.student, recipe: resolvedStudent, start: start, section: section,
      teacher: teacher, teacherName: teacherRecipe.name, transferCount: transferSet.count, claim: privacy.claim)
    let verdicts = [audits.teacher?.verdict, audits.student?.verdict].compactMap { $0 }
    return RunOutcome(
      summaryJSON: summaryJSON, terminalSummary: comparison.table() + "\n" + "run folder: \(folder.path)",
      verdict: verdicts.contains(.violation) ? .violation : audits.student?.verdict)
  }

  /// The log line of the distillation protocol: who trains on what.
  static func protocolLine(
    _ section: DistillationSection, context: RunContext, teacher: Recipe, student: Recipe, transferCount: Int
  ) -> String {
    let population = context.population
    return
      "distillation: teacher \(teacher.name) on \(context.targetTrainingSet.count) records (\(population.memberCount) members of \(population.auditIndices.count) pool records"
      + (population.canaryIndices.isEmpty ? "" : " plus included canaries")
      + "); student \(student.name) on the teacher's outputs over \(transferCount) "
      + (section.transfer == .public ? "public records outside the pool" : "of the teacher's own training records")
      + String(format: " (T = %g, α = %g)", section.temperature, section.softWeight)
  }

  /// The teacher's and the student's privacy reports, and what covers the teacher's records in
  /// the student (`studentClaim`, also appended to the student's caveats); their lines logged.
  static func privacyReports(
    teacher: TrainedModel, student: TrainedModel, teacherSource: TeacherSource, studentRecipe: Recipe,
    section: DistillationSection, transferCount: Int, note: (String) -> Void
  ) throws -> (teacher: PrivacyReport?, student: PrivacyReport?, claim: StudentClaim) {
    var teacherPrivacy = try teacher.plan.map {
      try PrivacyReport.make(plan: $0, training: teacherSource.recipe.training, history: teacher.history)
    }
    if teacherSource.runFolder != nil {
      teacherPrivacy?.caveats.append("loaded from a run folder: ε is the accountant's for the recipe's full schedule")
    }
    var studentPrivacy = try student.plan.map {
      try PrivacyReport.make(plan: $0, training: studentRecipe.training, history: student.history)
    }
    let claim = studentClaim(
      transfer: section.transfer, transferCount: transferCount,
      teacher: teacherPrivacy.map { ($0.claimedEpsilon, $0.plan.delta) },
      student: studentPrivacy.map { ($0.claimedEpsilon, $0.plan.delta) })
    studentPrivacy?.caveats.append(claim.statement)
    for line in (teacherPrivacy?.lines ?? []) { note("teacher " + line) }
    for line in (studentPrivacy?.lines ?? []) { note("student " + line) }
    note("distillation: " + claim.statement)
    return (teacherPrivacy, studentPrivacy, claim)
  }

  /// Audits the teacher and the student on the teacher's audit records, each against its paired
  /// reference models (`referencePairs`).
  static func audit(
    teacher: TrainedModel, student: TrainedModel, teacherRecipe: Recipe, context: RunContext,
    privacy: (teacher: PrivacyReport?, student: PrivacyReport?, claim: StudentClaim), loss: DistillationLoss,
    transfer: DistillationSection.Transfer, threads: Int, note: (String) -> Void
  ) throws -> (teacher: AuditOutcome?, student: AuditOutcome?) {
    let auditStart = Clock.seconds()
    let pairs = try referencePairs(
      recipe: context.recipe, teacherRecipe: teacherRecipe, teacherPlan: teacher.plan, studentPlan: student.plan,
      loss: loss, transfer: transfer, context: context, threads: threads, note: note)
    var inputs = RunAudit.Inputs(
      recipe: teacherRecipe, context: context, target: teacher.model, plan: teacher.plan,
      claimedEpsilon: privacy.teacher?.claimedEpsilon, gradientCanaries: nil, threads: threads, caveats: [],
      references: pairs.map(\.teacher))
    let teacherAudit = try RunAudit.perform(inputs, note: { note("teacher audit: " + $0) })
    inputs.recipe = context.recipe
    inputs.target = student.model
    inputs.plan = nil
    inputs.claimedEpsilon = privacy.claim.epsilon
    inputs.claimedDelta = privacy.claim.delta
    inputs.caveats = ["attacks target the teacher's training records through the student. " + privacy.claim.statement]
    inputs.references = pairs.map(\.student)
    let studentAudit = try RunAudit.perform(inputs, note: { note("student audit: " + $0) })
    for line in teacherAudit.lines { note("teacher " + line) }
    for line in studentAudit.lines { note("student " + line) }
    note(String(format: "audits finished in %.1f s", Clock.seconds() - auditStart))
    return (teacherAudit, studentAudit)
  }

  /// Writes `teacher/` and `student/` (each a full run folder, with its resolved recipe) and the
  /// comparison of the two (`comparison.html`, `comparison.json`), which it returns.
  static func writeModelFolders(
    into folder: RunFolder, teacher: (TrainedModel, Recipe, RunSummary), student: (TrainedModel, Recipe, RunSummary)
  ) throws -> RunComparison {
    try folder.makeFolder("teacher")
    try folder.makeFolder("student")
    for (prefix, (trained, recipe, summary)) in [("teacher/", teacher), ("student/", student)] {
      _ = try RunPipeline.writeModelFiles(
        into: folder, prefix: prefix, recipe: recipe, summary: summary, history: trained.history, model: trained.model)
    }
    // The comparison of the two, named by their final folders.
    var runs = try ["teacher", "student"].map { try RunComparison.readRun(folder.file($0)) }
    for index in runs.indices { runs[index].folder = folder.path + "/" + ["teacher", "student"][index] }
    let comparison = RunComparison(runs: runs)
    try folder.write("comparison.html", comparison.html())
    try folder.write("comparison.json", comparison.json() + "\n")
    return comparison
  }

  /// `recipe` as it ran: the plan's resolved privacy section and, for a student whose teacher
  /// trained from a recipe, `teacher_recipe` naming `teacher/recipe.yaml` in `folder`: the
  /// teacher's resolved recipe (overrides and σ included) is saved there, so the student's
  /// reruns as written.
  static func resolved(_ recipe: Recipe, _ plan: PrivacyPlan?, folder: RunFolder, teacherFromRecipe: Bool) -> Recipe {
    var resolved = recipe
    resolved.privacy = plan?.resolvedSection
    if teacherFromRecipe, resolved.distillation != nil {
      resolved.distillation?.teacher = .recipe(RecipeFilePath(folder.path + "/teacher/recipe.yaml", relativeTo: "/"))
    }
    return resolved
  }

  /// Writes the run's own `recipe.yaml` (the student's, resolved) and `summary.json` (the
  /// student's, with the run's time and a `distillation` object); returns the summary's text.
  static func writeSummary(
    into folder: RunFolder, student: RunSummary, recipe: Recipe, start: Double, section: DistillationSection,
    teacher: TrainedModel,
    teacherName: String, transferCount: Int, claim: StudentClaim
  ) throws -> String {
    var summary = student.jsonObject
    summary["seconds"] = (Clock.seconds() - start).rounded()
    summary["distillation"] = [
      "teacher": "teacher", "student": "student", "teacher_name": teacherName,
      "transfer": section.transfer.rawValue, "transfer_records": transferCount, "temperature": section.temperature,
      "soft_weight": section.softWeight, "teacher_test_accuracy": teacher.test.accuracy,
      "teacher_records_epsilon": claim.epsilon.map { $0 as Any } ?? NSNull(),
      "teacher_records_delta": claim.delta.map { $0 as Any } ?? NSNull(), "statement": claim.statement,
    ]
    let summaryJSON = JSONText.encode(summary)
    try folder.write("recipe.yaml", recipe.resolvedYAML())
    try folder.write("summary.json", summaryJSON + "\n")
    return summaryJSON
  }

  /// One model of the run, "teacher" or "student" in the log: `recipe`'s model, training and
  /// privacy on `trainingSet` from `root`, learning from `distillation` when given; or, with
  /// `runFolder`, built the same way and loaded from that folder's `model.safetensors`. The
  /// teacher uses the recipe seed's own generator, so it is the model a plain run trains.
  static func trainModel(
    _ role: String, recipe: Recipe, on trainingSet: LabeledDataset, context: RunContext, root: SeededGenerator,
    distillation: Distillation? = nil, runFolder: String? = nil, note: (String) -> Void
  ) throws -> TrainedModel {
    let start = Clock.seconds()
    let plan = try context.plan(for: recipe, on: trainingSet)
    let training = ModelTraining(recipe: recipe, plan: plan, root: root, distillation: distillation)
    let model = try training.buildModel(
      inputShape: trainingSet.exampleShape, classCount: trainingSet.classCount, root: root)
    let trained: TrainedModel
    if let runFolder {
      do {
        _ = try model.load(from: runFolder + "/model.safetensors")
      } catch {
        throw PipelineError("distillation.teacher_run: \(runFolder)/model.safetensors: \(error.description)")
      }
      note("\(role): loaded from \(runFolder) (its training log is there)")
      trained = TrainedModel.evaluate(
        model, plan: plan, history: TrainingHistory(epochs: [], finalEpoch: 0, stoppedEarly: false, seconds: 0),
        trainingSet: trainingSet, data: context.data, start: start)
    } else {
      for line in ModelSummary.describe(model).split(separator: "\n") { note("\(role) " + line) }
      if let plan {
        note(
          String(
            format: "\(role) DP-SGD: σ = %.4f, q = %.6f, T = %ld steps, C = %g, δ = %.1e", plan.noiseMultiplier,
            plan.sampleRate, plan.steps, plan.section.maxGradNorm, plan.delta))
      }
      trained = try training.fit(
        model, on: trainingSet, data: context.data, root: root, epochCompleted: { note("\(role) " + EpochLine.format($0)) })
    }
    note(String(format: "\(role): test accuracy %.2f%%", 100 * trained.test.accuracy))
    return trained
  }

  /// Reference teacher/student pairs (see the type's documentation), `threads` at a time with one
  /// BLAS thread each.
  static func referencePairs(
    recipe: Recipe, teacherRecipe: Recipe, teacherPlan: PrivacyPlan?, studentPlan: PrivacyPlan?, loss: DistillationLoss,
    transfer: DistillationSection.Transfer, context: RunContext, threads: Int, note: (String) -> Void
  ) throws -> [(teacher: ReferenceTraining.Reference, student: ReferenceTraining.Reference)] {
    let section = recipe.audit
    let population = context.population
    guard section.referenceModels > 0, population.memberCount > 0, population.nonMemberCount > 0 else { return [] }
    note("training \(section.referenceModels) reference teacher/student pairs (\(threads) at a time)")
    let pairStart = Clock.seconds()
    let records = population.auditRecords
    let populationRecords = context.populationRecords
    let data = context.data
    let imageShape = recipe.data.imageShape
    let previousThreads = BLAS.threadCount
    BLAS.setThreadCount(1)
    defer { BLAS.setThreadCount(previousThreads) }
    let pairs = try ReferenceTraining.parallelMap(count: section.referenceModels, parallelism: threads) { index in
      let root = context.auditGenerator.split("reference", index: index)
      let (members, isMember) = try ReferenceTraining.membership(root: root, recordCount: records.count)
      let teacherSet = records.subset(indices: members, name: "reference-train")
      let teacher = try ReferenceTraining.trainModel(
        recipe: teacherRecipe, targetPlan: teacherPlan, trainingSet: teacherSet, validation: data.validation, root: root)
      let student = try ReferenceTraining.trainModel(
        recipe: recipe, targetPlan: studentPlan, trainingSet: transfer == .public ? data.publicTransfer : teacherSet,
        validation: data.validation, root: root.split("student"), distillation: Distillation(teacher: teacher, loss: loss))
      func reference(_ model: Sequential) throws -> ReferenceTraining.Reference {
        ReferenceTraining.Reference(
          index: index, isMember: isMember,
          view: try ModelView.make(
            model, records: records, population: populationRecords, queries: section.queries, imageShape: imageShape))
      }
      return (teacher: try reference(teacher), student: try reference(student))
    }
    note(String(format: "%d reference pairs trained in %.1f s", pairs.count, Clock.seconds() - pairStart))
    return pairs
  }
}
