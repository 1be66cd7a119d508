/// A dense, contiguous, row-major tensor of `Float` values.
///
/// `Tensor` is a value type: `scalars` is a Swift array, so copies share storage until one of them
/// is written (copy-on-write). The element at index `(i₀, i₁, …, iₙ₋₁)` lives at offset
/// `((i₀·d₁ + i₁)·d₂ + …)·dₙ₋₁ + iₙ₋₁` where `shape = [d₀, d₁, …, dₙ₋₁]`.
///
/// Images are stored channels-last (`[B, H, W, C]`); matrices as `[rows, columns]`.
public struct Tensor: Sendable, Equatable {
  /// The extent of every dimension, outermost first.
  public private(set) var shape: [Int]
  /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
  public var scalars: [Float]

  /// A tensor with the given shape and elements.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`.
  public init(shape: [Int], scalars: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    precondition(
      scalars.count == shape.reduce(1, *),
      "Tensor shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
    self.shape = shape
    self.scalars = scalars
  }

  /// A tensor of the given shape filled with `value` (zero by default).
  public init(shape: [Int], repeating value: Float = 0) {
    self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  /// A tensor whose elements `body` writes, every one of them, into uninitialised storage
  /// (saves the zero fill, or the copy, of building from another tensor and then modifying).
  public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    let count = shape.reduce(1, *)
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
    self.shape = shape
    self.scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
      body(buffer)
      initializedCount = count
    }
  }

  /// The number of elements.
  @inlinable public var count: Int { scalars.count }

  /// The number of dimensions.
  @inlinable public var rank: Int { shape.count }

  /// The size of the leading (batch) dimension; 0 for a scalar tensor.
  @inlinable public var batchSize: Int { shape.first ?? 0 }

  /// The number of elements per leading index (`count / shape[0]`), 1 for rank ≤ 1.
  public var elementsPerExample: Int { shape.dropFirst().reduce(1, *) }

  /// The same elements under a new shape with the same element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, scalars: scalars)
  }

  /// Reinterprets the shape in place.
  public mutating func reshape(_ newShape: [Int]) {
    precondition(
      newShape.reduce(1, *) == scalars.count,
      "Cannot reshape \(shape) (\(scalars.count) scalars) to \(newShape)")
    shape = newShape
  }

  /// The rows `range` of the leading dimension, copied.
  public func rows(_ range: Range<Int>) -> Tensor {
    precondition(
      rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
      "rows \(range) out of bounds for shape \(shape)")
    let width = elementsPerExample
    var newShape = shape
    newShape[0] = range.count
    return Tensor(shape: newShape, scalars: Array(scalars[(range.lowerBound * width)..<(range.upperBound * width)]))
  }

  /// The rows at `indices` of the leading dimension, gathered in that order.
  public func gathering(rows indices: [Int]) -> Tensor {
    let width = elementsPerExample
    var newShape = shape
    newShape[0] = indices.count
    var result = [Float](repeating: 0, count: indices.count * width)
    scalars.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        for (row, index) in indices.enumerated() {
          precondition(index >= 0 && index < shape[0], "row \(index) out of bounds for shape \(shape)")
          let from = source.baseAddress! + index * width
          (destination.baseAddress! + row * width).update(from: from, count: width)
        }
      }
    }
    return Tensor(shape: newShape, scalars: result)
  }
}
