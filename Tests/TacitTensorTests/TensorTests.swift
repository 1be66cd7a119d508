import TacitTensor
import Testing

/// Tensor construction, shape book-keeping, row slicing and gathering, elementwise kernels.
struct TensorTests {
  static let matrix = Tensor(shape: [3, 2, 2], scalars: (0..<12).map(Float.init))

  @Test func basics() {
    let tensor = Self.matrix
    #expect(tensor.count == 12)
    #expect(tensor.rank == 3)
    #expect(tensor.batchSize == 3)
    #expect(tensor.elementsPerExample == 4)
    #expect(Tensor(shape: [], scalars: [5]).count == 1)
    #expect(Tensor(shape: [], scalars: [5]).batchSize == 0)
    #expect(Tensor(shape: [4, 0]).count == 0)
    #expect(Tensor(shape: [2, 2], repeating: 3).scalars == [3, 3, 3, 3])
  }

  @Test func rowsAndGathering() {
    let rows = Self.matrix.rows(1..<3)
    #expect(rows == Tensor(shape: [2, 2, 2], scalars: (4..<12).map(Float.init)))
    #expect(Self.matrix.rows(2..<2).shape == [0, 2, 2])
    let gathered = Self.matrix.gathering(rows: [2, 0, 2])
    #expect(gathered == Tensor(shape: [3, 2, 2], scalars: [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]))
    #expect(Self.matrix.gathering(rows: []).shape == [0, 2, 2])
  }

  @Test func reshape() {
    var tensor = Self.matrix
    tensor.reshape([4, 3])
    #expect(tensor.shape == [4, 3] && tensor.scalars == Self.matrix.scalars)
    #expect(Self.matrix.reshaped([12]).shape == [12])
    #expect(Self.matrix.reshaped([2, 6]).rows(1..<2).scalars == (6..<12).map(Float.init))
  }

  @Test func elementwiseAndReductions() {
    var tensor = Tensor(shape: [2, 3], scalars: [1, -2, 3, 0.5, 4, -4])
    #expect(tensor.sum == 2.5)
    #expect(tensor.squaredNorm == 46.25)  // 1 + 4 + 9 + 0.25 + 16 + 16
    #expect(tensor.argmaxRows() == [2, 1])
    tensor.add(Tensor(shape: [6], scalars: [1, 1, 1, 1, 1, 1]), scaledBy: -2)
    #expect(tensor.scalars == [-1, -4, 1, -1.5, 2, -6])
    tensor.scale(by: 0.5)
    #expect(tensor.scalars == [-0.5, -2, 0.5, -0.75, 1, -3])
    tensor.zero()
    #expect(tensor == Tensor(shape: [2, 3]))
    // Blocked accumulation: 1000 elements of 0.1 (more than one 256-element block). Float32
    // sums within a block of 256 are accurate to about 256·2⁻²⁴ ≈ 1.5·10⁻⁵ relative.
    let long = [Float](repeating: 0.1, count: 1000)
    let expected = 1000 * Double(Float(0.1)) * Double(Float(0.1))
    #expect(abs(long.withUnsafeBufferPointer { Kernels.squaredNorm($0) } - expected) < 1.5e-5 * expected)
    #expect(abs(Kernels.dot(long, long, count: 1000) - expected) < 1.5e-5 * expected)
    // Exactly representable terms: exact.
    let halves = [Float](repeating: 0.5, count: 1000)
    #expect(halves.withUnsafeBufferPointer { Kernels.squaredNorm($0) } == 250)
  }

  /// The eight-lane blocked sums against a Float64 reference, for counts that leave every
  /// remainder modulo 8 and modulo the 256-element block.
  @Test func blockedSumsMatchDoubleReference() {
    var generator = SeededGenerator(seed: 5)
    for count in [0, 1, 7, 8, 9, 255, 256, 257, 263, 1000, 49_152 + 5] {
      let x = (0..<count).map { _ in Float(Random.uniform(using: &generator)) - 0.5 }
      let y = (0..<count).map { _ in Float(Random.uniform(using: &generator)) - 0.5 }
      let squares = x.reduce(0.0) { $0 + Double($1) * Double($1) }
      let products = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      let magnitude = x.reduce(0.0) { $0 + Double(abs($1)) }
      let norm = x.withUnsafeBufferPointer { Kernels.squaredNorm($0) }
      #expect(abs(norm - squares) <= 1e-6 * max(squares, 1e-30), "count \(count)")
      #expect(abs(Kernels.dot(x, y, count: count) - products) <= 1e-6 * max(magnitude, 1e-30), "count \(count)")
    }
  }
}
