import ArgumentParser
import TacitPipeline

/// `--accountant`: ArgumentParser lists the values (with these descriptions) in the help and
/// rejects any other value with a usage error (exit 64).
extension PrivacyCalculator.AccountantChoice: ExpressibleByArgument {
  public static var allValueDescriptions: [String: String] {
    [
      "pld": "privacy loss distributions (tight numerical composition)",
      "rdp": "Rényi DP (improved conversion)",
      "gdp": "Gaussian DP by the central limit theorem (an approximation)",
      "all": "each of the three, in that order",
    ]
  }
}

/// `--selection` of `tacit audit scores`.
extension ScoreFileAudit.Selection: ExpressibleByArgument {
  public static var allValueDescriptions: [String: String] {
    [
      "held-out": "pick the threshold on a random half of the records, measure it on the other half",
      "corrected": "try every one of the n thresholds on all records, at α/(2n) per bound (a union bound)",
    ]
  }
}
