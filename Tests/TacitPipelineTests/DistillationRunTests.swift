import Foundation
import TacitData
import TacitRecipe
import TacitTensor
import Testing

@testable import TacitPipeline

/// Distillation runs end to end through the executable on tiny synthetic data: the folder layout,
/// the teacher being exactly the plain run of its recipe, the automatic comparison, and what ε
/// covers the teacher's records in the student.
@Suite(.serialized) struct DistillationRunTests {
  /// A recipe on the shared pool (seed 6, 400 synthetic records, 240 of them the pool).
  static func recipe(name: String, hidden: Int, extra: String) -> String {
    """
    version: 1
    name: \(name)
    seed: 6
    data:
      source: synthetic
      synthetic: {classes: 3, features: 8, samples: 500, separation: 1.0}
      train_size: 240
      normalize: none
    model:
      - {type: dense, units: \(hidden)}
      - {type: relu}
      - {type: dense, units: 3}
    audit: {member_fraction: 0.5, reference_models: 2, bootstrap: 10, population_size: 40}
    \(extra)
    """
  }

  static let teacher = recipe(
    name: "teacher", hidden: 32, extra: "training: {epochs: 8, batch_size: 16, optimizer: {type: adam, learning_rate: 0.01}}\n")
  static let privateTeacher = recipe(
    name: "dp-teacher", hidden: 32,
    extra: """
      training: {epochs: 3, batch_size: 40, optimizer: {type: sgd, learning_rate: 0.5}}
      privacy: {noise_multiplier: 1.5, noise: seeded, delta: 1.0e-3}

      """)

  static func student(teacher: String, transfer: String, privacy: String = "") -> String {
    recipe(
      name: "student", hidden: 16,
      extra: """
        training: {epochs: 4, batch_size: 32, optimizer: {type: sgd, learning_rate: 0.3}}
        \(privacy)
        distillation: {\(teacher), transfer: \(transfer)\(transfer == "public" ? ", public_size: 100" : ""), temperature: 3, soft_weight: 0.8}

        """)
  }

  func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
  }

  /// Writes `recipe` as `root/name.yaml` and runs it into `root/name`; returns the run folder.
  func run(_ recipe: String, named name: String, root: URL, expectStatus: Int32 = 0) throws -> (URL, String) {
    let recipePath = root.appendingPathComponent(name + ".yaml")
    try Data(recipe.utf8).write(to: recipePath)
    let folder = root.appendingPathComponent(name)
    let outcome = try CommandLineTool.run(["run", recipePath.path, "--output", folder.path])
    #expect(outcome.status == expectStatus, "tacit run \(name): exit \(outcome.status): \(outcome.standardError)")
    return (folder, outcome.standardError)
  }

  @Test func privateTransferWritesTeacherStudentAndTheirComparison() throws {
    let root = try CommandLineTool.temporaryDirectory("distil")
    defer { try? FileManager.default.removeItem(at: root) }
    let (plainTeacher, _) = try run(Self.teacher, named: "teacher", root: root)
    let (folder, _) = try run(
      Self.student(teacher: "teacher_recipe: teacher.yaml", transfer: "private"), named: "distilled", root: root)

    for file in [
      "summary.json", "recipe.yaml", "log.txt", "comparison.html", "comparison.json", "teacher/model.safetensors",
      "teacher/audit.json", "teacher/report.html", "student/model.safetensors", "student/audit.json",
      "student/summary.json",
    ] {
      #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
    }
    // The teacher is the plain run of its recipe, bit for bit (same seed, pool and members).
    let taught = try Data(contentsOf: folder.appendingPathComponent("teacher/model.safetensors"))
    #expect(taught == (try Data(contentsOf: plainTeacher.appendingPathComponent("model.safetensors"))))
    let teacherAudit = try json(folder.appendingPathComponent("teacher/audit.json"))
    let plainAudit = try json(plainTeacher.appendingPathComponent("audit.json"))
    #expect(teacherAudit["attacks"] as? NSDictionary == plainAudit["attacks"] as? NSDictionary)

    // The student learned on the teacher's training set (members plus nothing else: no canaries).
    let student = try json(folder.appendingPathComponent("student/summary.json"))
    let teacherSummary = try json(folder.appendingPathComponent("teacher/summary.json"))
    #expect(student["training_records"] as? Int == teacherSummary["training_records"] as? Int)
    let distillation = try #require(try json(folder.appendingPathComponent("summary.json"))["distillation"] as? [String: Any])
    #expect(distillation["transfer"] as? String == "private" && distillation["teacher_records_epsilon"] is NSNull)
    #expect((distillation["statement"] as? String)?.contains("no ε covers the teacher's records") == true)

    // The comparison holds both, with each run's own numbers.
    let comparison = try #require(try json(folder.appendingPathComponent("comparison.json"))["runs"] as? [[String: Any]])
    #expect(comparison.map { $0["name"] as? String } == ["teacher", "student"])
    #expect(comparison[0]["test_accuracy"] as? Double == teacherSummary["test_accuracy"] as? Double)
    #expect(comparison[1]["test_accuracy"] as? Double == student["test_accuracy"] as? Double)
    #expect(comparison[1]["folder"] as? String == folder.appendingPathComponent("student").standardizedFileURL.path)
    // The run's comparison is exactly what `tacit compare teacher student --json` says of the two.
    let compared = try CommandLineTool.run([
      "compare", folder.appendingPathComponent("teacher").path, folder.appendingPathComponent("student").path, "--json",
    ])
    try #require(compared.status == 0, "\(compared.standardError)")
    let recomputed = try #require(try JSONSerialization.jsonObject(with: Data(compared.standardOutput.utf8)) as? NSDictionary)
    #expect(
      recomputed
        == (try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("comparison.json")))
          as? NSDictionary))
    // Both audits attack the same records: the same member and non-member counts.
    let studentAudit = try json(folder.appendingPathComponent("student/audit.json"))
    let studentPopulation = try #require(studentAudit["population"] as? [String: Int])
    #expect(studentPopulation == teacherAudit["population"] as? [String: Int])
    #expect(studentPopulation["reference_models"] == 2 && studentPopulation["members"] == 120)
  }

  @Test func publicTransferOfAPrivateTeacherInheritsTheTeachersClaim() throws {
    let root = try CommandLineTool.temporaryDirectory("distil-public")
    defer { try? FileManager.default.removeItem(at: root) }
    let (teacherRun, _) = try run(Self.privateTeacher, named: "dp-teacher", root: root)
    let (folder, log) = try run(
      Self.student(teacher: "teacher_run: dp-teacher", transfer: "public"), named: "distilled", root: root)
    #expect(log.contains("teacher: loaded from"))
    // Loaded, not retrained.
    #expect(
      try Data(contentsOf: folder.appendingPathComponent("teacher/model.safetensors"))
        == Data(contentsOf: teacherRun.appendingPathComponent("model.safetensors")))
    let teacherEpsilon = try #require(
      (try json(teacherRun.appendingPathComponent("summary.json"))["privacy"] as? [String: Any])?["epsilon"] as? Double)
    let studentAudit = try json(folder.appendingPathComponent("student/audit.json"))
    #expect(studentAudit["epsilon_claimed"] as? Double == teacherEpsilon)
    let student = try json(folder.appendingPathComponent("student/summary.json"))
    #expect(student["training_records"] as? Int == 100)
    #expect(student["privacy"] is NSNull)
    let comparison = try #require(try json(folder.appendingPathComponent("comparison.json"))["runs"] as? [[String: Any]])
    #expect(comparison[1]["epsilon_claimed"] as? Double == teacherEpsilon)
  }

  @Test func privateTransferWithBothPrivateComposesTheClaims() throws {
    let root = try CommandLineTool.temporaryDirectory("distil-compose")
    defer { try? FileManager.default.removeItem(at: root) }
    try Data(Self.privateTeacher.utf8).write(to: root.appendingPathComponent("dp-teacher.yaml"))
    let (folder, _) = try run(
      Self.student(
        teacher: "teacher_recipe: dp-teacher.yaml", transfer: "private",
        privacy: "privacy: {noise_multiplier: 2.0, noise: seeded, delta: 1.0e-3}"),
      named: "distilled", root: root)
    let teacherPrivacy = try json(folder.appendingPathComponent("teacher/privacy.json"))
    let studentPrivacy = try json(folder.appendingPathComponent("student/privacy.json"))
    let teacherEpsilon = try #require(teacherPrivacy["claimed_epsilon"] as? Double)
    let studentEpsilon = try #require(studentPrivacy["claimed_epsilon"] as? Double)
    let audit = try json(folder.appendingPathComponent("student/audit.json"))
    let claimed = try #require(audit["epsilon_claimed"] as? Double)
    #expect(abs(claimed - (teacherEpsilon + studentEpsilon)) < 1e-9)
    #expect(abs((audit["delta"] as? Double ?? 0) - 2e-3) < 1e-12)
  }

  @Test func aTeacherOnAnotherPoolIsRefused() throws {
    let root = try CommandLineTool.temporaryDirectory("distil-refuse")
    defer { try? FileManager.default.removeItem(at: root) }
    try Data(Self.teacher.replacingOccurrences(of: "seed: 6", with: "seed: 7").utf8).write(
      to: root.appendingPathComponent("teacher.yaml"))
    let (_, seedError) = try run(
      Self.student(teacher: "teacher_recipe: teacher.yaml", transfer: "private"), named: "a", root: root,
      expectStatus: 65)
    #expect(seedError.contains("distillation.teacher_recipe") && seedError.contains("seed 7"))
    // `tacit validate` checks the teacher too, before anything trains.
    let validated = try CommandLineTool.run(["validate", root.appendingPathComponent("a.yaml").path])
    #expect(validated.status == 65 && validated.standardError.contains("seed 7"), "\(validated.standardError)")
    try Data(Self.teacher.replacingOccurrences(of: "train_size: 240", with: "train_size: 200").utf8).write(
      to: root.appendingPathComponent("teacher.yaml"))
    let (_, dataError) = try run(
      Self.student(teacher: "teacher_recipe: teacher.yaml", transfer: "private"), named: "b", root: root,
      expectStatus: 65)
    #expect(dataError.contains("teacher `train_size: 200`, student `train_size: 240`"), "\(dataError)")
    let (_, runError) = try run(
      Self.student(teacher: "teacher_run: nowhere", transfer: "private"), named: "c", root: root, expectStatus: 65)
    #expect(runError.contains("is not a finished tacit run folder"))
    try Data(Self.teacher.utf8).write(to: root.appendingPathComponent("teacher.yaml"))
    let (_, sizeError) = try run(
      Self.student(teacher: "teacher_recipe: teacher.yaml", transfer: "public").replacingOccurrences(
        of: "public_size: 100", with: "public_size: 100000"), named: "d", root: root, expectStatus: 65)
    #expect(sizeError.contains("distillation.public_size"))
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("a").path))
  }

  @Test func studentClaimSpellsOutWhatCoversTheTeachersRecords() {
    let both = DistillationRun.studentClaim(
      transfer: .private, transferCount: 10, teacher: (2, 1e-5), student: (3, 1e-5))
    #expect(both.epsilon == 5 && both.delta == 2e-5)
    let publicPrivateTeacher = DistillationRun.studentClaim(
      transfer: .public, transferCount: 10, teacher: (2, 1e-5), student: (8, 1e-5))
    #expect(publicPrivateTeacher.epsilon == 2 && publicPrivateTeacher.delta == 1e-5)
    #expect(publicPrivateTeacher.statement.contains("covers its public transfer set of 10 records and nothing else"))
    for claim in [
      DistillationRun.studentClaim(transfer: .public, transferCount: 10, teacher: nil, student: (1, 1e-5)),
      DistillationRun.studentClaim(transfer: .private, transferCount: 10, teacher: nil, student: (1, 1e-5)),
      DistillationRun.studentClaim(transfer: .private, transferCount: 10, teacher: (1, 1e-5), student: nil),
    ] {
      #expect(claim.epsilon == nil && claim.delta == nil)
      #expect(claim.statement.contains("no ε covers"))
    }
  }

  /// A public transfer set comes from pool records in neither split, and asking for one changes
  /// nothing else.
  @Test func publicTransferIsDisjointAndLeavesTheSplitsAlone() throws {
    let recipe = try Recipe.parse(
      yaml: Self.recipe(name: "x", hidden: 4, extra: "").replacingOccurrences(
        of: "train_size: 240", with: "train_size: 240\n  validation_size: 40"), fileName: "x.yaml", baseDirectory: "/")
    let generator = SeededGenerator(seed: recipe.seed)
    let plain = try DataPreparation.prepare(recipe.data, generator: generator)
    let withPublic = try DataPreparation.prepare(recipe.data, generator: generator, publicSize: 80)
    #expect(plain.split == withPublic.split && plain.publicTransfer.count == 0)
    #expect(plain.train.features.scalars == withPublic.train.features.scalars)
    #expect(withPublic.publicTransfer.count == 80)
    // Every public record is a row outside train and validation: compare the rows themselves.
    let width = withPublic.train.featuresPerExample
    func rows(_ tensor: Tensor) -> Set<[Float]> {
      Set(stride(from: 0, to: tensor.scalars.count, by: width).map { Array(tensor.scalars[$0..<($0 + width)]) })
    }
    let publicRows = rows(withPublic.publicTransfer.features)
    #expect(publicRows.count == 80)
    #expect(publicRows.isDisjoint(with: rows(withPublic.train.features)))
    #expect(publicRows.isDisjoint(with: rows(withPublic.validation.features)))
    // 400 pool records − 240 − 40 = 120 remain; asking for more is an error naming the key.
    #expect(throws: PipelineError.self) { try DataPreparation.prepare(recipe.data, generator: generator, publicSize: 121) }
  }
}

/// Reference models are trained like the target, early stopping included: they watch the same
/// validation records (before, they trained every epoch because they were given none).
@Suite struct ReferenceEarlyStoppingTests {
  @Test func referenceModelsStopEarlyOnTheValidationRecords() throws {
    let yaml = DistillationRunTests.recipe(
      name: "early", hidden: 16,
      extra: """
        training: {epochs: 40, batch_size: 16, optimizer: {type: adam, learning_rate: 0.05}, early_stopping: {patience: 1}}

        """
    ).replacingOccurrences(of: "train_size: 240", with: "train_size: 240\n  validation_size: 60")
    let recipe = try Recipe.parse(yaml: yaml, fileName: "early.yaml", baseDirectory: "/")
    let data = try DataPreparation.prepare(recipe.data, generator: SeededGenerator(seed: recipe.seed))
    let root = SeededGenerator(seed: 99)
    let trainingSet = data.train.subset(indices: Array(0..<120), name: "half")
    func parameters(validation: LabeledDataset?) throws -> [Float] {
      let model = try ReferenceTraining.trainModel(
        recipe: recipe, targetPlan: nil, trainingSet: trainingSet, validation: validation, root: root)
      return model.parameters.flatMap(\.value.scalars)
    }
    // The oracle: the target's own training path with the same generator and validation records.
    let training = ModelTraining(recipe: recipe, plan: nil, root: root)
    let oracle = try training.buildModel(inputShape: trainingSet.exampleShape, classCount: 3, root: root)
    let history = try training.train(oracle, on: trainingSet, validation: data.validation, root: root)
    try #require(history.stoppedEarly, "the recipe must stop early for this test to mean anything")
    #expect(try parameters(validation: data.validation) == oracle.parameters.flatMap(\.value.scalars))
    #expect(try parameters(validation: nil) != oracle.parameters.flatMap(\.value.scalars))
  }
}
