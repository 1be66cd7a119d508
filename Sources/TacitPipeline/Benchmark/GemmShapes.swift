import TacitNN
import TacitTensor
import TacitTraining

/// The matrix products of one training step, for the GEMM floor of `tacit bench`.
///
/// A linear layer applied at `T` positions of `B` examples (`I` inputs, `O` outputs; a
/// convolution has `I = k·k·C` after im2col) does three products per step:
/// forward `[B·T, I]·[I, O]`, input gradient `[B·T, O]·[O, I]` and
/// weight gradient `[O, B·T]·[B·T, I]`, each `2·B·T·I·O` FLOPs. Like `Sequential.backward`, no
/// input gradient is formed for the first layer with parameters.
struct GemmShapes {
  var m: Int
  var n: Int
  var k: Int
  var transposeA: Bool
  var transposeB: Bool

  var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

  /// The products of a training step of `model` at `batchSize`.
  static func ofTrainingStep(_ model: Sequential, batchSize: Int) -> [GemmShapes] {
    var shapes: [GemmShapes] = []
    var exampleShape = model.inputShape
    let firstTrainable = model.firstTrainableIndex
    for (index, layer) in model.layers.enumerated() {
      let next = (try? layer.outputShape(forInput: exampleShape)) ?? exampleShape
      var linear: (positions: Int, inputs: Int, outputs: Int)?
      if let dense = layer as? Dense {
        linear = (exampleShape.reduce(1, *) / dense.inputCount, dense.inputCount, dense.outputCount)
      } else if let convolution = layer as? Conv2D {
        linear = (
          next[0] * next[1], convolution.kernelSize * convolution.kernelSize * convolution.inputChannels,
          convolution.outputChannels
        )
      }
      if let (positions, inputs, outputs) = linear {
        let rows = batchSize * positions
        shapes.append(GemmShapes(m: rows, n: outputs, k: inputs, transposeA: false, transposeB: true))
        if index > firstTrainable {
          shapes.append(GemmShapes(m: rows, n: inputs, k: outputs, transposeA: false, transposeB: false))
        }
        shapes.append(GemmShapes(m: outputs, n: inputs, k: rows, transposeA: true, transposeB: false))
      }
      exampleShape = next
    }
    return shapes
  }

  /// Seconds per step to run every product in `shapes` (mean over `repetitions`).
  static func time(_ shapes: [GemmShapes], repetitions: Int) -> Double {
    var generator = SeededGenerator(seed: 5)
    let buffers = shapes.map { shape -> (a: [Float], b: [Float], c: [Float]) in
      (
        Random.normal(count: shape.m * shape.k, using: &generator),
        Random.normal(count: shape.k * shape.n, using: &generator),
        [Float](repeating: 0, count: shape.m * shape.n)
      )
    }
    var outputs = buffers.map(\.c)
    let start = Clock.seconds()
    for _ in 0..<repetitions {
      for (index, shape) in shapes.enumerated() {
        buffers[index].a.withUnsafeBufferPointer { a in
          buffers[index].b.withUnsafeBufferPointer { b in
            outputs[index].withUnsafeMutableBufferPointer { c in
              BLAS.gemm(
                transposeA: shape.transposeA, transposeB: shape.transposeB, m: shape.m, n: shape.n, k: shape.k,
                a: a.baseAddress!, lda: shape.transposeA ? shape.m : shape.k,
                b: b.baseAddress!, ldb: shape.transposeB ? shape.k : shape.n,
                c: c.baseAddress!, ldc: shape.n)
            }
          }
        }
      }
    }
    return (Clock.seconds() - start) / Double(repetitions)
  }
}
