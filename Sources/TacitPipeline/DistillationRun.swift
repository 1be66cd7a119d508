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

  /// What the run produced, for `RunPipeline` to finish the folder.
  struct Outcome {
    var summaryJSON: String
    var terminalSummary: String
    var verdict: AuditVerdict?
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
          "\(key): the teacher's run used audit.enabled \(teacherAudit.enabled), member_fraction \(teacherAudit.memberFraction) and canaries \(teacherAudit.canaries.map { "\($0.count) \($0.kind.rawValue)" } ?? "none"); this recipe's audit section must match them (they chose the teacher's training records)"
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
  ) throws -> Outcome {
    let teacherSource = try loadTeacher(section, student: recipe, overrides: overrides)
    let teacherRecipe = teacherSource.recipe
    let root = SeededGenerator(seed: recipe.seed)
    let data = try DataPreparation.prepare(
      recipe.data, generator: root, publicSize: section.transfer == .public ? section.publicSize ?? 0 : 0)
    note(
      "data: \(data.train.count) train, \(data.validation.count) validation, \(data.test.count) test, \(data.publicTransfer.count) public transfer records of shape \(data.train.exampleShape)"
    )
    try RunAudit.validate(recipe.audit, data: recipe.data)
    let auditGenerator = root.split("audit")
    let population = try AuditPopulation.make(recipe.audit, pool: data.train, generator: auditGenerator)
    let teacherSet = population.targetTrainingSet
    let transferSet = section.transfer == .public ? data.publicTransfer : teacherSet
    let loss = DistillationLoss(temperature: Float(section.temperature), softWeight: Float(section.softWeight))
    note(
      "distillation: teacher \(teacherRecipe.name) on \(teacherSet.count) records (\(population.memberCount) members of \(population.auditIndices.count) pool records"
        + (population.canaryIndices.isEmpty ? "" : " plus included canaries")
        + "); student \(recipe.name) on the teacher's outputs over \(transferSet.count) "
        + (section.transfer == .public ? "public records outside the pool" : "of the teacher's own training records")
        + String(format: " (T = %g, α = %g)", section.temperature, section.softWeight))

    let teacherTrained = try trainModel(
      "teacher", recipe: teacherRecipe, on: teacherSet, data: data, root: root, runFolder: teacherSource.runFolder,
      note: note)
    let teacher = teacherTrained.model
    let (teacherPlan, teacherHistory) = (teacherTrained.plan, teacherTrained.history)
    var teacherResolved = teacherRecipe
    teacherResolved.privacy = teacherPlan?.resolvedSection

    // The student, from its own split of the seed.
    let studentTrained = try trainModel(
      "student", recipe: recipe, on: transferSet, data: data, root: root.split("student"),
      distillation: Distillation(teacher: teacher, loss: loss), note: note)
    let student = studentTrained.model
    let (studentPlan, studentHistory) = (studentTrained.plan, studentTrained.history)
    var studentResolved = recipe
    studentResolved.privacy = studentPlan?.resolvedSection
    if case .recipe = section.teacher {
      // Rerunnable as written: the teacher's resolved recipe (overrides and σ included) is saved
      // in teacher/, so the resolved student recipe names that file.
      studentResolved.distillation?.teacher = .recipe(RecipeFilePath(folder.path + "/teacher/recipe.yaml", relativeTo: "/"))
    }

    var teacherPrivacy = try teacherPlan.map {
      try PrivacyReport.make(plan: $0, training: teacherRecipe.training, history: teacherHistory)
    }
    if teacherSource.runFolder != nil {
      teacherPrivacy?.caveats.append("loaded from a run folder: ε is the accountant's for the recipe's full schedule")
    }
    var studentPrivacy = try studentPlan.map {
      try PrivacyReport.make(plan: $0, training: recipe.training, history: studentHistory)
    }
    let claim = studentClaim(
      transfer: section.transfer, transferCount: transferSet.count,
      teacher: teacherPrivacy.map { ($0.claimedEpsilon, $0.plan.delta) },
      student: studentPrivacy.map { ($0.claimedEpsilon, $0.plan.delta) })
    studentPrivacy?.caveats.append(claim.statement)
    for line in (teacherPrivacy?.lines ?? []) { note("teacher " + line) }
    for line in (studentPrivacy?.lines ?? []) { note("student " + line) }
    note("distillation: " + claim.statement)

    var teacherAudit: AuditOutcome?
    var studentAudit: AuditOutcome?
    if recipe.audit.enabled {
      let auditStart = Clock.seconds()
      let pairs = try referencePairs(
        recipe: recipe, teacherRecipe: teacherRecipe, teacherPlan: teacherPlan, studentPlan: studentPlan, loss: loss,
        transfer: section.transfer, data: data, population: population, generator: auditGenerator, threads: threads,
        note: note)
      var inputs = RunAudit.Inputs(
        recipe: teacherRecipe, data: data, population: population, target: teacher, plan: teacherPlan,
        claimedEpsilon: teacherPrivacy?.claimedEpsilon, gradientCanaries: nil, threads: threads,
        generator: auditGenerator, caveats: [], references: pairs.map(\.teacher))
      teacherAudit = try RunAudit.perform(inputs, note: { note("teacher audit: " + $0) })
      inputs.recipe = recipe
      inputs.target = student
      inputs.plan = nil
      inputs.claimedEpsilon = claim.epsilon
      inputs.claimedDelta = claim.delta
      inputs.caveats = ["attacks target the teacher's training records through the student. " + claim.statement]
      inputs.references = pairs.map(\.student)
      studentAudit = try RunAudit.perform(inputs, note: { note("student audit: " + $0) })
      for line in teacherAudit?.lines ?? [] { note("teacher " + line) }
      for line in studentAudit?.lines ?? [] { note("student " + line) }
      note(String(format: "audits finished in %.1f s", Clock.seconds() - auditStart))
    }

    let teacherSummary = RunSummary(
      name: teacherRecipe.name, seed: recipe.seed, threads: threads, test: teacherTrained.test,
      train: Evaluation.evaluate(teacher, on: teacherSet),
      validation: data.validation.count > 0 ? Evaluation.evaluate(teacher, on: data.validation) : nil,
      history: teacherHistory, parameterCount: teacher.parameterCount, trainingRecords: teacherSet.count,
      seconds: teacherTrained.seconds, privacy: teacherPrivacy, audit: teacherAudit)
    let studentSummary = RunSummary(
      name: recipe.name, seed: recipe.seed, threads: threads, test: studentTrained.test,
      train: Evaluation.evaluate(student, on: transferSet),
      validation: data.validation.count > 0 ? Evaluation.evaluate(student, on: data.validation) : nil,
      history: studentHistory, parameterCount: student.parameterCount, trainingRecords: transferSet.count,
      seconds: studentTrained.seconds, privacy: studentPrivacy, audit: studentAudit)
    try folder.makeFolder("teacher")
    try folder.makeFolder("student")
    _ = try RunPipeline.writeModelFiles(
      into: folder, prefix: "teacher/", recipe: teacherResolved, summary: teacherSummary, history: teacherHistory,
      model: teacher)
    _ = try RunPipeline.writeModelFiles(
      into: folder, prefix: "student/", recipe: studentResolved, summary: studentSummary, history: studentHistory,
      model: student)

    // The comparison of the two, named by their final folders.
    var runs = try ["teacher", "student"].map { try RunComparison.readRun(folder.file($0)) }
    for index in runs.indices { runs[index].folder = folder.path + "/" + ["teacher", "student"][index] }
    let comparison = RunComparison(runs: runs)
    try folder.write("comparison.html", comparison.html())
    try folder.write("comparison.json", comparison.json() + "\n")

    var summary = studentSummary.jsonObject
    summary["seconds"] = (Clock.seconds() - start).rounded()
    summary["distillation"] = [
      "teacher": "teacher", "student": "student", "teacher_name": teacherRecipe.name,
      "transfer": section.transfer.rawValue, "transfer_records": transferSet.count, "temperature": section.temperature,
      "soft_weight": section.softWeight, "teacher_test_accuracy": teacherTrained.test.accuracy,
      "teacher_records_epsilon": claim.epsilon.map { $0 as Any } ?? NSNull(),
      "teacher_records_delta": claim.delta.map { $0 as Any } ?? NSNull(), "statement": claim.statement,
    ]
    let summaryJSON = JSONText.encode(summary)
    try folder.write("recipe.yaml", studentResolved.resolvedYAML())
    try folder.write("summary.json", summaryJSON + "\n")
    let verdicts = [teacherAudit?.verdict, studentAudit?.verdict].compactMap { $0 }
    return Outcome(
      summaryJSON: summaryJSON, terminalSummary: comparison.table() + "\n" + "run folder: \(folder.path)",
      verdict: verdicts.contains(.violation) ? .violation : studentAudit?.verdict)
  }

  /// One model of the run, trained or loaded, with what its summary needs.
  struct TrainedModel {
    var model: Sequential
    var plan: PrivacyPlan?
    var history: TrainingHistory
    var test: Evaluation
    var seconds: Double
  }

  /// One model of the run, "teacher" or "student" in the log: `recipe`'s model, training and
  /// privacy on `trainingSet` from `root`, learning from `distillation` when given; or, with
  /// `runFolder`, built the same way and loaded from that folder's `model.safetensors`. The
  /// teacher uses the recipe seed's own generator, so it is the model a plain run trains.
  static func trainModel(
    _ role: String, recipe: Recipe, on trainingSet: LabeledDataset, data: PreparedData, root: SeededGenerator,
    distillation: Distillation? = nil, runFolder: String? = nil, note: (String) -> Void
  ) throws -> TrainedModel {
    let start = Clock.seconds()
    let plan = try recipe.privacy.map {
      try PrivacyPlan.make($0, training: recipe.training, recordCount: trainingSet.count)
    }
    var training = ModelTraining(
      recipe: recipe, plan: plan, noise: ModelTraining.noiseSource(recipe: recipe, plan: plan, root: root))
    training.distillation = distillation
    let model = try training.buildModel(
      inputShape: trainingSet.exampleShape, classCount: trainingSet.classCount, root: root)
    let history: TrainingHistory
    if let runFolder {
      do {
        _ = try model.load(from: runFolder + "/model.safetensors")
      } catch {
        throw PipelineError("distillation.teacher_run: \(runFolder)/model.safetensors: \(error.description)")
      }
      history = TrainingHistory(epochs: [], finalEpoch: 0, stoppedEarly: false, seconds: 0)
      note("\(role): loaded from \(runFolder) (its training log is there)")
    } else {
      for line in ModelSummary.describe(model).split(separator: "\n") { note("\(role) " + line) }
      if let plan {
        note(
          String(
            format: "\(role) DP-SGD: σ = %.4f, q = %.6f, T = %d steps, C = %g, δ = %.1e", plan.noiseMultiplier,
            plan.sampleRate, plan.steps, plan.section.maxGradNorm, plan.delta))
      }
      history = training.train(
        model, on: trainingSet, validation: data.validation, root: root,
        epochCompleted: { note("\(role) " + EpochLine.format($0)) })
    }
    let test = Evaluation.evaluate(model, on: data.test)
    note(String(format: "\(role): test accuracy %.2f%%", 100 * test.accuracy))
    return TrainedModel(model: model, plan: plan, history: history, test: test, seconds: Clock.seconds() - start)
  }

  /// Reference teacher/student pairs (see the type's documentation), `parallelism` at a time
  /// with one BLAS thread each.
  static func referencePairs(
    recipe: Recipe, teacherRecipe: Recipe, teacherPlan: PrivacyPlan?, studentPlan: PrivacyPlan?, loss: DistillationLoss,
    transfer: DistillationSection.Transfer, data: PreparedData, population: AuditPopulation,
    generator: SeededGenerator, threads: Int, note: (String) -> Void
  ) throws -> [(teacher: ReferenceTraining.Reference, student: ReferenceTraining.Reference)] {
    let section = recipe.audit
    guard section.referenceModels > 0, population.memberCount > 0, population.nonMemberCount > 0 else { return [] }
    note("training \(section.referenceModels) reference teacher/student pairs (\(threads) at a time)")
    let pairStart = Clock.seconds()
    let records = population.auditRecords
    let populationRecords = RunAudit.populationRecords(section, test: data.test, generator: generator)
    let imageShape = RunAudit.imageShape(recipe.data)
    let previousThreads = BLAS.threadCount
    BLAS.setThreadCount(1)
    defer { BLAS.setThreadCount(previousThreads) }
    let pairs = try ReferenceTraining.parallelMap(count: section.referenceModels, parallelism: threads) { index in
      let root = generator.split("reference", index: index)
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
