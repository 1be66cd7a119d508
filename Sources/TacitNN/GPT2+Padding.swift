import TacitTensor

extension GPT2 {
  /// The number of tokens `n_b` of each record of `[B, T]` right-padded ids: the position of the
  /// first `paddingToken` (or `T`).
  ///
  /// - Precondition: padding is on the right only (no id after the first `-1` other than `-1`).
  public static func recordLengths(_ tokens: Tensor) -> [Int] {
    precondition(tokens.rank == 2, "token records must be [B, T], got \(tokens.shape)")
    let batch = tokens.shape[0], T = tokens.shape[1]
    return tokens.scalars.withUnsafeBufferPointer { ids in
      (0..<batch).map { b in
        let row = ids.baseAddress! + b * T
        var length = 0
        while length < T && row[length] != paddingToken { length += 1 }
        for t in length..<T {
          precondition(row[t] == paddingToken, "record \(b) has id \(row[t]) at position \(t) after padding (right padding only)")
        }
        return length
      }
    }
  }
}

extension Tensor {
  /// The first `count` positions of a `[B, T, …]` tensor, `[B, count, …]` (the tensor itself when
  /// `count == T`).
  func positionPrefix(_ count: Int) -> Tensor {
    precondition(rank >= 2 && count <= shape[1], "positionPrefix(\(count)) of \(shape)")
    if count == shape[1] { return self }
    let batch = shape[0]
    let rowLength = shape.dropFirst(2).reduce(1, *)
    var newShape = shape
    newShape[1] = count
    if count * rowLength * batch == 0 { return Tensor(shape: newShape) }
    return scalars.withUnsafeBufferPointer { source in
      Tensor(shape: newShape) { destination in
        for b in 0..<batch {
          (destination.baseAddress! + b * count * rowLength).initialize(
            from: source.baseAddress! + b * shape[1] * rowLength, count: count * rowLength)
        }
      }
    }
  }

  /// `[B, T', …]` padded with zero positions to `[B, positions, …]` (the tensor itself when
  /// `T' == positions`).
  func paddedPositions(to positions: Int) -> Tensor {
    precondition(rank >= 2 && positions >= shape[1], "paddedPositions(to: \(positions)) of \(shape)")
    if positions == shape[1] { return self }
    let batch = shape[0], trimmed = shape[1]
    let rowLength = shape.dropFirst(2).reduce(1, *)
    var newShape = shape
    newShape[1] = positions
    var result = Tensor(shape: newShape)
    if trimmed * rowLength * batch == 0 { return result }
    result.scalars.withUnsafeMutableBufferPointer { destination in
      scalars.withUnsafeBufferPointer { source in
        for b in 0..<batch {
          (destination.baseAddress! + b * positions * rowLength).update(
            from: source.baseAddress! + b * trimmed * rowLength, count: trimmed * rowLength)
        }
      }
    }
    return result
  }

  /// Sets positions `t ≥ lengths[b]` of each record `b` of a `[B, T, …]` tensor to zero.
  mutating func zeroPadding(lengths: [Int]) {
    precondition(rank >= 2 && lengths.count == shape[0], "zeroPadding: \(lengths.count) lengths for \(shape)")
    let positions = shape[1]
    let rowLength = shape.dropFirst(2).reduce(1, *)
    if count == 0 { return }
    scalars.withUnsafeMutableBufferPointer { values in
      for (b, length) in lengths.enumerated() where length < positions {
        (values.baseAddress! + (b * positions + length) * rowLength).update(repeating: 0, count: (positions - length) * rowLength)
      }
    }
  }
}
