import RealModule

/// Composition of PLD pairs by powers of their discrete Fourier transforms on one cyclic window:
/// the cost of T-fold composition does not grow with T.
///
/// Method (as prv_accountant, Gopi, Lee & Wutschitz 2021, "Numerical Composition of Differential
/// Privacy", §5, and Koskela, Jälkö & Honkela 2020): the composition of `count_j` copies of each
/// PLD ω_j has the finite part ω_1^{∗count_1} ∗ ω_2^{∗count_2} ∗ …, and on a cyclic window of N
/// grid points (N a power of two) the DFT turns that into a pointwise product:
///
///     c = IDFT( Π_j DFT(ω_j)^{count_j} ),
///
/// where c is the exact linear result *folded* modulo N: the mass of every sum index s lands at
/// the window index congruent to s. The window [L, L + NΔ) is a `CompositionWindow` with tail
/// mass β: sums below L fold up to higher losses (which can only raise δ(ε): pessimistic), and
/// the mass of sums above the window, at most β by the Chernoff bound, folds down; that mass is
/// added to ω(+∞), so the result's δ(ε) stays an upper bound on the exact composition's.
/// ω(+∞) composes as `1 − Π_j (1 − ω_j(+∞))^{count_j}`.
///
/// Both directions of a pair share one complex transform (remove in the real part, add in the
/// imaginary part, unpacked as in `FFT.linearConvolution`), so a composition costs one forward
/// transform per component and one inverse; powers are taken by binary exponentiation per
/// frequency, and a frequency whose power falls below e^{−700} is set to 0 (no subnormal
/// arithmetic).
///
/// Numerical properties: the power multiplies a frequency's relative error by count (≈ 1e-16·T),
/// so for T = 10⁶ the composed entries carry about 1e-10 relative error plus the transform's
/// absolute noise (≈ 1e-16·log₂N of the largest entry), clamped to ≥ 0.
///
/// Complexity: O(N log N) per component, independent of the counts (plus log₂ count complex
/// products per frequency); memory about 5N doubles.
struct FourierComposition {
  /// The components and how many times each is composed (counts ≥ 1).
  let components: [(pair: PrivacyLossDistributionPair, count: Int)]
  let removeWindow: CompositionWindow
  let addWindow: CompositionWindow
  /// The grid spacing Δ shared by every component.
  let lossInterval: Double

  /// Plans the composition of `components` with tail mass β for each window.
  init(components: [(pair: PrivacyLossDistributionPair, count: Int)], tailMass: Double) {
    precondition(!components.isEmpty, "nothing to compose")
    let lossInterval = components[0].pair.remove.lossInterval
    precondition(components.allSatisfy { $0.pair.remove.lossInterval == lossInterval && $0.count >= 1 })
    self.components = components
    self.lossInterval = lossInterval
    removeWindow = CompositionWindow(
      components: components.map { (LossMomentGenerator($0.pair.remove), $0.count) }, tailMass: tailMass)
    addWindow = CompositionWindow(
      components: components.map { (LossMomentGenerator($0.pair.add), $0.count) }, tailMass: tailMass)
  }

  /// The grid points the wider of the two windows needs (before rounding up to a power of two),
  /// as a `Double` so that a caller can refuse an enormous window before anything is allocated.
  var requiredPoints: Double {
    max(points(removeWindow), points(addWindow))
  }

  private func points(_ window: CompositionWindow) -> Double {
    (window.highestLoss / lossInterval).rounded(.down) - (window.lowestLoss / lossInterval).rounded(.up) + 1
  }

  /// The composed pair, each direction trimmed by `truncatingTails(mass: tailMassTruncation)`.
  ///
  /// - Precondition: `requiredPoints` ≤ 2³⁰.
  func composed(tailMassTruncation: Double) -> PrivacyLossDistributionPair {
    precondition(requiredPoints <= 0x1p30, "composition window of \(requiredPoints) points")
    let size = FFT.powerOfTwo(atLeast: Int(requiredPoints))
    let fft = FFT(size: size)
    var spectrum = FrequencyProduct(size: size)
    for (pair, count) in components {
      var real = [Double](repeating: 0, count: size)
      var imaginary = [Double](repeating: 0, count: size)
      Self.fold(pair.remove, into: &real)
      Self.fold(pair.add, into: &imaginary)
      fft.forward(real: &real, imaginary: &imaginary)
      spectrum.multiply(byPackedTransform: real, imaginary, power: count)
    }
    var (real, imaginary) = spectrum.packed()
    fft.inverse(real: &real, imaginary: &imaginary)
    func infiniteMass(_ direction: (PrivacyLossDistributionPair) -> PrivacyLossDistribution) -> Double {
      let logFinite = components.reduce(0.0) {
        $0 + Double($1.count) * Double.log(onePlus: -direction($1.pair).infiniteMass)
      }
      return -Double.expMinusOne(logFinite)
    }
    let remove = unfold(real, window: removeWindow, infiniteMass: infiniteMass(\.remove))
    let add = unfold(imaginary, window: addWindow, infiniteMass: infiniteMass(\.add))
    return PrivacyLossDistributionPair(
      remove: remove.truncatingTails(mass: tailMassTruncation), add: add.truncatingTails(mass: tailMassTruncation))
  }

  /// Adds `distribution`'s finite masses into a cyclic array: loss index i goes to i mod N.
  private static func fold(_ distribution: PrivacyLossDistribution, into values: inout [Double]) {
    let size = values.count
    for (j, mass) in distribution.probabilities.enumerated() {
      values[Self.modulo(distribution.lowestLossIndex + j, size)] += mass
    }
  }

  /// The composed PLD on the window [L, L + NΔ) from the cyclic result (negative rounding noise
  /// clamped to 0), with ω(+∞) = `infiniteMass` plus the window's bound on the mass above it.
  private func unfold(_ values: [Double], window: CompositionWindow, infiniteMass: Double) -> PrivacyLossDistribution {
    let size = values.count
    let lowestIndex = Int((window.lowestLoss / lossInterval).rounded(.up))
    var probabilities = [Double](repeating: 0, count: size)
    for j in 0..<size { probabilities[j] = max(0, values[Self.modulo(lowestIndex + j, size)]) }
    return PrivacyLossDistribution(
      lossInterval: lossInterval, lowestLossIndex: lowestIndex, probabilities: probabilities,
      infiniteMass: min(1, infiniteMass + window.massAbove))
  }

  private static func modulo(_ index: Int, _ size: Int) -> Int {
    let remainder = index % size
    return remainder < 0 ? remainder + size : remainder
  }
}
