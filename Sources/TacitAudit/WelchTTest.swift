import RealModule

/// Welch's one-sided two-sample t-test (Welch 1947) of "the first sample's mean is larger".
///
/// With sample means m₁, m₂, unbiased variances s₁², s₂² and sizes n₁, n₂:
/// t = (m₁ − m₂) / √(s₁²/n₁ + s₂²/n₂), with the Welch–Satterthwaite degrees of freedom
/// ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)), and the one-sided p-value
/// P[T_ν ≥ t] for Student's t with ν degrees of freedom (`studentUpperTail`), as SciPy's
/// `ttest_ind(a, b, equal_var=False, alternative="greater")`.
///
/// The effect size is Cohen's d with the average variance, (m₁ − m₂) / √((s₁² + s₂²)/2).
///
/// Degenerate samples: when both variances are 0 the statistic is ±∞ (p = 0 or 1) if the means
/// differ, and t = 0, p = ½ if they are equal.
public struct WelchTTest: Sendable, Equatable {
  public let statistic: Double
  public let degreesOfFreedom: Double
  /// P[T_ν ≥ t]: small when the first sample's mean is larger.
  public let pValue: Double
  public let effectSize: Double
  public let firstMean: Double
  public let secondMean: Double

  /// The test of `first` (mean larger under the alternative) against `second`; each sample needs
  /// at least 2 values.
  public init(_ first: [Double], _ second: [Double]) {
    precondition(
      first.count >= 2 && second.count >= 2, "Welch's test needs 2 values per sample, got \(first.count) and \(second.count)")
    let (mean1, variance1) = Self.meanAndVariance(first)
    let (mean2, variance2) = Self.meanAndVariance(second)
    let error1 = variance1 / Double(first.count), error2 = variance2 / Double(second.count)
    let standardError = (error1 + error2).squareRoot()
    firstMean = mean1
    secondMean = mean2
    let difference = mean1 - mean2
    effectSize = variance1 + variance2 > 0 ? difference / ((variance1 + variance2) / 2).squareRoot() : 0
    guard standardError > 0 else {
      statistic = difference == 0 ? 0 : (difference > 0 ? .infinity : -.infinity)
      degreesOfFreedom = Double(first.count + second.count - 2)
      pValue = difference == 0 ? 0.5 : (difference > 0 ? 0 : 1)
      return
    }
    statistic = difference / standardError
    degreesOfFreedom =
      (error1 + error2) * (error1 + error2)
      / (error1 * error1 / Double(first.count - 1) + error2 * error2 / Double(second.count - 1))
    pValue = Self.studentUpperTail(statistic, degreesOfFreedom: degreesOfFreedom)
  }

  /// The mean and the unbiased variance (two passes).
  static func meanAndVariance(_ values: [Double]) -> (mean: Double, variance: Double) {
    let mean = values.reduce(0, +) / Double(values.count)
    let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, squares / Double(values.count - 1))
  }

  /// P[T_ν ≥ t] for Student's t with ν > 0 degrees of freedom (ν need not be an integer):
  /// ½ I_x(ν/2, ½) with x = ν/(ν + t²) for t ≥ 0, and 1 minus that for t < 0 (Abramowitz &
  /// Stegun 26.7.1 through 26.5.27), from `IncompleteBeta`, with relative accuracy in both tails.
  public static func studentUpperTail(_ t: Double, degreesOfFreedom: Double) -> Double {
    precondition(degreesOfFreedom > 0, "Student's t needs ν > 0, got \(degreesOfFreedom)")
    if t.isNaN { return .nan }
    if t == .infinity { return 0 }
    if t == -.infinity { return 1 }
    // ν/(ν + t²) = 1/(1 + t²/ν), and 1 − x = t²/(ν + t²), each without cancellation.
    let square = t * t
    let x = degreesOfFreedom / (degreesOfFreedom + square)
    let both = IncompleteBeta.regularizedWithComplement(a: degreesOfFreedom / 2, b: 0.5, x: x)
    let tail = 0.5 * both.value
    return t >= 0 ? tail : 0.5 + 0.5 * both.complement
  }
}
