/// Whether a model's parameters are all finite numbers.
extension Sequential {
  /// The first parameter value that is NaN or ±∞, by path (`layers.3.weight`) and row-major
  /// element index, or `nil` when every parameter value is finite.
  ///
  /// The trainer asks after each epoch: a step's loss is computed on the parameters before its
  /// update, so an update that overflows Float in an epoch's last step (or in a weight no loss
  /// reaches) would otherwise go unnoticed. One read of every parameter value, no writes:
  /// O(P) for P parameters (`parameterCount`), negligible next to an epoch's O(N·P) steps.
  public func firstNonFiniteParameter() -> (name: String, element: Int, value: Float)? {
    for (name, parameter) in namedParameters {
      let found = parameter.value.scalars.withUnsafeBufferPointer { values in
        values.firstIndex { !$0.isFinite }
      }
      if let found { return (name, found, parameter.value.scalars[found]) }
    }
    return nil
  }
}
