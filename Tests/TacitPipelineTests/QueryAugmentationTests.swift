import TacitRecipe
import TacitTensor
import Testing

@testable import TacitPipeline

/// LiRA's query views move the picture the way their names say, zero-filling the edge.
@Suite struct QueryAugmentationTests {
  // One 2×3 single-channel image:  1 2 3 / 4 5 6.
  static let image = Tensor(shape: [1, 2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])

  @Test(arguments: [
    (AuditSection.Query.identity, [Float]([1, 2, 3, 4, 5, 6])),
    (.mirror, [3, 2, 1, 6, 5, 4]),
    (.shiftRight, [0, 1, 2, 0, 4, 5]),
    (.shiftLeft, [2, 3, 0, 5, 6, 0]),
    (.shiftDown, [0, 0, 0, 1, 2, 3]),
    (.shiftUp, [4, 5, 6, 0, 0, 0]),
  ])
  func queryMovesThePicture(query: AuditSection.Query, expected: [Float]) {
    let output = QueryAugmentation.apply(query, to: Self.image, imageShape: [2, 3, 1])
    #expect(output.shape == Self.image.shape)
    #expect(output.scalars == expected, "\(query)")
  }
}
