import Foundation
import Testing

@testable import TacitRecipe

@Suite struct RecipeDefaultsTests {
  @Test func minimalRecipeResolvesEveryDefault() throws {
    let recipe = try #require(parseRecipe(minimalRecipe))
    #expect(recipe.version == 1)
    #expect(recipe.name == "tiny")
    #expect(recipe.seed == 0)
    #expect(
      recipe.data.source == .synthetic(SyntheticSource(classes: 3, features: 8, samples: 2000, separation: 3, testFraction: 0.2)))
    #expect(recipe.data.trainSize == nil)
    #expect(recipe.data.testSize == nil)
    #expect(recipe.data.validationSize == 0)
    #expect(recipe.data.normalize == .standard)
    #expect(recipe.data.flatten == false)
    #expect(recipe.model == [.dense(units: 3, bias: true)])
    let training = recipe.training
    #expect(training.epochs == 10)
    #expect(training.batchSize == 256)
    #expect(training.optimizer == .sgd(.init(learningRate: 0.1, momentum: 0.9, nesterov: false)))
    #expect(training.schedule == ScheduleSpec(kind: .constant, warmupEpochs: 0))
    #expect(training.regularization == RegularizationSpec(l1: 0, l2: 0, labelSmoothing: 0))
    #expect(training.earlyStopping == nil)
    #expect(training.evaluateTrain)
  }

  @Test func fashionMNISTDefaultsToUnitRangeAndTheDebianPath() throws {
    let yaml = minimalRecipe.replacingOccurrences(of: "source: synthetic", with: "source: fashion_mnist")
    let recipe = try #require(parseRecipe(yaml))
    #expect(recipe.data.normalize == .unitRange)
    guard case .fashionMNIST(let path) = recipe.data.source else {
      Issue.record("expected fashion_mnist, got \(recipe.data.source)")
      return
    }
    #expect(path.absolute == "/usr/share/datasets/fashion-mnist")
  }

  @Test func layerDefaultsDependOnOtherOptions() throws {
    let recipe = try #require(
      parseRecipe(
        """
        version: 1
        name: conv
        data: {source: fashion_mnist}
        model:
          - {type: conv2d, filters: 8, kernel_size: 3}
          - {type: group_norm, groups: 2}
          - {type: tempered_sigmoid}
          - {type: max_pool2d, pool_size: 3}
          - {type: avg_pool2d}
          - {type: dropout, rate: 0.25}
          - {type: flatten}
          - {type: relu}
          - {type: tanh}
          - {type: dense, units: 10, bias: false}
        """))
    #expect(
      recipe.model == [
        .conv2d(.init(filters: 8, kernelSize: 3, stride: 1, padding: 0, bias: true)),
        .groupNorm(groups: 2, epsilon: 1e-5),
        .temperedSigmoid(scale: 2, inverseTemperature: 2, offset: 1),
        .maxPool2d(.init(poolSize: 3, stride: 3)),
        .avgPool2d(.init(poolSize: 2, stride: 2)),
        .dropout(rate: 0.25), .flatten, .relu, .tanh,
        .dense(units: 10, bias: false),
      ])
  }

  @Test func optimizerAndScheduleDefaultsFollowTheirType() throws {
    let yaml =
      minimalRecipe + """

        training:
          optimizer: {type: adamw}
          schedule: {type: cosine, warmup_epochs: 0.5}
          early_stopping: {}
        """
    let recipe = try #require(
      parseRecipe(yaml.replacingOccurrences(of: "source: synthetic", with: "source: synthetic\n  validation_size: 100")))
    #expect(
      recipe.training.optimizer == .adamw(.init(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8), weightDecay: 0.01))
    #expect(recipe.training.optimizer.learningRate == 0.001)
    #expect(recipe.training.schedule == ScheduleSpec(kind: .cosine(minLearningRate: 0), warmupEpochs: 0.5))
    #expect(
      recipe.training.earlyStopping == EarlyStoppingSpec(monitor: .validationLoss, patience: 3, minDelta: 0, restoreBest: true))
    let step = try #require(parseRecipe(minimalRecipe + "\ntraining: {optimizer: {type: adam}, schedule: {type: step}}"))
    #expect(step.training.optimizer == .adam(.init(learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)))
    #expect(step.training.schedule.kind == .step(stepEpochs: 10, gamma: 0.1))
  }

  @Test func csvPathsResolveAgainstTheRecipeFolder() throws {
    let yaml = """
      version: 1
      name: table
      data: {source: csv, path: ../tables/train.csv, test_path: ./test.csv}
      model: [{type: dense, units: 2}]
      """
    let recipe = try #require(parseRecipe(yaml, baseDirectory: "/home/user/recipes"))
    guard case .csv(let csv) = recipe.data.source else {
      Issue.record("expected csv, got \(recipe.data.source)")
      return
    }
    #expect(csv.path.asWritten == "../tables/train.csv")
    #expect(csv.path.absolute == "/home/user/tables/train.csv")
    #expect(csv.testPath?.asWritten == "./test.csv")
    #expect(csv.testPath?.absolute == "/home/user/recipes/test.csv")
    #expect(csv.labelColumn == "label")
    #expect(csv.testFraction == nil)
    #expect(recipe.data.normalize == .standard)
    let absolute = try #require(parseRecipe(yaml.replacingOccurrences(of: "../tables/train.csv", with: "/data/t.csv")))
    guard case .csv(let absoluteCSV) = absolute.data.source else { return }
    #expect(absoluteCSV.path.absolute == "/data/t.csv")
  }

  @Test func loadResolvesRelativeToTheFileNotTheWorkingDirectory() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tacit-recipe-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("run.yaml")
    let yaml = "version: 1\nname: t\ndata: {source: csv, path: data/x.csv}\nmodel: [{type: dense, units: 2}]\n"
    try yaml.write(to: file, atomically: true, encoding: .utf8)
    let recipe = try Recipe.load(path: file.path, overrides: ["data.test_fraction=0.5"])
    guard case .csv(let csv) = recipe.data.source else {
      Issue.record("expected csv, got \(recipe.data.source)")
      return
    }
    #expect(csv.path.absolute == folder.standardized.path + "/data/x.csv")
    #expect(csv.testFraction == 0.5)
  }

  @Test func missingFileIsNamed() {
    do {
      _ = try Recipe.load(path: "/nonexistent/recipe.yaml")
      Issue.record("loading a missing file succeeded")
    } catch {
      #expect(error.description == "/nonexistent/recipe.yaml: no such recipe file")
    }
  }
}
