import Foundation
import TacitData
import TacitRecipe
import TacitTensor
import Testing

@testable import TacitPipeline

/// `data.features` in data preparation: every record used becomes the features of its own image,
/// computed once, in the shape the model is built for.
@Suite struct FeatureExtractionTests {
  static let fashionMNISTAvailable = FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")

  static func recipe(features: String) throws -> Recipe {
    try Recipe.parse(
      yaml: """
        version: 1
        name: scattered
        data: {source: fashion_mnist, train_size: 30, validation_size: 5, test_size: 20\(features)}
        model: [{type: flatten}, {type: dense, units: 10}]
        """, fileName: "x.yaml", baseDirectory: "/")
  }

  @Test(.enabled(if: fashionMNISTAvailable)) func recordsBecomeTheFeaturesOfTheirOwnImages() throws {
    let images = try Self.recipe(features: "")
    let scattered = try Self.recipe(features: ", features: {scattering: {scales: 2, orientations: 8}, group_norm: {groups: 27}}")
    let generator = SeededGenerator(seed: 0)
    let raw = try DataPreparation.prepare(images.data, generator: generator)
    let prepared = try DataPreparation.prepare(scattered.data, generator: generator)
    #expect(prepared.train.features.shape == [30, 7, 7, 81])
    #expect(prepared.validation.features.shape == [5, 7, 7, 81])
    #expect(prepared.test.features.shape == [20, 7, 7, 81])
    #expect(prepared.train.exampleShape == scattered.data.knownInputShape)
    #expect(prepared.train.labels == raw.train.labels && prepared.test.labels == raw.test.labels)
    #expect(prepared.notes.contains { $0.hasPrefix("features: scattering (J = 2, L = 8) of 55 records → [7, 7, 81]") })
    let transform = ScatteringTransform2D(inputHeight: 28, inputWidth: 28, scales: 2, orientations: 8)
    for (dataset, rawDataset) in [(prepared.train, raw.train), (prepared.test, raw.test)] {
      let expected = GroupNormalization.normalize(transform(rawDataset.features), groups: 27, epsilon: 1e-5)
      #expect(dataset.features == expected)
    }
  }

  @Test(.enabled(if: fashionMNISTAvailable)) func flattenedFeaturesMatchTheKnownShape() throws {
    let recipe = try Self.recipe(features: ", flatten: true, features: {scattering: {scales: 1, orientations: 4}}")
    let prepared = try DataPreparation.prepare(recipe.data, generator: SeededGenerator(seed: 0))
    // J = 1: padded to 32, output 16 − 2 = 14; K = 1 + 4 = 5.
    #expect(prepared.train.exampleShape == [14 * 14 * 5])
    #expect(recipe.data.knownInputShape == [14 * 14 * 5])
  }
}
