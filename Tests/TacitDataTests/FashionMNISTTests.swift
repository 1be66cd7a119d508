import Foundation
import Testing

@testable import TacitData

@Suite struct FashionMNISTTests {
  static let installed = FileManager.default.fileExists(
    atPath: FashionMNIST.defaultDirectory + "/train-images-idx3-ubyte.gz")

  @Test(.enabled(if: installed, "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist)"))
  func installedDatasetHasTheDocumentedCounts() throws {
    let (train, test) = try FashionMNIST.load()
    #expect(train.count == 60_000 && test.count == 10_000)
    #expect(train.features.shape == [60_000, 28, 28, 1] && test.features.shape == [10_000, 28, 28, 1])
    #expect(train.classCounts() == [Int](repeating: 6_000, count: 10))
    #expect(test.classCounts() == [Int](repeating: 1_000, count: 10))
    // Pixel range over the test images (a pointer loop: generic `min()` is slow in debug builds).
    var (low, high) = (Float.infinity, -Float.infinity)
    test.features.scalars.withUnsafeBufferPointer { pixels in
      var pointer = pixels.baseAddress!
      for _ in 0..<pixels.count {
        low = pointer.pointee < low ? pointer.pointee : low
        high = pointer.pointee > high ? pointer.pointee : high
        pointer += 1
      }
    }
    #expect(low == 0 && high == 255)
  }
}
