import RealModule

/// The running products `Π_j R_j^{count_j}` and `Π_j A_j^{count_j}` of two real sequences'
/// spectra (a PLD pair's remove and add directions) on a cyclic window of N points, for
/// `FourierComposition`.
///
/// Both sequences are real, so their spectra are conjugate-symmetric (X[N − k] = conj X[k]) and
/// only frequencies k = 0…N/2 are stored. A real pair (r, a) is transformed as one complex
/// sequence z = r + i·a, whose DFT Z gives `R[k] = (Z[k] + conj Z[N−k])/2` and
/// `A[k] = (Z[k] − conj Z[N−k])/(2i)`; `packed()` reverses this (Z = R + i·A), so one inverse
/// transform returns both composed directions, remove in the real part and add in the imaginary.
struct FrequencyProduct {
  let size: Int
  private var removeReal: [Double]
  private var removeImaginary: [Double]
  private var addReal: [Double]
  private var addImaginary: [Double]

  /// The empty product (all ones) for window size N (a power of two ≥ 2).
  init(size: Int) {
    precondition(size >= 2 && size & (size - 1) == 0, "window size \(size) is not a power of two ≥ 2")
    self.size = size
    removeReal = [Double](repeating: 1, count: size / 2 + 1)
    removeImaginary = [Double](repeating: 0, count: size / 2 + 1)
    addReal = removeReal
    addImaginary = removeImaginary
  }

  /// Multiplies the products by the `count`-th powers of the two spectra packed in the transform
  /// (`real`, `imaginary`) of `r + i·a`.
  mutating func multiply(byPackedTransform real: [Double], _ imaginary: [Double], power count: Int) {
    precondition(real.count == size && imaginary.count == size && count >= 1)
    for k in 0...(size / 2) {
      let mirror = (size - k) & (size - 1)
      let (zr, zi, yr, yi) = (real[k], imaginary[k], real[mirror], imaginary[mirror])
      let remove = Self.power((zr + yr) / 2, (zi - yi) / 2, count)
      let add = Self.power((zi + yi) / 2, (yr - zr) / 2, count)
      (removeReal[k], removeImaginary[k]) = Self.product(removeReal[k], removeImaginary[k], remove.0, remove.1)
      (addReal[k], addImaginary[k]) = Self.product(addReal[k], addImaginary[k], add.0, add.1)
    }
  }

  /// The transform of `r + i·a`, where r and a are the real sequences with spectra R and A.
  func packed() -> (real: [Double], imaginary: [Double]) {
    var real = [Double](repeating: 0, count: size)
    var imaginary = [Double](repeating: 0, count: size)
    for k in 0...(size / 2) {
      let mirror = (size - k) & (size - 1)
      let (rr, ri, ar, ai) = (removeReal[k], removeImaginary[k], addReal[k], addImaginary[k])
      // Z[k] = R + iA; Z[N−k] = conj R + i·conj A.
      real[mirror] = rr + ai
      imaginary[mirror] = ar - ri
      real[k] = rr - ai
      imaginary[k] = ri + ar
    }
    return (real, imaginary)
  }

  /// (a + ib)(c + id).
  @inline(__always)
  private static func product(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> (Double, Double) {
    (a * c - b * d, a * d + b * c)
  }

  /// (re + i·im)^count by binary exponentiation (⌊log₂ count⌋ squarings, at most as many
  /// products); 0 when |re + i·im|^count < e^{−700}, below which every step would be subnormal.
  static func power(_ re: Double, _ im: Double, _ count: Int) -> (Double, Double) {
    if count == 1 { return (re, im) }
    let squaredMagnitude = re * re + im * im
    guard squaredMagnitude > 0, Double(count) * Double.log(squaredMagnitude) > -1400 else { return (0, 0) }
    var result = (1.0, 0.0)
    var base = (re, im)
    var remaining = count
    while remaining > 0 {
      if remaining & 1 == 1 { result = product(result.0, result.1, base.0, base.1) }
      remaining >>= 1
      if remaining > 0 { base = product(base.0, base.1, base.0, base.1) }
    }
    return result
  }
}
